import { contentDigest, GatewayRefusal } from '@poortwachter/protocol';
import { createMiddleware } from 'hono/factory';
import { releaseBrp } from '../profiles/brp/brp-release.ts';
import { releaseHal } from '../profiles/hal/hal-release.ts';
import type { GatewayEnv } from './context.ts';
import { HAL_JSON } from './media-types.ts';

/**
 * Cuts every resource of the source's answer (a described service's: by `releaseHal`, links and
 * embedded resources included; the BRP's: every person) down to the authorised, requested paths and the automatic
 * fields that apply to them (whatever else the source sent stays here), and makes the body that will
 * be released and its digest, which the access records name.
 */
export const minimise = () =>
  createMiddleware<GatewayEnv>(async function minimise(c, next) {
    const grant = c.get('grant');
    if (!grant) throw new GatewayRefusal('internal', 'De stappen van de gateway liepen niet in volgorde.');
    const answer = c.get('answer');
    if (answer.hal) {
      const { people, body: released } = releaseHal(grant, answer.hal);
      const body = JSON.stringify(released);
      c.set('release', { people, body, digest: await contentDigest(body), contentType: HAL_JSON });
    } else {
      const { people, body: released } = releaseBrp(
        grant,
        answer,
        c.get('directory').automaticFields.get(grant.service.id),
      );
      const body = JSON.stringify(released);
      c.set('release', { people, body, digest: await contentDigest(body) });
    }
    await next();
  });
