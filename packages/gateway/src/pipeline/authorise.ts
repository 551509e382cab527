import {
  type Autorisatie,
  GatewayRefusal,
  type Grondslag,
  grantsAt,
  inForce,
  type ProcessingActivityVersion,
  type Protocol,
  type Service,
  versionAt,
} from '@poortwachter/protocol';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import { brpGrant } from '../profiles/brp/brp-authorise.ts';
import type { BrpQuery } from '../profiles/brp/brp-query.ts';
import { halGrant } from '../profiles/hal/hal-authorise.ts';
import type { GatewayEnv, Grant } from './context.ts';

/** What every profile's decision starts from: the autorisatie and the versions in force. */
export type GrantBase = Pick<Grant, 'autorisatie' | 'processingActivity' | 'grondslagen' | 'service'>;

export interface AuthoriseOptions {
  readonly serviceId: string;
  /** The profile this route serves: a service of another profile does not have it (404). */
  readonly profile: Protocol;
  /** The BRP profile's query: parses and checks a body against the spec. */
  readonly query?: BrpQuery;
  /**
   * The kid of the key this inway signs with: it serves only the service of that key's organisation,
   * whatever bronhouder the directory names (a contract binds the service's bronhouder, not its name).
   */
  readonly providerKid?: string | undefined;
  readonly now?: () => number;
}

/**
 * The service this inway serves, when the directory offers it (not revoked) and, with `providerKid`,
 * names the organisation of the inway's own key as its provider; else 404 `serviceNotFound`.
 */
export function servedService(directory: DirectoryIndex, serviceId: string, providerKid: string | undefined): Service {
  const service = directory.services.get(serviceId);
  const bronhouder = providerKid === undefined ? undefined : directory.keys.get(providerKid)?.organisation.oin;
  if (!service || service.revokedAt || (providerKid !== undefined && service.providerOin !== bronhouder))
    throw new GatewayRefusal('serviceNotFound', `De dienst ${serviceId} wordt niet aangeboden.`);
  return service;
}

/**
 * The version of a verwerkingsactiviteit in force at `at` and its grondslagen, each in force then; else
 * the refusal (`named` says which activity: `in de header Processing-Activity`). The one rule for an
 * afnemer's activity and the bronhouder's own (the citizen's inzage).
 */
export function activityInForce(
  directory: DirectoryIndex,
  activityId: string,
  at: string,
  named: string,
): { version: ProcessingActivityVersion; grondslagen: Grondslag[] } {
  const activity = directory.processingActivities.get(activityId);
  if (!activity)
    throw new GatewayRefusal(
      'unknownProcessingActivity',
      `De verwerkingsactiviteit ${named} staat niet in het register.`,
    );
  const version = versionAt(activity, at);
  if (!version || version.revokedAt) {
    throw new GatewayRefusal(
      'processingActivityNotInForce',
      `De verwerkingsactiviteit ${named} is nu niet van kracht.`,
    );
  }
  const grondslagen = version.grondslagIds.map((id) => directory.grondslagen.get(id));
  const lapsed = version.grondslagIds.filter((_id, i) => !grondslagen[i] || !inForce(grondslagen[i], at));
  if (lapsed.length > 0) {
    throw new GatewayRefusal(
      'grondslagNotInForce',
      `De grondslag ${lapsed.join(', ')} van deze verwerkingsactiviteit is nu niet van kracht.`,
    );
  }
  return { version, grondslagen: grondslagen.filter((g) => g !== undefined) };
}

/**
 * Resolves the autorisatie for (afnemer, service, `Processing-Activity`) valid at the moment of the
 * request (for a delegate: one whose contract the activity's responsible organisation signed as
 * delegator), signed for the verwerkingsactiviteit version in force then and one of its grondslagen, with
 * every grondslag of that version in force (`grantBase`);
 * then the profile checks the query against the spec (400 naming every problem), the search type, every
 * search parameter (it selects on data: the autorisatie must cover that data) and every requested field
 * against the autorisatie (403 naming each). Nothing reaches the source before all of it holds.
 */
export const authorise = (options: AuthoriseOptions) =>
  createMiddleware<GatewayEnv>(async function authorise(c, next) {
    const [first, ...others] = grantBases(c, options);
    const grantOn = (base: GrantBase) =>
      base.service.protocol === 'haal-centraal-hal' ? halGrant(c, base) : brpGrant(c, base, options.query);
    c.set('grant', firstCovering(first, others, grantOn));
    await next();
  });

/** A refusal that another contract could lift: it does not cover the query's fields or parameters. */
const notCovered = (refusal: unknown) =>
  refusal instanceof GatewayRefusal &&
  (refusal.reason === 'unauthorizedField' || refusal.reason === 'unauthorizedParameter');

/**
 * The grant of the first contract in force that covers the query. An afnemer may hold several for one
 * activity (one proposed later for more fields, while the first still holds); each access is decided on,
 * and recorded under, one contract that covers all of it. When none does, the first one's refusal stands.
 */
function firstCovering(first: GrantBase, others: readonly GrantBase[], grantOn: (base: GrantBase) => Grant): Grant {
  try {
    return grantOn(first);
  } catch (refusal) {
    if (!notCovered(refusal)) throw refusal;
    for (const base of others) {
      try {
        return grantOn(base);
      } catch (other) {
        if (!notCovered(other)) throw other;
      }
    }
    throw refusal;
  }
}

/**
 * The decision every signed call about a person starts from (a query of any profile, an afnemer's
 * terugmelding): the verified caller's autorisatie for this service under its `Processing-Activity`,
 * valid now and signed for the activity's version in force (`bindsVersion`: a version registered after
 * the contract needs a new one), with every grondslag of that version in force. Refuses (401/403/404)
 * naming what is missing. With `profile`, a service of another profile does not have the route (404).
 */
export function grantBase(c: Context<GatewayEnv>, options: GrantBaseOptions): GrantBase {
  return grantBases(c, options)[0];
}

type GrantBaseOptions = Pick<AuthoriseOptions, 'serviceId' | 'providerKid' | 'now'> & { readonly profile?: Protocol };

/** `grantBase` for each contract in force that binds the version in force (at least one; else it refuses). */
export function grantBases(c: Context<GatewayEnv>, options: GrantBaseOptions): [GrantBase, ...GrantBase[]] {
  const caller = c.get('caller');
  if (!caller) throw new GatewayRefusal('signatureMissing', 'Het verzoek is niet ondertekend.');
  const directory = c.get('directory');
  const at = new Date((options.now ?? Date.now)()).toISOString();
  const afnemer = caller.organisation.oin;
  const activityId = c.req.header('processing-activity');
  if (!activityId) {
    throw new GatewayRefusal(
      'processingActivityMissing',
      'Noem de verwerkingsactiviteit in de header Processing-Activity.',
      { invalidParams: [{ name: 'Processing-Activity', code: 'required', reason: 'Header is verplicht.' }] },
    );
  }
  const service = servedService(directory, options.serviceId, options.providerKid);
  if (options.profile !== undefined && service.protocol !== options.profile)
    throw new GatewayRefusal('operationNotFound', 'Deze dienst kent dit pad niet.');

  const { version, grondslagen } = activityInForce(directory, activityId, at, 'in de header Processing-Activity');
  // A delegate calls under its delegator's activity, on a contract the delegator signed too (trustDirectory
  // derives an autorisatie only from a contract every party accepted); anyone else's activity is refused.
  const responsible = version.responsibleOin;
  const candidates = directory
    .autorisaties(afnemer, service.id, activityId)
    .filter((a) => !a.revokedAt && (a.delegatorOin ?? afnemer) === responsible);
  if (responsible !== afnemer && candidates.length === 0) {
    throw new GatewayRefusal(
      'foreignProcessingActivity',
      'De verwerkingsactiviteit in de header Processing-Activity is van een andere organisatie.',
    );
  }
  const [autorisatie, ...others] = candidates.filter((a) => grantsAt(a, version, at));
  const current = candidates.filter((a) => inForce(a, at));
  if (!autorisatie && current.length > 0) throw changedSinceSigned(current, version);
  if (!autorisatie) {
    if (candidates.some((a) => a.validFrom > at)) {
      throw new GatewayRefusal(
        'autorisatieNotYetValid',
        'De autorisatie voor deze verwerkingsactiviteit geldt nog niet.',
      );
    }
    if (candidates.length > 0)
      throw new GatewayRefusal('autorisatieExpired', 'De autorisatie voor deze verwerkingsactiviteit is verlopen.');
    throw new GatewayRefusal(
      'noAutorisatie',
      `Er is geen autorisatie voor ${service.id} onder deze verwerkingsactiviteit.`,
    );
  }
  const baseOf = (a: Autorisatie): GrantBase => ({ autorisatie: a, processingActivity: version, grondslagen, service });
  return [baseOf(autorisatie), ...others.map(baseOf)];
}

/** The refusal for contracts in force that were signed for another version or grondslag than the one in force. */
function changedSinceSigned(current: readonly Autorisatie[], version: ProcessingActivityVersion): GatewayRefusal {
  const other = current.find((a) => a.processingActivityVersion !== version.version);
  if (other) {
    return new GatewayRefusal(
      'processingActivityChanged',
      `De verwerkingsactiviteit is gewijzigd (nu versie ${version.version}). Het contract geldt voor versie ${other.processingActivityVersion}. Een nieuw contract is nodig.`,
    );
  }
  const grondslag = (current[0] as Autorisatie).grondslagId;
  return new GatewayRefusal(
    'processingActivityChanged',
    `De grondslag ${grondslag} van het contract hoort niet bij versie ${version.version} van de verwerkingsactiviteit. Een nieuw contract is nodig.`,
  );
}
