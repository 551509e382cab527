import type { Quota } from '@poortwachter/protocol';
import { type ContractContent, newContractContent } from '@poortwachter/protocol/contracts';

/** The FSC group of a registry that names none (setting GROUP_ID). */
export const DEFAULT_GROUP_ID = 'poortwachter';
/** The FSC group of the demo (`POORTWACHTER_DEMO=true`). */
export const DEMO_GROUP_ID = 'poortwachter-demo';

/** How long a contract runs when its terms name no end: ten years from its start. */
const TEN_YEARS_S = Math.round(10 * 365.25 * 86_400);

/**
 * The terms of one autorisatie as the registry held them before issue 28, with what a contract needs
 * beside them: the service's bronhouder, the activity's current version and the grondslag it rests on.
 */
export interface AutorisatieTerms {
  readonly afnemerOin: string;
  readonly serviceId: string;
  readonly providerOin: string;
  readonly processingActivityId: string;
  readonly processingActivityVersion: number;
  readonly grondslagId: string;
  readonly fields: readonly string[];
  readonly searchTypes: readonly string[];
  /** ISO 8601; the contract's not_before. */
  readonly validFrom: string;
  /** ISO 8601 or absent: the contract's not_after (absent: ten years after validFrom). */
  readonly validTo?: string | null;
  readonly quota?: Quota | null;
}

/**
 * The content of a contract with an autorisatie's terms: one service connection grant from the
 * afnemer's outway to the bronhouder's service, a fresh `iv`, in the registry's group, running from
 * validFrom to validTo (no validTo: ten years). The one rule for turning an autorisatie into a contract,
 * used by the migration of an existing registry and by the demo seed.
 *
 * @example
 * const content = contractContentOf(terms, { groupId: 'poortwachter-demo', now: new Date() });
 * const hash = contentHash(content);
 */
export function contractContentOf(terms: AutorisatieTerms, options: { groupId: string; now: Date }): ContractContent {
  const validFrom = new Date(terms.validFrom);
  const validTo = terms.validTo ? new Date(terms.validTo) : new Date(validFrom.getTime() + TEN_YEARS_S * 1000);
  return newContractContent({
    afnemerOin: terms.afnemerOin,
    serviceId: terms.serviceId,
    bronhouderOin: terms.providerOin,
    processingActivityId: terms.processingActivityId,
    processingActivityVersion: terms.processingActivityVersion,
    grondslagId: terms.grondslagId,
    fields: terms.fields,
    searchTypes: terms.searchTypes,
    ...(terms.quota ? { quota: { requestsPerSecond: terms.quota.requestsPerSecond, burst: terms.quota.burst } } : {}),
    validFrom,
    validTo,
    groupId: options.groupId,
    createdAt: options.now,
  });
}
