import type {
  Autorisatie,
  Grondslag,
  Organisation,
  ProcessingActivityVersion,
  Service,
  VerifiedSignature,
} from '@poortwachter/protocol';
import type { RegistryHistory } from '@poortwachter/sdk';
import type { Kysely } from 'kysely';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import type { ProblemLimits } from '../profiles/haal-centraal-problem.ts';
import type { ResolvedCall } from '../profiles/profile.ts';
import type { Citizen } from '../reads/citizen-token.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import type { CallerQuotas } from './quota.ts';

/** The W3C trace context of one request: the caller's span is the parent of the gateway's span. */
export interface RequestTrace {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  /** The caller's sampled flag (W3C `traceparent`), passed on. */
  readonly sampled: boolean;
  /** The caller's `tracestate`, passed on as it came. */
  readonly tracestate?: string;
  readonly startTime: number;
}

/** The verified caller: the organisation that owns the key that signed the request. */
export interface Caller {
  readonly organisation: Organisation;
  readonly kid: string;
  readonly signature: VerifiedSignature;
  /** `sha-256=:…:` of the signature base: identifies exactly what was signed. */
  readonly requestDigest: string;
}

/** The citizen who reads their own data (`GET /inzage/v1/gegevens`), verified by their token. */
export interface Betrokkene {
  /** Their BSN, from the token (held in memory only; records carry its pseudonym). */
  readonly bsn: string;
  /** `sha-256=:…:` of the bearer token: identifies the request in the record, as a signature base does. */
  readonly requestDigest: string;
}

/** What the request is allowed to do: its autorisatie and the versions in force at the moment of the request. */
export interface Grant {
  readonly autorisatie: Autorisatie;
  readonly processingActivity: ProcessingActivityVersion;
  readonly grondslagen: readonly Grondslag[];
  readonly service: Service;
  readonly searchType: string;
  /** The query as the caller sent it. */
  readonly query: Record<string, unknown> & { type: string; fields: string[] };
  /** The requested field paths, groups expanded to the catalogue paths they stand for. */
  readonly releasedFields: readonly string[];
  /** A described service's call (operation, parameters, `fields`, `expand`), read by its description. */
  readonly call?: ResolvedCall;
  /** The relations the caller expanded (name → the embedded resource). */
  readonly expanded?: ReadonlyMap<string, string>;
}

export interface GatewayVariables {
  trace: RequestTrace;
  transactionId: string;
  body: Uint8Array;
  directory: DirectoryIndex;
  caller: Caller | undefined;
  /** Set instead of `caller` for a citizen's read of their own data. */
  betrokkene: Betrokkene | undefined;
  /** Limits of the problem's members when a route set is of another API family than the service's (its names are longer). */
  problemLimits: ProblemLimits | undefined;
  /** The verified citizen of a citizen's request that keeps them for its later stages (the terugmelding routes). */
  citizen: Citizen | undefined;
  grant: Grant | undefined;
  /** The span that called the source: the source's `traceparent`, named by every access record. */
  sourceSpanId: string | undefined;
  /** What the source answered (set by `forward`). */
  answer: SourceAnswer;
  /** The answer minimised to what is released, its body and digest (set by `minimise`). */
  release: Release;
  /** The body the response carries, when a stage already has it as text (saves `signResponse` a read). */
  responseBody: string | undefined;
  /** The stores of the log's readers (set for the reader sub-apps). */
  reads: ReadStores;
  /** The quotas per caller (set by `useQuotas`; none: nothing is limited). */
  quotas: CallerQuotas | undefined;
}

/**
 * What the source answered and the gateway will minimise: the search type and its persons (BRP), or a
 * described service's resources (`hal`: the resources of the answer as the source sent them, and the
 * subjects the gateway asked the source for when the answer does not show them).
 */
export interface SourceAnswer {
  readonly type: string;
  readonly personen: Record<string, unknown>[];
  readonly hal?: HalAnswer;
}

/** A `haal-centraal-hal` answer as the source gave it. */
export interface HalAnswer {
  /** The resources: the collection's items, or the one resource. */
  readonly items: readonly Record<string, unknown>[];
  /** Whether the answer is a collection (`_embedded.<items>`) rather than one resource. */
  readonly collection: boolean;
  /** The source's base URL, whose hrefs are rewritten to the inway's. */
  readonly sourceBase: string;
  /** Subjects of the whole answer from another operation (`subjectsFrom`). */
  readonly subjects: readonly Subject[];
}

/** A data subject: its identifier and the identifier's type (`BSN`, `RSIN`, `KadasterNatuurlijkPersoon`). */
export interface Subject {
  readonly id: string;
  readonly type: string;
}

/** One person of the answer as released, with what its access record needs. */
export interface ReleasedPerson {
  /** The person as released: only the authorised, requested paths. */
  readonly released: Record<string, unknown>;
  /** The data-subject id (BSN) from the source's answer; undefined when it had none. */
  readonly subjectId: string | undefined;
  /** The subject id's type (default `BSN`). */
  readonly subjectType?: string;
  /** The requested paths this person actually had a value for, and the automatic fields delivered. */
  readonly releasedFields: readonly string[];
}

/** The answer as it will be released. */
export interface Release {
  readonly people: readonly ReleasedPerson[];
  readonly body: string;
  readonly digest: string;
  /** The answer's media type (default JSON). */
  readonly contentType?: string;
}

export interface GatewayEnv {
  Variables: GatewayVariables;
}

/** What the log's readers read from, set on `c.var.reads` for every reader sub-app. */
export interface ReadStores {
  readonly db: Kysely<GatewayDatabase>;
  readonly serviceId: string;
  /** This instance (the id of its Merkle log; the one that runs the coverage jobs it starts). */
  readonly instanceId: string;
  /** The name of this log in the Logboek read API's metadata. */
  readonly logbookId: string;
  /** The registry's history, which the coverage report replays. */
  readonly history: RegistryHistory;
  /** A subject's pseudonyms under the current and every previous log key (records are found by any). */
  readonly pseudonymsOf: (bsn: string) => readonly string[];
  readonly now: () => number;
  /** Whose log this is, when not the service's provider (an outway's: the afnemer's), who reads all of it. */
  readonly ownerOin?: string;
  /** Only the owner may read the Logboek read API (an outway's log names the afnemer's employees). */
  readonly ownerOnly?: boolean;
  /** Signs a head over this instance's log now, so that a report covers what is committed. */
  readonly signHeads: () => Promise<unknown>;
  /** Whether this inway sends citizens notices by e-mail (it has a mail server: `SMTP_URL`). */
  readonly notices?: boolean;
}
