import type { Kysely } from 'kysely';
import type { GatewayDatabase } from './tables.ts';

export interface NonceClaim {
  readonly keyid: string;
  readonly nonce: string;
  /** Until when (ms) the nonce must be remembered: the signature's expiry plus the allowed skew. */
  readonly expiresAt: number;
}

export interface NonceStore {
  /** For each claim, whether it was new (true) or a replay (false). */
  claim(claims: readonly NonceClaim[]): Promise<boolean[]>;
  /** Forgets nonces whose signatures can no longer be replayed. */
  purgeExpired(now: number): Promise<number>;
}

/**
 * Nonces in the database, so that every gateway instance on the same database refuses a replay:
 * the primary key (keyid, nonce) lets exactly one INSERT win, whichever instance sends it.
 */
export function createNonceStore(db: Kysely<GatewayDatabase>): NonceStore {
  return {
    async claim(claims) {
      const unique = new Map<string, NonceClaim>();
      for (const c of claims) if (!unique.has(`${c.keyid} ${c.nonce}`)) unique.set(`${c.keyid} ${c.nonce}`, c);
      const inserted = await db
        .insertInto('nonces')
        .values([...unique.values()].map((c) => ({ keyid: c.keyid, nonce: c.nonce, expires_at: c.expiresAt })))
        .onConflict((oc) => oc.columns(['keyid', 'nonce']).doNothing())
        .returning(['keyid', 'nonce'])
        .execute();
      const won = new Set(inserted.map((r) => `${r.keyid} ${r.nonce}`));
      // Within one batch, only the first of two equal claims wins.
      const seen = new Set<string>();
      return claims.map((c) => {
        const key = `${c.keyid} ${c.nonce}`;
        const first = !seen.has(key);
        seen.add(key);
        return first && won.has(key);
      });
    },
    async purgeExpired(now) {
      const result = await db.deleteFrom('nonces').where('expires_at', '<', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
