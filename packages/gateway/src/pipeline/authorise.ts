import { GatewayRefusal, inForce, type Protocol, versionAt } from '@poortwachter/protocol';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { decideHalCall } from '../profiles/hal/hal-authorise.ts';
import { parseHalCall } from '../profiles/hal/hal-call.ts';
import type { BrpQuery } from '../protocol/brp-query.ts';
import type { GatewayEnv, Grant } from './context.ts';
import { decideFields, decideParameters } from './field-authorisation.ts';

export interface AuthoriseOptions {
  readonly serviceId: string;
  /** The profile this route serves: a service of another profile does not have it (404). */
  readonly profile: Protocol;
  /** The BRP profile's query: parses and checks a body against the spec. */
  readonly query?: BrpQuery;
  readonly now?: () => number;
}

/**
 * Resolves the autorisatie for (afnemer, service, `Processing-Activity`) valid at the moment of the
 * request, with the verwerkingsactiviteit version and every grondslag in force then; checks the
 * query against the spec (400 naming every problem), then the search type, every search parameter
 * (it selects on data: the autorisatie must cover that data) and every requested field against the
 * autorisatie (403 naming each). Nothing reaches the source before all of it holds.
 */
export const authorise = (options: AuthoriseOptions) =>
  createMiddleware<GatewayEnv>(async function authorise(c, next) {
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
    const service = directory.services.get(options.serviceId);
    if (!service || service.revokedAt)
      throw new GatewayRefusal('serviceNotFound', `De dienst ${options.serviceId} wordt niet aangeboden.`);
    if (service.protocol !== options.profile)
      throw new GatewayRefusal('operationNotFound', 'Deze dienst kent dit pad niet.');

    const activity = directory.processingActivities.get(activityId);
    if (!activity)
      throw new GatewayRefusal(
        'unknownProcessingActivity',
        'De verwerkingsactiviteit in de header Processing-Activity staat niet in het register.',
      );
    const version = versionAt(activity, at);
    if (!version || version.revokedAt) {
      throw new GatewayRefusal(
        'processingActivityNotInForce',
        'De verwerkingsactiviteit in de header Processing-Activity is nu niet van kracht.',
      );
    }
    if (version.responsibleOin !== afnemer) {
      throw new GatewayRefusal(
        'foreignProcessingActivity',
        'De verwerkingsactiviteit in de header Processing-Activity is van een andere organisatie.',
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

    const candidates = directory.autorisaties(afnemer, service.id, activityId).filter((a) => !a.revokedAt);
    const autorisatie = candidates.find((a) => inForce(a, at));
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

    const base = {
      autorisatie,
      processingActivity: version,
      grondslagen: grondslagen.filter((g) => g !== undefined),
      service,
    };
    c.set('grant', service.protocol === 'haal-centraal-hal' ? halGrant(c, base) : brpGrant(c, base, options));
    await next();
  });

type GrantBase = Pick<Grant, 'autorisatie' | 'processingActivity' | 'grondslagen' | 'service'>;

/** A described service's call: its operation, parameters, `fields` and `expand`, decided by the description. */
function halGrant(c: Context<GatewayEnv>, base: GrantBase): Grant {
  const url = new URL(c.req.url);
  const call = parseHalCall(base.service, {
    method: c.req.method,
    path: url.pathname,
    query: url.search.slice(1),
    body: c.get('body'),
  });
  const catalogue = c.get('directory').cataloguePaths.get(base.service.id) ?? [];
  const decision = decideHalCall(base.service, base.autorisatie, call, catalogue);
  return {
    ...base,
    searchType: call.operation.id,
    query: { type: call.operation.id, fields: [...(call.fields ?? [])], ...call.parameters },
    releasedFields: decision.releasedFields,
    call,
    expanded: decision.expanded,
  };
}

/** The BRP profile's query (`POST /personen`): the spec, the search type, parameters and fields. */
function brpGrant(c: Context<GatewayEnv>, base: GrantBase, options: AuthoriseOptions): Grant {
  const { autorisatie, service } = base;
  const directory = c.get('directory');
  if (!options.query) throw new GatewayRefusal('internal', 'De stappen van de gateway liepen niet in volgorde.');
  const query = options.query.parse(c.get('body'));
  if (!autorisatie.searchTypes.includes(query.type)) {
    throw new GatewayRefusal('unauthorizedParameter', `Niet geautoriseerd voor de zoekvraag ${query.type}.`, {
      invalidParams: [
        {
          name: 'type',
          code: 'unauthorizedParameter',
          reason: 'Niet geautoriseerd voor deze zoekvraag.',
        },
      ],
    });
  }
  const parameters = decideParameters(
    query,
    directory.searchParameters.get(service.id) ?? new Map(),
    autorisatie.fields,
  );
  if (parameters.length > 0) {
    throw new GatewayRefusal(
      'unauthorizedParameter',
      `Niet geautoriseerd om te zoeken met ${parameters.map((p) => p.name).join(', ')}.`,
      { invalidParams: parameters },
    );
  }
  const decision = decideFields(query.fields, autorisatie.fields, directory.cataloguePaths.get(service.id) ?? []);
  if (decision.refused.length > 0) {
    throw new GatewayRefusal(
      'unauthorizedField',
      `Niet geautoriseerd voor ${decision.refused.length} van de gevraagde velden.`,
      { invalidParams: decision.refused },
    );
  }
  return { ...base, searchType: query.type, query, releasedFields: decision.released };
}
