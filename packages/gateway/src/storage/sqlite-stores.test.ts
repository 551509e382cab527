import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@poortwachter/registry';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleAccessRecord } from '../testing/sample-record.ts';
import { migrateGateway } from './migrate.ts';
import { inThreadExecutor, type SqliteExecutor } from './sqlite-executor.ts';
import { createSqliteAccessLogStore, createSqliteNonceStore } from './sqlite-stores.ts';
import type { GatewayDatabase } from './tables.ts';

const record = (id: string, subject: string) => sampleAccessRecord(id, { subject });

for (const kind of ['in-thread'] as const) {
  describe(`SQLite stores through the ${kind} executor`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'poortwachter-sqlite-'));
    const opened = openDatabase<GatewayDatabase>(`sqlite:${join(dir, 'gateway.db')}`, { durable: true });
    let executor: SqliteExecutor;
    beforeAll(async () => {
      await migrateGateway(opened.db as Kysely<unknown>);
      const sqlite = opened.sqlite;
      if (!sqlite) throw new Error('expected a SQLite handle');
      executor = inThreadExecutor(sqlite);
    });
    afterAll(async () => {
      await executor.close();
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('writes access records and refusals of a batch together, readable at once', async () => {
      const store = createSqliteAccessLogStore(executor);
      await store.writeBatch([
        { accessRecords: [record('a1', 'p1'), record('a2', 'p2')] },
        {
          refusal: {
            id: 'r1',
            at: 1,
            transaction_id: 'tx',
            trace_id: 't',
            caller_oin: null,
            keyid: null,
            service_id: 'brp-personen',
            processing_activity_id: null,
            reason: 'signatureMissing',
            status: 401,
            fsc_error_code: 'ERROR_CODE_ACCESS_TOKEN_MISSING',
            detail: 'unsigned',
            count: 1,
          },
        },
      ]);
      const rows = await opened.db
        .selectFrom('access_log')
        .select(['id', 'data_subject_id', 'record'])
        .orderBy('id')
        .execute();
      expect(rows.map((r) => [r.id, r.data_subject_id])).toEqual([
        ['a1', 'p1'],
        ['a2', 'p2'],
      ]);
      expect(JSON.parse(rows[0]?.record ?? '{}').attributes['poortwachter.fsc_transaction_id']).toBe('tx-a1');
      expect(await opened.db.selectFrom('refusals').select('reason').execute()).toEqual([
        { reason: 'signatureMissing' },
      ]);
    });

    it('rolls the whole batch back when one write fails', async () => {
      const store = createSqliteAccessLogStore(executor);
      await expect(store.writeBatch([{ accessRecords: [record('b1', 'p1'), record('a1', 'dup')] }])).rejects.toThrow(
        /UNIQUE/,
      );
      expect(await opened.db.selectFrom('access_log').select('id').where('id', '=', 'b1').execute()).toEqual([]);
    });

    it('lets exactly one claim of a nonce win, and forgets expired ones', async () => {
      const nonces = createSqliteNonceStore(executor);
      const claim = { keyid: 'k', nonce: 'n-0123456789abcdef', expiresAt: 1000 };
      expect(await nonces.claim([claim, claim, { ...claim, nonce: 'other-0123456789ab' }])).toEqual([
        true,
        false,
        true,
      ]);
      expect(await nonces.claim([claim])).toEqual([false]);
      expect(await nonces.purgeExpired(2000)).toBe(2);
      expect(await nonces.claim([claim])).toEqual([true]);
    });
  });
}
