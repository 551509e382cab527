import { bindsVersion, GatewayRefusal, inForce, isBsn, type Service, versionAt } from '@poortwachter/protocol';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import { parseHalCall } from '../profiles/hal/hal-call.ts';
import type { OutwayEnv, OutwayGrant } from './context.ts';
import { grantHash } from './grant-hash.ts';

export interface ChooseGrantOptions {
  /** The afnemer this outway signs for. */
  readonly organisationOin: string;
  readonly now: () => number;
}

/** The header an application names its user (employee) with: kept in the outway's log, never sent on. */
export const USER_REFERENCE_HEADER = 'x-user-reference';
const USER_REFERENCE = /^[\x21-\x7e]{1,200}$/;

/**
 * Decides what the application asks: the service (from the path, or the autorisatie its
 * `Fsc-Grant-Hash` names) and the verwerkingsactiviteit (its `Processing-Activity` header, the
 * grant's, or the application's default), which must be one the application is bound to. Whether
 * the afnemer is authorised is the provider's decision, not ours: the inway decides and logs it.
 */
export const chooseGrant = (options: ChooseGrantOptions) =>
  createMiddleware<OutwayEnv>(async function chooseGrant(c, next) {
    const directory = c.get('directory');
    const header = c.req.header('processing-activity');
    let serviceId = c.req.param('serviceId');
    let activity = header;
    const hash = c.req.header('fsc-grant-hash');
    if (hash !== undefined) {
      const grant = directory.snapshot.autorisaties.find(
        (a) => a.afnemerOin === options.organisationOin && grantHash(directory.snapshot, a) === hash,
      );
      if (!grant) {
        throw new GatewayRefusal(
          'grantNotFound',
          'Er is geen autorisatie van uw organisatie met deze Fsc-Grant-Hash.',
          {
            invalidParams: [
              { name: 'Fsc-Grant-Hash', code: 'unknown', reason: 'Kies een hash uit de lijst grants van de outway.' },
            ],
          },
        );
      }
      if ((serviceId && serviceId !== grant.serviceId) || (header && header !== grant.processingActivityId)) {
        throw new GatewayRefusal(
          'invalidRequest',
          'Fsc-Grant-Hash hoort bij een andere dienst of verwerkingsactiviteit.',
          {
            invalidParams: [
              {
                name: 'Fsc-Grant-Hash',
                code: 'conflict',
                reason: 'Past niet bij het pad of de header ProcessingActivity.',
              },
            ],
          },
        );
      }
      serviceId = grant.serviceId;
      activity = grant.processingActivityId;
    }
    if (!serviceId) {
      throw new GatewayRefusal(
        'grantNotFound',
        'Kies de dienst met het eerste deel van het pad, of met de header Fsc-Grant-Hash.',
      );
    }
    const grant = decideGrant(c, options, directory.services.get(serviceId), activity);
    c.set('outwayGrant', { ...grant, ...whatIsAsked(c, grant.service) });
    await next();
  });

/**
 * What every call through the outway decides alike, whatever it asks of the service: the service is
 * in the directory, the verwerkingsactiviteit (named, or the application's default) is one the
 * application is bound to, and the user reference is well formed.
 */
export function decideGrant(
  c: Context<OutwayEnv>,
  options: ChooseGrantOptions,
  service: Service | undefined,
  named: string | undefined,
): Omit<OutwayGrant, 'searchType' | 'target' | 'call'> {
  const application = c.get('application');
  if (!application) throw new GatewayRefusal('internal', 'De stappen van de outway liepen niet in volgorde.');
  const directory = c.get('directory');
  const provider = service && directory.organisations.get(service.providerOin);
  if (!service || !provider) {
    // Not repeated in the text: the refusal is kept, and the path may hold anything (a BSN).
    throw new GatewayRefusal('serviceNotFound', 'De dienst in het pad staat niet in de adresgids.');
  }
  const activity = named ?? defaultActivity(application, directory, options.organisationOin, service.id, options.now());
  if (!activity) {
    throw new GatewayRefusal(
      'processingActivityMissing',
      'Noem de verwerkingsactiviteit in de header Processing-Activity, want deze applicatie heeft geen standaard.',
      { invalidParams: [{ name: 'Processing-Activity', code: 'required', reason: 'Geef de URI.' }] },
    );
  }
  if (!application.processingActivities.includes(activity)) {
    throw new GatewayRefusal(
      'applicationNotBound',
      `De applicatie ${application.name} mag de verwerkingsactiviteit ${activity} niet gebruiken.`,
      { invalidParams: [{ name: 'Processing-Activity', code: 'notBound', reason: 'Niet voor deze applicatie.' }] },
    );
  }
  const userReference = c.req.header(USER_REFERENCE_HEADER);
  if (userReference !== undefined && !USER_REFERENCE.test(userReference)) {
    throw new GatewayRefusal('invalidRequest', 'X-User-Reference is 1 tot 200 zichtbare ASCII-tekens.', {
      invalidParams: [{ name: 'X-User-Reference', code: 'pattern', reason: 'Alleen zichtbare ASCII, hoogstens 200.' }],
    });
  }
  const known = directory.processingActivities.get(activity);
  const version = known ? versionAt(known, new Date(options.now()).toISOString()) : undefined;
  return { service, provider, processingActivity: activity, processingActivityVersion: version?.version ?? 0 };
}

/**
 * The verwerkingsactiviteit of an application that names none, for this service: its default when the
 * organisation has an autorisatie in force for it on this service (signed for the version in force), else the one activity it is bound
 * to that has (an application bound to Wmo for the BRP and to the OZB for the BRK needs no header for
 * either), else its default (the provider then refuses, naming why). Without a default: none.
 */
function defaultActivity(
  application: { defaultProcessingActivity: string | null; processingActivities: readonly string[] },
  directory: DirectoryIndex,
  afnemerOin: string,
  serviceId: string,
  now: number,
): string | undefined {
  const at = new Date(now).toISOString();
  // In force and signed for the activity's version in force, as the provider decides (`grantBase`).
  const usable = (activity: string) => {
    const known = directory.processingActivities.get(activity);
    const version = known ? versionAt(known, at) : undefined;
    return directory
      .autorisaties(afnemerOin, serviceId, activity)
      .some((a) => a.revokedAt === null && inForce(a, at) && bindsVersion(a, version));
  };
  const fallback = application.defaultProcessingActivity ?? undefined;
  // An application registered without a default names its activity every time.
  if (fallback === undefined || usable(fallback)) return fallback;
  const candidates = application.processingActivities.filter(usable);
  return candidates.length === 1 ? candidates[0] : fallback;
}

/**
 * What the application asks of the service: for the BRP profile `POST /personen` and its body's
 * `type`; for a described service the operation its description declares for this method and path
 * (an undeclared one is refused here already, 404), with the path and query passed on as they came.
 */
function whatIsAsked(
  c: Context<OutwayEnv>,
  service: Service,
): Pick<OutwayGrant, 'searchType' | 'requestedBsns' | 'target' | 'call'> {
  const url = new URL(c.req.url);
  const serviceId = c.req.param('serviceId');
  const path = serviceId === undefined ? url.pathname : url.pathname.slice(serviceId.length + 1);
  if (service.protocol !== 'haal-centraal-hal') {
    if (c.req.method !== 'POST' || path !== '/personen') {
      throw new GatewayRefusal('operationNotFound', 'Deze dienst kent dit pad niet.');
    }
    return { ...askedIn(c.get('body')), target: '/personen' };
  }
  const call = parseHalCall(service, { method: c.req.method, path, query: url.search.slice(1), body: c.get('body') });
  return { searchType: call.operation.id, target: `${path}${url.search}`, call };
}

/**
 * The `type` of the application's body, for the record's name, and for RaadpleegMetBurgerservicenummer
 * the BSNs it asks for (each once), for the records when the answer does not name them; one parse of
 * the body. The provider checks the body itself.
 */
function askedIn(body: Uint8Array): Pick<OutwayGrant, 'searchType' | 'requestedBsns'> {
  try {
    const { type, burgerservicenummer } = JSON.parse(new TextDecoder().decode(body)) as {
      type?: unknown;
      burgerservicenummer?: unknown;
    };
    const searchType = typeof type === 'string' && /^[A-Za-z]{1,64}$/.test(type) ? type : 'unknown';
    if (searchType !== 'RaadpleegMetBurgerservicenummer') return { searchType };
    return {
      searchType,
      requestedBsns: Array.isArray(burgerservicenummer)
        ? [...new Set(burgerservicenummer.filter((b): b is string => typeof b === 'string' && isBsn(b)))]
        : [],
    };
  } catch {
    return { searchType: 'unknown' };
  }
}
