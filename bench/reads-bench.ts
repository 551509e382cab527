/**
 * `pnpm bench:reads` (also run by `pnpm bench`): the log's readers at scale, on SQLite, or on
 * PostgreSQL (the access log partitioned by month) with BENCH_DATABASE_URL=postgres://… (a database the
 * benchmark may fill; the fill is cached in it).
 *   1. a citizen's timeline page (GET /inzage/v1/verwerkingen, token checked, response signed):
 *      p50/p95/p99 over first pages and deeper pages (cursor), for heavy and ordinary subjects;
 *   2. the auditor's coverage report for a month (POST /audit/v1/coverage, then polled until done);
 *   3. an inclusion proof of a random record against the signed head (the repository call the
 *      proof endpoints make).
 * Each with its floor in the same run: for a page, the same signed, token-checked request that reads
 * one row by primary key (`GET /inzage/v1/verwerkingen/<another subject's record>/bewijs`, a 404); for the report,
 * one `count(*)` over the month's rows by the time index; for a proof, one leaf read by primary key.
 * With BENCH_RECORDS access records (default 10 000 000) made by bench/fill-access-log.ts and cached
 * under bench/.data/, spread over BENCH_YEARS (default 1; 20 is the BRP's term, 240 month partitions on
 * PostgreSQL). The gateway runs in-process (app.request): the figures are the gateway's own
 * time, without a network hop. A benchmark, not a test: it prints figures.
 */
import { createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  createGateway,
  demoTrustAnchors,
  type GatewayDatabase,
  inclusionProof,
  latestHeads,
  logEntries,
  monthPartitions,
  registryDirectory,
} from '@poortwachter/gateway';
import { signCitizenToken } from '@poortwachter/gateway/testing';
import { createLogger } from '@poortwachter/operations';
import { signRequest } from '@poortwachter/protocol';
import {
  createDirectoryPublisher,
  createRegistryApp,
  generatePrivateJwk,
  openDatabase,
  publicJwkOf,
  type RegistryDatabase,
} from '@poortwachter/registry';
import { registryHistory } from '@poortwachter/sdk';
import { DEMO_OIN, DEV_IDENTITY_PROVIDER } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { sql } from 'kysely';
import { BENCH_LOG_ID, BENCH_LOG_KEY, fillAccessLog } from './fill-access-log.ts';
import { percentile } from './load.ts';

const records = Number(process.env.BENCH_RECORDS ?? 10_000_000);
const DAY = 86_400_000;
const postgres = process.env.BENCH_DATABASE_URL?.startsWith('postgres') ? process.env.BENCH_DATABASE_URL : undefined;
const years = Number(process.env.BENCH_YEARS ?? 1);
const filled = await fillAccessLog(records, undefined, { years, ...(postgres ? { postgres } : {}) });
const GATEWAY = 'http://127.0.0.1:18302';

const registry = openDatabase<RegistryDatabase>(`sqlite:${filled.registryDb}`);
const registryKey = await generatePrivateJwk('P-256');
const registryApp = createRegistryApp({
  db: registry.db,
  publisher: await createDirectoryPublisher(registry.db, registryKey),
});
const toRegistry: typeof fetch = async (input, init) => registryApp.request(String(input), init);
const directory = registryDirectory({
  registryUrl: 'http://registry.bench',
  registryKey: publicJwkOf(registryKey),
  trustAnchors: demoTrustAnchors(filled.keyDir),
  fetch: toRegistry,
  refreshIntervalMs: 3_600_000,
});
await directory.start();

const database = openDatabase<GatewayDatabase>(postgres ?? `sqlite:${filled.gatewayDb}`, { durable: true });
const key = (oin: string) => JSON.parse(readFileSync(join(filled.keyDir, `${oin}.jwk.json`), 'utf8')) as JWK;
const gateway = await createGateway({
  serviceId: 'brp-personen',
  instanceId: BENCH_LOG_ID,
  database,
  directory,
  source: { url: 'http://127.0.0.1:9' },
  signingKey: key(DEMO_OIN.rvig),
  logKey: BENCH_LOG_KEY,
  retentionIntervalMs: 0,
  // The page floor's 404s are refusals the gateway logs at info: not the figures.
  logger: createLogger('gateway', { level: 'warn' }),
  history: registryHistory({
    registryUrl: 'http://registry.bench',
    registryKey: publicJwkOf(registryKey),
    fetch: toRegistry,
  }),
});
const { app } = gateway;

// Tokens made beforehand: logging in is the identity provider's time, not the gateway's.
const idpKey = JSON.parse(readFileSync(join(filled.keyDir, DEV_IDENTITY_PROVIDER.keyFile), 'utf8')) as JWK;
const tokenFor = (bsn: string) => signCitizenToken(idpKey, { sub: bsn, exp: Math.floor(Date.now() / 1000) + 1800 });

async function page(token: string, query: string) {
  const started = performance.now();
  const res = await app.request(`${GATEWAY}/inzage/v1/verwerkingen?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await res.json()) as { verwerkingen: unknown[]; volgende: string | null };
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`inzage answered ${res.status}: ${JSON.stringify(body)}`);
  return { ms, count: body.verwerkingen.length, next: body.volgende };
}

// Subjects: half among the heaviest thousand (thousands of records each), half from everyone.
const sample = Array.from({ length: 600 }, (_, i) =>
  i % 2 === 0
    ? filled.bsns[Math.floor(Math.random() * 1000)]
    : filled.bsns[Math.floor(Math.random() * filled.bsns.length)],
).filter((b): b is string => b !== undefined);
const tokens = await Promise.all(sample.map(async (bsn) => ({ bsn, token: await tokenFor(bsn) })));
const month = `van=${new Date(filled.end - 30 * DAY).toISOString()}&tot=${new Date(filled.end).toISOString()}`;
// Warm-up: every sampled subject's first page once, so that each pooled connection has seen the
// partitions (PostgreSQL opens a partition's table and indexes once per connection: a cold first
// touch costs about a millisecond per partition) and SQLite's page cache holds their index pages.
const warm: number[] = [];
for (const { token } of tokens) warm.push((await page(token, 'limit=20')).ms);
const first: number[] = [];
const deeper: number[] = [];
const inMonth: number[] = [];
let shown = 0;
for (const { token } of tokens) {
  let result = await page(token, 'limit=20');
  first.push(result.ms);
  shown += result.count;
  for (let depth = 0; depth < 4 && result.next; depth++) {
    result = await page(token, `limit=20&cursor=${result.next}`);
    deeper.push(result.ms);
  }
  inMonth.push((await page(token, `limit=20&${month}`)).ms);
}
const all = [...first, ...deeper, ...inMonth];
// The floor of a page: the same kind of request (token checked, answer signed) reading one row by key:
// a record of the heaviest subject, which every other citizen is refused (404).
const heaviest = filled.bsns[0];
const othersRecord = await database.db
  .selectFrom('access_log')
  .select('id')
  .where('start_time', '>=', filled.end - 30 * DAY)
  .where('data_subject_id', '=', createHmac('sha256', BENCH_LOG_KEY).update(`BSN:${heaviest}`, 'utf8').digest('hex'))
  .executeTakeFirstOrThrow();
const pageFloor: number[] = [];
for (const { bsn, token } of tokens) {
  if (bsn === heaviest) continue;
  const started = performance.now();
  const res = await app.request(`${GATEWAY}/inzage/v1/verwerkingen/${othersRecord.id}/bewijs`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await res.arrayBuffer();
  if (res.status !== 404) throw new Error(`the floor's request answered ${res.status}, not 404`);
  pageFloor.push(performance.now() - started);
}

// Inclusion proofs of random records against the signed head, and their floor: one leaf by key.
const [signedHead] = await latestHeads(database.db);
if (!signedHead) throw new Error('the filled log has no signed head');
const proofs: number[] = [];
const leafFloor: number[] = [];
for (let i = 0; i < 2000; i++) {
  const index = Math.floor(Math.random() * signedHead.tree_size);
  let started = performance.now();
  await inclusionProof(database.db, BENCH_LOG_ID, index, signedHead.tree_size);
  if (i >= 100) proofs.push(performance.now() - started);
  started = performance.now();
  await database.db
    .selectFrom('merkle_leaves')
    .select('leaf_hash')
    .where('log_id', '=', BENCH_LOG_ID)
    .where('leaf_index', '=', index)
    .executeTakeFirst();
  if (i >= 100) leafFloor.push(performance.now() - started);
}

// The auditor's full check reads the log in pages of 1000 leaves, each with its record (GET
// /audit/v1/logs/{log}/entries, the repository call); its floor reads the same 1000 leaves alone.
const entryPages: number[] = [];
const entryFloor: number[] = [];
for (let i = 0; i < 60; i++) {
  const start = Math.floor(Math.random() * Math.max(1, signedHead.tree_size - 1000));
  let started = performance.now();
  const entries = await logEntries(database.db, BENCH_LOG_ID, start, start + 1000);
  if (i >= 10) entryPages.push(performance.now() - started);
  if (entries.length !== Math.min(1000, signedHead.tree_size - start)) throw new Error('entries missing');
  started = performance.now();
  await database.db
    .selectFrom('merkle_leaves')
    .select(['leaf_index', 'record_id', 'leaf_hash'])
    .where('log_id', '=', BENCH_LOG_ID)
    .where('leaf_index', '>=', start)
    .where('leaf_index', '<', start + 1000)
    .orderBy('leaf_index')
    .execute();
  if (i >= 10) entryFloor.push(performance.now() - started);
}

// The auditor's report for the last 30 days, through the API as the CLI asks for it.
const auditor = key(DEMO_OIN.autoriteitPersoonsgegevens);
async function signed(path: string, method: 'GET' | 'POST', body?: unknown) {
  const request = await signRequest({
    url: `${GATEWAY}${path}`,
    method,
    body: body === undefined ? '' : JSON.stringify(body),
    privateKey: auditor,
  });
  const res = await app.request(request.url, {
    method,
    headers: request.headers,
    ...(method === 'POST' ? { body: request.body } : {}),
  });
  return (await res.json()) as Record<string, unknown>;
}
const coverageStarted = performance.now();
const job = await signed('/audit/v1/coverage', 'POST', {
  from: new Date(filled.end - 30 * DAY).toISOString(),
  to: new Date(filled.end + 1).toISOString(),
});
let answer: Record<string, unknown>;
do {
  await new Promise((r) => setTimeout(r, 20));
  answer = await signed(`/audit/v1/coverage/${job.id}`, 'GET');
} while (answer.status === 'running');
const coverageSeconds = (performance.now() - coverageStarted) / 1000;
// The report's floor: counting the month's rows through the time index, nothing else.
const countStarted = performance.now();
await database.db
  .selectFrom('access_log')
  .select((eb) => eb.fn.countAll().as('n'))
  .where('start_time', '>=', filled.end - 30 * DAY)
  .where('start_time', '<=', filled.end)
  .executeTakeFirst();
const countSeconds = (performance.now() - countStarted) / 1000;
const report = answer.report as { totals: Record<string, number>; rows: unknown[] } | undefined;
if (!report) throw new Error(`the report failed: ${JSON.stringify(answer)}`);

const ms = (v: number) => v.toFixed(2).padStart(8);
const line = (label: string, values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${label.padEnd(34)}${String(values.length).padStart(6)}${ms(percentile(sorted, 50))}${ms(percentile(sorted, 95))}${ms(percentile(sorted, 99))}${ms(sorted.at(-1) ?? 0)}`;
};
const size = postgres
  ? Number(
      (await sql<{ bytes: string }>`select pg_database_size(current_database()) as bytes`.execute(database.db)).rows[0]
        ?.bytes ?? 0,
    ) /
    1024 ** 3
  : statSync(filled.gatewayDb).size / 1024 ** 3;
const partitions = postgres ? (await monthPartitions(database.db as never)).length : 0;
const p = (values: number[], q: number) =>
  percentile(
    [...values].sort((a, b) => a - b),
    q,
  );
const ratio = (values: number[], floor: number[], q: number) => (p(values, q) / p(floor, q)).toFixed(1);
console.log(`
poortwachter log readers: ${records.toLocaleString('en')} access records over ${years} year(s) on ${postgres ? `PostgreSQL (${partitions} month partitions)` : 'SQLite'} (${size.toFixed(1)} GiB, ${((size * 1024 ** 3) / records).toFixed(0)} bytes per record with its indexes and Merkle rows), ${filled.bsns.length.toLocaleString('en')} subjects, node ${process.version}, in-process

citizen timeline page (20 records)   pages  p50 ms  p95 ms  p99 ms  max ms
${line('first page, cold (warm-up pass)', warm)}
${line('first page', first)}
${line('deeper pages (cursor)', deeper)}
${line('first page, one month', inMonth)}
${line('all pages', all)}
${line('floor: one row by key, same request', pageFloor)}
(${shown.toLocaleString('en')} records shown on first pages; all pages / floor: p50 ${ratio(all, pageFloor, 50)}×, p99 ${ratio(all, pageFloor, 99)}×; target p99 ≤ 5 ms)

inclusion proof (signed head of ${signedHead.tree_size.toLocaleString('en')})  n  p50 ms  p95 ms  p99 ms  max ms
${line('proof of a random record', proofs)}
${line('floor: one leaf by key', leafFloor)}
(proof / floor: p50 ${ratio(proofs, leafFloor, 50)}×, p99 ${ratio(proofs, leafFloor, 99)}×; target p99 ≤ 2 ms)

auditor's entries (1000 leaves)          n  p50 ms  p95 ms  p99 ms  max ms
${line('a page with its records', entryPages)}
${line('floor: the 1000 leaves alone', entryFloor)}
(page / floor: p50 ${ratio(entryPages, entryFloor, 50)}×; a full check of this log reads ${Math.ceil(signedHead.tree_size / 1000).toLocaleString('en')} pages)

coverage report, 30 days: ${coverageSeconds.toFixed(2)} s for ${report.totals.accesses?.toLocaleString('en')} accesses, ${report.totals.dataSubjects?.toLocaleString('en')} subjects, ${report.rows.length} afnemer × processing activity rows; invalid accesses ${report.totals.invalidAccesses}
floor: counting the month's rows by the time index ${countSeconds.toFixed(2)} s (report / floor ${(coverageSeconds / countSeconds).toFixed(1)}×; target ≤ 5 s)
`);
directory.stop();
await gateway.close();
await database.close();
await registry.close();
