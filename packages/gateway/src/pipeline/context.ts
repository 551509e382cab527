import type { Autorisatie, Grondslag, Organisation, ProcessingActivityVersion, Service } from '@poortwachter/protocol';
import type { VerifiedSignature } from '@poortwachter/sdk';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import type { ReadStores } from '../reads/read-stores.ts';

/** The W3C trace context of one request: the caller's span is the parent of the gateway's span. */
export interface RequestTrace {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
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
}

export interface GatewayVariables {
  trace: RequestTrace;
  transactionId: string;
  body: Uint8Array;
  directory: DirectoryIndex;
  caller: Caller | undefined;
  grant: Grant | undefined;
  /** What the source answered (set by `forward`). */
  answer: SourceAnswer;
  /** The answer minimised to what is released, its body and digest (set by `minimise`). */
  release: Release;
  /** The body the response carries, when a stage already has it as text (saves `signResponse` a read). */
  responseBody: string | undefined;
  /** The stores of the log's readers (set for the reader sub-apps). */
  reads: ReadStores;
}

/** What the source answered and the gateway will minimise: the search type and its persons. */
export interface SourceAnswer {
  readonly type: string;
  readonly personen: Record<string, unknown>[];
}

/** One person of the answer as released, with what its access record needs. */
export interface ReleasedPerson {
  /** The person as released: only the authorised, requested paths. */
  readonly released: Record<string, unknown>;
  /** The data-subject id (BSN) from the source's answer; undefined when it had none. */
  readonly subjectId: string | undefined;
  /** The requested paths this person actually had a value for, and the automatic fields delivered. */
  readonly releasedFields: readonly string[];
}

/** The answer as it will be released. */
export interface Release {
  readonly people: readonly ReleasedPerson[];
  readonly body: string;
  readonly digest: string;
}

export interface GatewayEnv {
  Variables: GatewayVariables;
}
