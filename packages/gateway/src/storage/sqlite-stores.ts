import { ACCESS_RECORD_COLUMNS, LOGGED_REFUSAL_FIELDS } from '@poortwachter/protocol';
import {
  type AccessLogStore,
  type LogWrite,
  type MerkleRows,
  positionsOf,
  refusalRow,
  toRow,
} from './access-log-store.ts';
import type { NonceClaim, NonceStore } from './nonce-store.ts';
import type { SqliteExecutor, SqliteOp } from './sqlite-executor.ts';

const ACCESS_COLUMNS = ['id', ...ACCESS_RECORD_COLUMNS, 'log_key_id', 'record', 'log_id', 'leaf_index'] as const;
const REFUSAL_COLUMNS = ['id', ...LOGGED_REFUSAL_FIELDS, 'log_id', 'leaf_index'] as const;

const insertSql = (table: string, columns: readonly string[]) =>
  `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`;
const INSERT_ACCESS = insertSql('access_log', ACCESS_COLUMNS);
const INSERT_REFUSAL = insertSql('refusals', REFUSAL_COLUMNS);
const INSERT_LEAF = insertSql('merkle_leaves', ['log_id', 'leaf_index', 'record_id', 'leaf_hash']);
const INSERT_NODE = insertSql('merkle_nodes', ['log_id', 'level', 'node_index', 'hash']);
const values = (row: Record<string, unknown>, columns: readonly string[]) => columns.map((c) => row[c] ?? null);

/** The statements that write a batch of the access log (records, refusals, their Merkle rows) on SQLite. */
export function accessLogOps(writes: readonly LogWrite[], merkle: MerkleRows | undefined, logKeyId: string | null) {
  const positions = positionsOf(merkle);
  const ops: SqliteOp[] = [];
  for (const w of writes) {
    if ('accessRecords' in w) {
      for (const r of w.accessRecords)
        ops.push({
          sql: INSERT_ACCESS,
          params: values(toRow(r, positions, logKeyId) as Record<string, unknown>, ACCESS_COLUMNS),
        });
    } else {
      ops.push({
        sql: INSERT_REFUSAL,
        params: values(refusalRow(w.refusal, positions) as Record<string, unknown>, REFUSAL_COLUMNS),
      });
    }
  }
  for (const l of merkle?.leaves ?? [])
    ops.push({ sql: INSERT_LEAF, params: [l.log_id, l.leaf_index, l.record_id, l.leaf_hash] });
  for (const n of merkle?.nodes ?? [])
    ops.push({ sql: INSERT_NODE, params: [n.log_id, n.level, n.node_index, n.hash] });
  return ops;
}

/** The statements of nonce claims: `insert or ignore` lets exactly one claim of a (keyid, nonce) win (1 changed row). */
export const nonceClaimOps = (claims: readonly NonceClaim[]): SqliteOp[] =>
  claims.map((c) => ({ sql: CLAIM_NONCE, params: [c.keyid, c.nonce, c.expiresAt] }));
const CLAIM_NONCE = 'insert or ignore into nonces (keyid, nonce, expires_at) values (?, ?, ?)';

/**
 * The access log on SQLite through prepared statements: one transaction per batch, made durable
 * before it resolves (the executor's 'FULL'), so every released response's records survive a power cut. Same tables and
 * rows as the Kysely store (which PostgreSQL uses); this path skips the query builder on the hot path.
 * `logKeyId` goes on every access record's row (the key its pseudonym was made with). The gateway's
 * log uses the one writer of log-writer.ts instead; this store is for tools and tests.
 */
export function createSqliteAccessLogStore(executor: SqliteExecutor, logKeyId: string | null = null): AccessLogStore {
  return {
    async writeBatch(writes: readonly LogWrite[], merkle?: MerkleRows) {
      await executor.transaction(accessLogOps(writes, merkle, logKeyId), 'FULL');
    },
  };
}

/**
 * Nonces on SQLite. Claims commit with `synchronous = NORMAL`: in WAL mode that survives a crash of
 * the process, and the next access-log commit (FULL) puts it on disk, so replay protection costs no
 * fsync of its own. `insert or ignore` lets exactly one claim of a (keyid, nonce) win.
 */
export function createSqliteNonceStore(executor: SqliteExecutor): NonceStore {
  return {
    async claim(claims: readonly NonceClaim[]) {
      const changes = await executor.transaction(nonceClaimOps(claims), 'NORMAL');
      return changes.map((n) => n === 1);
    },
    async purgeExpired(now) {
      const [deleted] = await executor.transaction(
        [{ sql: 'delete from nonces where expires_at < ?', params: [now] }],
        'NORMAL',
      );
      return deleted ?? 0;
    },
  };
}
