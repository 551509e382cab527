import { type Autorisatie, GatewayRefusal, ownFields } from '@poortwachter/protocol';
import { createMiddleware } from 'hono/factory';
import { activityInForce, servedService } from '../pipeline/authorise.ts';
import type { GatewayEnv } from '../pipeline/context.ts';
import { brpOwnGrant } from '../profiles/brp/brp-authorise.ts';
import { halOwnGrant } from '../profiles/hal/hal-authorise.ts';
import { verifiedCitizen } from './citizen-app.ts';
import { onlyParameters } from './read-params.ts';

export interface OwnDataOptions {
  readonly serviceId: string;
  /** The kid of the key this inway signs with: it serves only its own organisation's service. */
  readonly providerKid: string | undefined;
  readonly now: () => number;
}

/**
 * `GET /inzage/v1/gegevens`, the first stage: the citizen (token, citizen quota) asks what this
 * bronhouder holds about them. The gateway makes the source call itself from the service's
 * `betrokkene.operation` with the token's BSN, and a grant as an afnemer's: the bronhouder's
 * verwerkingsactiviteit "Inzage door de betrokkene" in force (its own, with its grondslagen in force)
 * and an autorisatie made for the citizen of `ownFields`. The stages after it are an afnemer's (source,
 * minimise, `onlyOwnData`, log, signed answer). A service without `betrokkene` has no such route (404).
 */
export const ownDataGrant = (options: OwnDataOptions) =>
  createMiddleware<GatewayEnv>(async function ownDataGrant(c, next) {
    // The BSN is the token's: a parameter that names one (or anything else) is refused, not ignored.
    onlyParameters(c, []);
    const directory = c.get('directory');
    const service = servedService(directory, options.serviceId, options.providerKid);
    const { betrokkene } = service;
    if (!betrokkene)
      throw new GatewayRefusal('serviceNotFound', 'Bij deze bronhouder kunt u uw eigen gegevens hier niet inzien.');
    const citizen = await verifiedCitizen(c);
    const at = new Date(options.now()).toISOString();
    const { version, grondslagen } = activityInForce(
      directory,
      betrokkene.inzageActivityId,
      at,
      'voor inzage door de betrokkene',
    );
    if (version.responsibleOin !== service.providerOin) {
      throw new GatewayRefusal(
        'foreignProcessingActivity',
        'De verwerkingsactiviteit voor inzage door de betrokkene is niet van deze bronhouder.',
      );
    }
    const catalogue = directory.cataloguePaths.get(service.id) ?? [];
    // Automatic fields are never asked for: the source delivers them beside the others, as to anyone.
    const askable = new Set(catalogue);
    const autorisatie: Autorisatie = {
      id: `betrokkene:${service.id}`,
      afnemerOin: service.providerOin,
      serviceId: service.id,
      processingActivityId: betrokkene.inzageActivityId,
      // The bronhouder's own processing under the version in force: no contract binds another.
      processingActivityVersion: version.version,
      grondslagId: version.grondslagIds[0] ?? '',
      fields: ownFields(service).filter((path) => askable.has(path)),
      searchTypes: [betrokkene.operation],
      validFrom: version.validFrom,
      validTo: null,
      revokedAt: null,
    };
    const base = { autorisatie, processingActivity: version, grondslagen, service };
    c.set('betrokkene', { bsn: citizen.bsn, requestDigest: citizen.tokenDigest });
    c.set(
      'grant',
      service.protocol === 'haal-centraal-hal'
        ? halOwnGrant(base, betrokkene.operation, citizen.bsn, catalogue)
        : brpOwnGrant(base, betrokkene.operation, citizen.bsn, catalogue),
    );
    await next();
  });

/**
 * After `minimise`: the release holds only the citizen's own data, every subject of it their BSN. A
 * source that answered about anyone else (or about no one known) releases nothing: 500, the refusal
 * logged. A citizen's own geheimhouding hides nothing from them: it is a rule for others.
 */
export const onlyOwnData = () =>
  createMiddleware<GatewayEnv>(async function onlyOwnData(c, next) {
    const betrokkene = c.get('betrokkene');
    const { people } = c.get('release');
    const others = people.filter((p) => p.subjectId !== betrokkene?.bsn || (p.subjectType ?? 'BSN') !== 'BSN');
    if (!betrokkene || others.length > 0) {
      throw new GatewayRefusal('internal', 'De bron gaf gegevens over een ander dan u. Er is niets vrijgegeven.');
    }
    await next();
  });
