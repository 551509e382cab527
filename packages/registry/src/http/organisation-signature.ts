import type { X509Certificate } from 'node:crypto';
import {
  HttpSignatureError,
  inForce,
  ProblemError,
  REQUEST_COMPONENTS,
  replayWindowEnd,
  verifyContentDigest,
  verifyMessage,
} from '@poortwachter/protocol';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import { anchoredKeyOf } from '../domain/anchored-key.ts';
import { findOrganisation } from '../repositories/organisations.ts';
import type { RegistryDatabase } from '../storage/database.ts';

/** What a signed change request must cover: the gateway protocol's components, without a verwerkingsactiviteit. */
export const REGISTRY_REQUEST_COMPONENTS = REQUEST_COMPONENTS.filter((c) => c !== 'processing-activity');

export interface OrganisationSignatureOptions {
  /** The trust anchors an organisation's key must be anchored to (none: no key counts). */
  readonly anchors: readonly X509Certificate[];
  /** The registry's public base URL the signatures are made for (default: the URL as the request arrived). */
  readonly publicUrl?: string;
  readonly now?: () => number;
  readonly maxSkewSeconds?: number;
}

/**
 * Verifies an organisation-signed request to the registry exactly as a gateway verifies a signed
 * request (RFC 9421 over REGISTRY_REQUEST_COMPONENTS, Content-Digest, a created/expires window and a
 * nonce that is claimed once), against the organisation's keys in the registry that are anchored to a
 * trust anchor. Returns the signer's OIN; throws a 401 problem naming what failed.
 */
export async function verifyOrganisationRequest(
  c: Context,
  db: Kysely<RegistryDatabase>,
  options: OrganisationSignatureOptions,
): Promise<string> {
  const now = options.now ?? Date.now;
  const skew = options.maxSkewSeconds ?? 60;
  const url = new URL(c.req.url);
  const targetUri = options.publicUrl
    ? `${options.publicUrl.replace(/\/+$/, '')}${url.pathname}${url.search}`
    : url.toString();
  const headers = c.req.raw.headers;
  const at = new Date(now()).toISOString();
  let signer: string | undefined;
  try {
    const signature = await verifyMessage(
      { method: c.req.method, targetUri, header: (name) => headers.get(name) },
      {
        requiredComponents: REGISTRY_REQUEST_COMPONENTS,
        now: Math.floor(now() / 1000),
        maxSkewSeconds: skew,
        async publicKeyFor(keyid) {
          const row = await db
            .selectFrom('organisation_keys')
            .select('oin')
            .where('kid', '=', keyid)
            .executeTakeFirst();
          const organisation = row ? await findOrganisation(db, row.oin) : undefined;
          const key = organisation?.keys.find((k) => k.kid === keyid);
          if (!organisation || !key) return undefined;
          const revoked =
            (key.revokedAt !== null && key.revokedAt <= at) ||
            (organisation.revokedAt !== null && organisation.revokedAt <= at);
          if (revoked || !inForce(key, at))
            throw new HttpSignatureError(
              'revokedKey',
              `Key ${keyid} of ${organisation.oin} is revoked or not valid now.`,
            );
          // Only a key anchored outside the registry counts: one the operator added signs for nobody.
          const anchored = await anchoredKeyOf(organisation, keyid, options.anchors);
          if ('why' in anchored)
            throw new HttpSignatureError(
              'unknownKey',
              `Key ${keyid} of ${organisation.oin} is not anchored: ${anchored.why}.`,
            );
          if (!(anchored.key.from <= now() && now() < anchored.key.to))
            throw new HttpSignatureError(
              'revokedKey',
              `Key ${keyid} of ${organisation.oin} is not anchored now (outside its certificate's validity).`,
            );
          signer = organisation.oin;
          return anchored.key.jwk;
        },
      },
    );
    await verifyContentDigest(headers.get('content-digest'), await c.req.text());
    if (!signer) throw new HttpSignatureError('unknownKey', `Key ${signature.params.keyid} is not registered.`);
    const expiresAt = replayWindowEnd(signature.params, skew);
    await db.deleteFrom('registry_request_nonces').where('expires_at', '<', now()).execute();
    const claimed = await db
      .insertInto('registry_request_nonces')
      .values({ keyid: signature.params.keyid, nonce: signature.params.nonce ?? '', expires_at: expiresAt })
      .onConflict((oc) => oc.columns(['keyid', 'nonce']).doNothing())
      .returning('nonce')
      .executeTakeFirst();
    if (!claimed) throw new HttpSignatureError('malformed', 'This nonce was used before: the request is a replay.');
    return signer;
  } catch (error) {
    if (error instanceof HttpSignatureError)
      throw new ProblemError('authentication', `The request's signature is not accepted: ${error.message}`, {
        cause: error,
        headers: { 'www-authenticate': 'Signature realm="poortwachter-registry"' },
      });
    throw error;
  }
}
