import { createHash } from 'node:crypto';
import {
  GatewayRefusal,
  HttpSignatureError,
  type HttpSignatureFailure,
  inForce,
  type RefusalReason,
  replayWindowEnd,
  verifyContentDigest,
  verifyMessage,
} from '@poortwachter/protocol';
import { createMiddleware } from 'hono/factory';
import type { GroupCommitter } from '../log/group-commit.ts';
import type { NonceClaim } from '../storage/nonce-store.ts';
import type { GatewayEnv } from './context.ts';
import { clientAddress, rateLimited } from './quota.ts';

/** What a signed request must cover (DESIGN.md, "The wire protocol"). */
export const REQUIRED_REQUEST_COMPONENTS = [
  '@method',
  '@target-uri',
  'content-digest',
  'fsc-transaction-id',
  'processing-activity',
] as const;
/** What a signed read of the log (organisation, auditor) must cover: no personal data is asked for, so no processing activity. */
export const REQUIRED_READ_COMPONENTS = ['@method', '@target-uri', 'content-digest', 'fsc-transaction-id'] as const;

export interface VerifySignatureOptions {
  /** The service this gateway serves; its directory entry gives the public base URL. */
  readonly serviceId: string;
  /** The public base URL signatures are made for, when it is not the service's (an outway's own log). */
  readonly publicUrl?: string;
  /** Claims nonces in the shared database (group committed). */
  readonly nonces: GroupCommitter<NonceClaim, boolean>;
  readonly now?: () => number;
  readonly maxSkewSeconds?: number;
  /** Components the signature must cover (default REQUIRED_REQUEST_COMPONENTS). */
  readonly requiredComponents?: readonly string[];
}

const FAILURES: Record<HttpSignatureFailure, RefusalReason> = {
  missing: 'signatureMissing',
  malformed: 'signatureInvalid',
  unknownKey: 'unknownKey',
  revokedKey: 'revokedKey',
  algorithmMismatch: 'signatureInvalid',
  missingComponent: 'signatureInvalid',
  expired: 'signatureExpired',
  notYetValid: 'signatureExpired',
  validityTooLong: 'signatureInvalid',
  badSignature: 'signatureInvalid',
  digestMissing: 'digestMismatch',
  digestMismatch: 'digestMismatch',
};

/** What each failure means, for the afnemer's developer (the sdk's own text stays in our log). */
const SIGNATURE_FAILURES: Record<HttpSignatureFailure, string> = {
  missing: 'Het verzoek is niet ondertekend. Onderteken het met RFC 9421 (Signature en Signature-Input).',
  malformed: 'De handtekening van het verzoek is niet goed gevormd.',
  unknownKey: 'De sleutel waarmee het verzoek is ondertekend staat niet in het register.',
  revokedKey: 'De sleutel waarmee het verzoek is ondertekend is ingetrokken of nu niet geldig.',
  algorithmMismatch: 'Het algoritme van de handtekening past niet bij de sleutel.',
  missingComponent: 'De handtekening dekt niet alle onderdelen van het verzoek die het protocol voorschrijft.',
  expired: 'De handtekening is verlopen.',
  notYetValid: 'De handtekening is in de toekomst gemaakt.',
  validityTooLong: 'De handtekening is langer geldig dan 300 seconden.',
  badSignature: 'De handtekening klopt niet.',
  digestMissing: 'Het verzoek heeft geen header Content-Digest.',
  digestMismatch: 'De body past niet bij de header Content-Digest.',
};

/**
 * Verifies the RFC 9421 signature against the afnemer's key in the verified directory, then the body
 * against its Content-Digest, then claims the nonce (a replay, from any gateway instance on the same
 * database, is refused). `@target-uri` is rebuilt from the service's public URL in the directory,
 * never from the Host header, so a signature cannot be redirected to another gateway.
 */
export const verifySignature = (options: VerifySignatureOptions) =>
  createMiddleware<GatewayEnv>(async function verifySignature(c, next) {
    const now = options.now ?? Date.now;
    const skew = options.maxSkewSeconds ?? 60;
    const directory = c.get('directory');
    const publicUrl = options.publicUrl ?? directory.services.get(options.serviceId)?.gatewayUrl;
    if (!publicUrl)
      throw new GatewayRefusal('serviceNotFound', `De dienst ${options.serviceId} staat niet in de adresgids.`);
    const url = new URL(c.req.url);
    const targetUri = `${publicUrl.replace(/\/+$/, '')}${url.pathname}${url.search}`;
    const headers = c.req.raw.headers;
    const at = new Date(now()).toISOString();
    // A client whose failed verifications spent its address's quota is refused before verifying again.
    // (The address is looked up only once some address has failed: nothing extra on the usual path.)
    const quotas = c.get('quotas');
    const failures = quotas && quotas.failures.size > 0 ? quotas.failures.waitFor(clientAddress(c)) : 0;
    if (failures > 0) throw rateLimited(failures);
    // The directory entry of the key that signed, found once while verifying.
    let signer: ReturnType<typeof directory.keys.get>;
    try {
      const signature = await verifyMessage(
        { method: c.req.method, targetUri, header: (name) => headers.get(name) },
        {
          requiredComponents: options.requiredComponents ?? REQUIRED_REQUEST_COMPONENTS,
          now: Math.floor(now() / 1000),
          maxSkewSeconds: skew,
          publicKeyFor(keyid) {
            signer = directory.keys.get(keyid);
            if (!signer) return undefined;
            const { key, organisation } = signer;
            const revoked =
              (key.revokedAt !== null && key.revokedAt <= at) ||
              (organisation.revokedAt !== null && organisation.revokedAt <= at);
            if (revoked) throw new HttpSignatureError('revokedKey', `Key ${keyid} of ${organisation.oin} is revoked.`);
            if (!inForce(key, at)) {
              throw new HttpSignatureError('revokedKey', `Key ${keyid} is not valid at ${at}.`);
            }
            // The cheap refusal of a flood: a call naming the key of an afnemer that is over its quota
            // (and was refused verified within the minute) is refused before the Ed25519 check, the
            // larger part of a refusal's cost. Nothing is spent (only verified calls count), so naming
            // another's key moves nobody's quota; and no caller is set, so the 429 is signed without
            // `;req` and recorded as a refusal nobody identified, as the signature was never checked.
            if (quotas) {
              const wait = quotas.callers.refusesUnverified(
                organisation.oin,
                directory.quota(options.serviceId, organisation.oin, at),
              );
              if (wait > 0) throw rateLimited(wait);
            }
            return key.jwk;
          },
        },
      );
      await verifyContentDigest(headers.get('content-digest'), c.get('body'));
      if (!signer) throw new HttpSignatureError('unknownKey', `Key ${signature.params.keyid} is not known.`);
      const caller = {
        organisation: signer.organisation,
        kid: signature.params.keyid,
        signature,
        requestDigest: `sha-256=:${createHash('sha256').update(signature.base, 'utf8').digest('base64')}:`,
      };
      // The afnemer's quota, by the OIN whose key verified (nobody spends another's by naming it), before
      // the nonce is claimed: a request over the quota writes nothing to the database (its refusal is
      // counted, see the refusal recorder) and asks nothing of the source.
      if (quotas) {
        const oin = signer.organisation.oin;
        const wait = quotas.callers.take(oin, directory.quota(options.serviceId, oin, at));
        if (wait > 0) {
          c.set('caller', caller);
          throw rateLimited(wait);
        }
      }
      const nonce = signature.params.nonce ?? '';
      const expiresAt = replayWindowEnd(signature.params, skew);
      let fresh: boolean;
      try {
        fresh = await options.nonces.submit({ keyid: signature.params.keyid, nonce, expiresAt });
      } catch (cause) {
        // The nonce goes to the log's database: when it cannot be written, neither can the log.
        throw new GatewayRefusal('logWriteFailed', 'Het logboek kon niet worden geschreven. Er is niets vrijgegeven.', {
          cause,
        });
      }
      if (!fresh)
        throw new GatewayRefusal('replayedNonce', 'Deze nonce is al eerder gebruikt, het verzoek is een herhaling.');
      c.set('caller', caller);
    } catch (error) {
      if (error instanceof HttpSignatureError) {
        quotas?.failures.take(clientAddress(c));
        throw new GatewayRefusal(FAILURES[error.reason], SIGNATURE_FAILURES[error.reason], { cause: error });
      }
      throw error;
    }
    await next();
  });
