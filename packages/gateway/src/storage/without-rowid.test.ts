import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyConsistency, verifyInclusion } from '@poortwachter/protocol';
import { openDatabase } from '@poortwachter/registry';
import { type Kysely, Migrator, sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { createLogWriter } from '../log/log-writer.ts';
import { consistencyProof, inclusionProof, loadTree } from '../log/merkle/merkle-store.ts';
import { sampleAccessRecord } from '../testing/sample-record.ts';
import { gatewayMigrations } from './migrate.ts';
import { inThreadExecutor } from './sqlite-executor.ts';
import { createSqliteNonceStore } from './sqlite-stores.ts';
import type { GatewayDatabase } from './tables.ts';

const BEFORE = '2026-12-13T0100-gateway-checkpoints';
const LATEST = '2026-12-14T0100-gateway-without-rowid';
const TABLES = ['merkle_leaves', 'merkle_nodes', 'nonces'];

const record = (n: number) =>
  sampleAccessRecord(`rec-${String(n).padStart(3, '0')}`, { subject: `p-${n}`, offsetMs: n });

const dir = mkdtempSync(join(tmpdir(), 'poortwachter-rowid-'));
const opened = openDatabase<GatewayDatabase>(`sqlite:${join(dir, 'gateway.db')}`, { durable: true });
const sqlite = opened.sqlite;
if (!sqlite) throw new Error('expected a SQLite handle');
const executor = inThreadExecutor(sqlite);
afterAll(async () => {
  await executor.close();
  await opened.close();
  rmSync(dir, { recursive: true, force: true });
});

const migrator = new Migrator({
  db: opened.db as Kysely<unknown>,
  provider: { getMigrations: async () => gatewayMigrations },
  migrationTableName: 'gateway_migrations',
  migrationLockTableName: 'gateway_migrations_lock',
});
const schemaOf = async (table: string) =>
  (
    await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = ${table}`.execute(
      opened.db,
    )
  ).rows[0]?.sql ?? '';
const accessLogIndexes = async () =>
  (
    await sql<{
      name: string;
    }>`select name from sqlite_master where type = 'index' and tbl_name = 'access_log'`.execute(opened.db)
  ).rows.map((r) => r.name);
const dump = async () => {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES)
    out[table] = (await sql`select * from ${sql.table(table)} order by 1, 2, 3`.execute(opened.db)).rows;
  return out;
};

/** Every leaf of the tree of `size` proves its inclusion, and the tree of `earlier` leaves is its prefix. */
async function expectProofs(size: number, earlier: number, earlierRoot: Uint8Array) {
  const tree = await loadTree(opened.db, 'log-1');
  expect(tree.size).toBe(size);
  const leaves = await opened.db
    .selectFrom('merkle_leaves')
    .select(['leaf_index', 'leaf_hash'])
    .where('log_id', '=', 'log-1')
    .orderBy('leaf_index')
    .execute();
  for (const leaf of leaves) {
    const proof = await inclusionProof(opened.db, 'log-1', Number(leaf.leaf_index), size);
    verifyInclusion(
      Number(leaf.leaf_index),
      size,
      Buffer.from(leaf.leaf_hash, 'base64'),
      proof.map((p) => Buffer.from(p, 'base64')),
      tree.root(),
    );
  }
  const consistency = await consistencyProof(opened.db, 'log-1', earlier, size);
  verifyConsistency(
    earlier,
    size,
    consistency.map((p) => Buffer.from(p, 'base64')),
    earlierRoot,
    tree.root(),
  );
  return tree;
}

it('rebuilds the Merkle tables and the nonces WITHOUT ROWID on SQLite, keeping every row: proofs verify, replays stay refused; drops the unread transaction index', async () => {
  expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined();
  const before = createLogWriter({ executor, tree: await loadTree(opened.db, 'log-1'), logKeyId: null });
  await Promise.all([0, 1, 2, 3, 4].map((n) => before.log.submit({ accessRecords: [record(n)] })));
  const rootAt5 = (await loadTree(opened.db, 'log-1')).root();
  await Promise.all(Array.from({ length: 8 }, (_, i) => before.log.submit({ accessRecords: [record(5 + i)] })));
  const claim = { keyid: 'k', nonce: 'used', expiresAt: Date.now() + 60_000 };
  expect(await before.nonces.submit(claim)).toBe(true);
  expect(await before.nonces.submit({ keyid: 'k', nonce: 'old', expiresAt: Date.now() - 1 })).toBe(true);
  const rows = await dump();
  expect(rows.merkle_leaves).toHaveLength(13);
  const rootAt13 = (await expectProofs(13, 5, rootAt5)).root();
  for (const table of TABLES) expect(await schemaOf(table)).not.toMatch(/without rowid/i);
  expect(await accessLogIndexes()).toContain('access_log_transaction');

  expect((await migrator.migrateTo(LATEST)).error).toBeUndefined();
  expect(await accessLogIndexes()).not.toContain('access_log_transaction');
  expect(await accessLogIndexes()).toContain('access_log_trace');
  for (const table of TABLES) expect(await schemaOf(table)).toMatch(/without rowid/i);
  expect(await dump()).toEqual(rows);
  expect((await expectProofs(13, 5, rootAt5)).root()).toEqual(rootAt13);

  // The log goes on on the rebuilt tables; a nonce claimed before is still refused; expired ones purge.
  const after = createLogWriter({ executor, tree: await loadTree(opened.db, 'log-1'), logKeyId: null });
  expect(await after.nonces.submit(claim)).toBe(false);
  await Promise.all(Array.from({ length: 7 }, (_, i) => after.log.submit({ accessRecords: [record(13 + i)] })));
  await expectProofs(20, 13, rootAt13);
  expect(await createSqliteNonceStore(executor).purgeExpired(Date.now())).toBe(1);
  const indexes = (
    await sql<{ name: string }>`select name from sqlite_master where type = 'index' and name not like 'sqlite_%'
      and tbl_name in ('merkle_leaves', 'merkle_nodes', 'nonces') order by name`.execute(opened.db)
  ).rows.map((r) => r.name);
  expect(indexes).toEqual(['merkle_leaves_record', 'nonces_expiry']);

  // down: rowid tables again, the same rows.
  const latest = await dump();
  expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined();
  for (const table of TABLES) expect(await schemaOf(table)).not.toMatch(/without rowid/i);
  expect(await dump()).toEqual(latest);
  expect(await accessLogIndexes()).toContain('access_log_transaction');
});
