import type { ExchangeEvidence, Organisation, Service } from '@poortwachter/protocol';
import type { GatewayVariables } from '../pipeline/context.ts';
import type { ResolvedCall } from '../profiles/profile.ts';
import type { Application } from './applications.ts';

/** Which service the application asks, under which verwerkingsactiviteit (decided by `chooseGrant`). */
export interface OutwayGrant {
  readonly service: Service;
  readonly provider: Organisation;
  readonly processingActivity: string;
  /** The version of the verwerkingsactiviteit in force now, as the directory has it. */
  readonly processingActivityVersion: number;
  /** The search type of the application's body (`type`), or a described service's operation id. */
  readonly searchType: string;
  /** For RaadpleegMetBurgerservicenummer: the valid BSNs the body asks for, each once (none: not that search). */
  readonly requestedBsns?: readonly string[];
  /** What is asked of the provider's inway, below its root: the path and query as the application sent them. */
  readonly target: string;
  /** A described service's call, read by its description (the inway decides it again). */
  readonly call?: ResolvedCall;
}

/** The provider's verified answer (set by `callProvider`). */
export interface VerifiedAnswer {
  readonly status: number;
  readonly body: string;
  readonly evidence: ExchangeEvidence;
  /** `sha-256=:…:` of the signature base of our signed request (both logs name the exchange by it). */
  readonly requestDigest: string;
  /** The provider's span (its `traceparent`), so that our record links to its record. */
  readonly providerSpanId: string | undefined;
  /** The provider's `Fsc-Error-Code` on a refusal. */
  readonly fscErrorCode: string | undefined;
  /** The provider's `Retry-After` (whole seconds) when it said the afnemer is over its quota. */
  readonly retryAfter: string | undefined;
}

export interface OutwayVariables extends GatewayVariables {
  /** The application that called, once its API key matched. */
  application: Application | undefined;
  outwayGrant: OutwayGrant | undefined;
  providerAnswer: VerifiedAnswer;
  /** On the terugmelding routes: whom a melding is about and which catalogue paths it names (from its body). */
  melding: { readonly bsn: string | undefined; readonly paths: readonly string[] } | undefined;
  /** Set on the query routes: their refusals are kept in the outway's log. */
  query: boolean;
}

export interface OutwayEnv {
  Variables: OutwayVariables;
}
