import { isInForce, versionAt } from '@poortwachter/registry/directory';
import { createMiddleware } from 'hono/factory';
import { GatewayRefusal } from '../errors.ts';
import type { GatewayEnv, Grant } from './context.ts';
import { decideFields } from './field-authorisation.ts';

export interface AuthoriseOptions {
  readonly serviceId: string;
  readonly now?: () => number;
}

type Query = Grant['query'];

function parseQuery(body: Uint8Array): Query {
  let query: unknown;
  try {
    query = JSON.parse(new TextDecoder().decode(body));
  } catch (cause) {
    throw new GatewayRefusal('invalidRequest', 'The body is not valid JSON.', {
      cause,
      invalidParams: [{ name: 'body', code: 'json', reason: 'De body is geen geldige JSON.' }],
    });
  }
  if (query === null || typeof query !== 'object' || Array.isArray(query)) {
    throw new GatewayRefusal('invalidRequest', 'The body must be a JSON object.', {
      invalidParams: [{ name: 'body', code: 'object', reason: 'De body moet een JSON-object zijn.' }],
    });
  }
  const { type, fields } = query as { type?: unknown; fields?: unknown };
  const problems = [];
  if (typeof type !== 'string' || type === '')
    problems.push({ name: 'type', code: 'required', reason: 'Parameter is verplicht.' });
  if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => typeof f === 'string' && f !== '')) {
    // Data minimisation: the caller says which fields it needs; there is no "everything".
    problems.push({ name: 'fields', code: 'required', reason: 'Geef in fields aan welke gegevens u nodig heeft.' });
  }
  if (problems.length > 0)
    throw new GatewayRefusal('invalidRequest', 'The query is incomplete.', { invalidParams: problems });
  return query as Query;
}

/**
 * Resolves the autorisatie for (afnemer, service, `Processing-Activity`) valid at the moment of the
 * request, with the verwerkingsactiviteit version and every grondslag in force then, and checks the
 * search type and each requested field against it. Every refusal names what is missing.
 */
export const authorise = (options: AuthoriseOptions) =>
  createMiddleware<GatewayEnv>(async function authorise(c, next) {
    const caller = c.get('caller');
    if (!caller) throw new GatewayRefusal('signatureMissing', 'The request is not signed.');
    const directory = c.get('directory');
    const at = new Date((options.now ?? Date.now)()).toISOString();
    const afnemer = caller.organisation.oin;
    const activityId = c.req.header('processing-activity');
    if (!activityId) {
      throw new GatewayRefusal(
        'processingActivityMissing',
        'Name the verwerkingsactiviteit in the Processing-Activity header.',
        {
          invalidParams: [{ name: 'Processing-Activity', code: 'required', reason: 'Header is verplicht.' }],
        },
      );
    }
    const service = directory.services.get(options.serviceId);
    if (!service || service.revokedAt)
      throw new GatewayRefusal('serviceNotFound', `Service ${options.serviceId} is not offered.`);

    const activity = directory.processingActivities.get(activityId);
    if (!activity)
      throw new GatewayRefusal(
        'unknownProcessingActivity',
        `Verwerkingsactiviteit ${activityId} is not in the registry.`,
      );
    const version = versionAt(activity, at);
    if (!version || version.revokedAt) {
      throw new GatewayRefusal(
        'processingActivityNotInForce',
        `Verwerkingsactiviteit ${activityId} is not in force now.`,
      );
    }
    if (version.responsibleOin !== afnemer) {
      throw new GatewayRefusal(
        'foreignProcessingActivity',
        `Verwerkingsactiviteit ${activityId} belongs to another organisation.`,
      );
    }
    const grondslagen = version.grondslagIds.map((id) => directory.grondslagen.get(id));
    const lapsed = version.grondslagIds.filter(
      (_id, i) =>
        !grondslagen[i] ||
        !isInForce(
          {
            valid_from: grondslagen[i].validFrom,
            valid_to: grondslagen[i].validTo,
            revoked_at: grondslagen[i].revokedAt,
          },
          at,
        ),
    );
    if (lapsed.length > 0) {
      throw new GatewayRefusal(
        'grondslagNotInForce',
        `The grondslag ${lapsed.join(', ')} of ${activityId} is not in force now.`,
      );
    }

    const candidates = directory.autorisaties(afnemer, service.id, activityId).filter((a) => !a.revokedAt);
    const autorisatie = candidates.find((a) => isInForce({ valid_from: a.validFrom, valid_to: a.validTo }, at));
    if (!autorisatie) {
      if (candidates.some((a) => a.validFrom > at)) {
        throw new GatewayRefusal('autorisatieNotYetValid', `The autorisatie for ${activityId} is not valid yet.`);
      }
      if (candidates.length > 0)
        throw new GatewayRefusal('autorisatieExpired', `The autorisatie for ${activityId} has expired.`);
      throw new GatewayRefusal('noAutorisatie', `There is no autorisatie for ${service.id} under ${activityId}.`);
    }

    const query = parseQuery(c.get('body'));
    if (!autorisatie.searchTypes.includes(query.type)) {
      throw new GatewayRefusal('unauthorizedParameter', `Not authorised for the search ${query.type}.`, {
        invalidParams: [
          {
            name: 'type',
            code: 'unauthorizedParameter',
            reason: `Niet geautoriseerd voor zoekvraag ${query.type}; wel voor ${autorisatie.searchTypes.join(', ')}.`,
          },
        ],
      });
    }
    const decision = decideFields(query.fields, autorisatie.fields, directory.cataloguePaths.get(service.id) ?? []);
    if (decision.refused.length > 0) {
      throw new GatewayRefusal(
        'unauthorizedField',
        `Not authorised for ${decision.refused.length} of the requested fields.`,
        {
          invalidParams: decision.refused,
        },
      );
    }
    c.set('grant', {
      autorisatie,
      processingActivity: version,
      grondslagen: grondslagen.filter((g) => g !== undefined),
      service,
      searchType: query.type,
      query,
      releasedFields: decision.released,
    });
    await next();
  });
