import { contentDigest, GatewayRefusal } from '@poortwachter/protocol';
import { createMiddleware } from 'hono/factory';
import { releasePersonen } from './build-records.ts';
import type { GatewayEnv } from './context.ts';

/**
 * Cuts every person of the source's answer down to the authorised, requested paths and the automatic
 * fields that apply to them (whatever else the source sent stays here), and makes the body that will
 * be released and its digest, which the access records name.
 */
export const minimise = () =>
  createMiddleware<GatewayEnv>(async function minimise(c, next) {
    const grant = c.get('grant');
    if (!grant) throw new GatewayRefusal('internal', 'De stappen van de gateway liepen niet in volgorde.');
    const answer = c.get('answer');
    const people = releasePersonen(grant, answer.personen, c.get('directory').automaticFields.get(grant.service.id));
    const body = JSON.stringify({ type: answer.type, personen: people.map((p) => p.released) });
    c.set('release', { people, body, digest: await contentDigest(body) });
    await next();
  });
