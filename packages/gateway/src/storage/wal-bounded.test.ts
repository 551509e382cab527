/**
 * The WAL checkpointer (a worker thread's PASSIVE checkpoint every 250 ms; the log's connection checkpoints
 * only past a backstop). SQLite restarts the WAL from its start only when a write
 * transaction begins while every frame is already checkpointed. Before, the committing connection
 * checkpointed inside its own commit, so the next write found the WAL fully copied. Now a PASSIVE
 * checkpoint in another thread copies up to the frames committed when it started, while the log keeps
 * committing: under sustained load the next write may never find the WAL fully copied, and the WAL
 * may grow without bound (disk, the shared-memory index, readers).
 * Here: the real log writer under a closed loop of 32 submitters for a few seconds, on a real file; the
 * WAL must stay bounded (the old default bound: 1000 pages a checkpoint, so a few MB).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@poortwachter/registry';
import type { Kysely } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { createLogWriter } from '../log/log-writer.ts';
import { loadTree } from '../log/merkle/merkle-store.ts';
import { sampleAccessRecord } from '../testing/sample-record.ts';
import { migrateGateway } from './migrate.ts';
import { inThreadExecutor } from './sqlite-executor.ts';
import type { GatewayDatabase } from './tables.ts';

const record = (id: string) =>
  sampleAccessRecord(id, { releasedFields: ['naam.voornamen', 'naam.geslachtsnaam', 'geboorte.datum'] });

const dir = mkdtempSync(join(tmpdir(), 'poortwachter-review31-wal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Found by the review of issue 31: without the committing connection's backstop the closed loop wrote
 * ~68 000 records in 6 s and the WAL grew linearly to ~560 MB (never restarted).
 * REVIEW31_WAL_RATE=<records/s> paces the load (open loop) instead of the closed loop.
 */
it('keeps the WAL bounded under sustained writes (the checkpoint lets it restart)', async () => {
  const file = join(dir, 'gateway.db');
  const opened = openDatabase<GatewayDatabase>(`sqlite:${file}`, { durable: true });
  await migrateGateway(opened.db as Kysely<unknown>);
  const sqlite = opened.sqlite;
  if (!sqlite) throw new Error('expected a SQLite handle');
  const executor = inThreadExecutor(sqlite);
  const writer = createLogWriter({ executor, tree: await loadTree(opened.db, 'log-1'), logKeyId: null });
  const seconds = Number(process.env.REVIEW31_WAL_SECONDS ?? 6);
  const until = Date.now() + seconds * 1000;
  let n = 0;
  const sizes: number[] = [];
  const sampler = setInterval(() => sizes.push(statSync(`${file}-wal`).size), 250);
  const submitter = async () => {
    while (Date.now() < until) {
      await writer.log.submit({ accessRecords: [record(`r-${n++}`)] });
      await writer.nonces.submit({ keyid: 'k', nonce: `n-${n}`, expiresAt: Date.now() + 60_000 });
    }
  };
  const rate = Number(process.env.REVIEW31_WAL_RATE ?? 0);
  if (rate > 0) {
    // Open loop: `rate` records a second, each with its nonce claim first, as a request does.
    const pending: Promise<unknown>[] = [];
    const started = Date.now();
    while (Date.now() < until) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate);
      while (n < due) {
        const i = n++;
        pending.push(
          writer.nonces
            .submit({ keyid: 'k', nonce: `n-${i}`, expiresAt: Date.now() + 60_000 })
            .then(() => writer.log.submit({ accessRecords: [record(`r-${i}`)] })),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(pending);
  } else await Promise.all(Array.from({ length: 32 }, submitter));
  clearInterval(sampler);
  await writer.drain();
  const mb = (b: number) => Math.round((b / 1e6) * 10) / 10;
  console.log(`review31 WAL: ${n} records in ${seconds} s; WAL MB every 250 ms: ${sizes.map(mb).join(' ')}`);
  await executor.close();
  await opened.close();
  expect(n).toBeGreaterThan(rate > 0 ? rate : 1000);
  // The old bound: a checkpoint every 1000 pages (4 MB) — allow four times that.
  expect(Math.max(...sizes)).toBeLessThan(16e6);
}, 60_000);
