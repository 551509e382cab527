/**
 * What a gateway cannot avoid per request on top of its floor, measured in-process as CPU time (user +
 * system, every thread of this process): one Ed25519 verification and one signature by the primitive
 * (`node:crypto` with a parsed key, on the calling thread: no structured-field parsing, no key lookup,
 * no dispatch to the pool), and one durable append by the gateway's real log writer (`openLog` on a
 * SQLite file: the group commit, the record's row and indexes, its Merkle leaf and nodes, the WAL's
 * fdatasync, the tree heads it signs meanwhile) of records built as the gateway builds them.
 * `bench:gateway` runs it before its load, while the servers are idle, and prints the limit from it.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildAccessRecords,
  createPseudonymiser,
  type GatewayDatabase,
  migrateGateway,
  openLog,
} from '@poortwachter/gateway';
import { newSpanId, newTraceId, signRequest, verifyMessage } from '@poortwachter/protocol';
import { openDatabase } from '@poortwachter/registry';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { UnavoidableCpu } from './targets.ts';

/** CPU µs per call of `run`, over `n` calls after `n / 10` to warm up. */
async function cpuPerCall(n: number, run: (i: number) => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.ceil(n / 10); i++) await run(i);
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await run(i);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

/** A real request's signature base and signature, and the keys, as the gateway sees them. */
async function realSignature(privateKey: JWK) {
  const { d: _, ...publicJwk } = privateKey;
  const request = await signRequest({
    url: 'http://127.0.0.1/personen',
    body: JSON.stringify({
      type: 'RaadpleegMetBurgerservicenummer',
      burgerservicenummer: ['999993653'],
      fields: ['naam'],
    }),
    privateKey,
    processingActivity: 'bench',
  });
  const verified = await verifyMessage(
    { method: 'POST', targetUri: request.url, header: (name) => request.headers[name] ?? null },
    { requiredComponents: [], now: Math.floor(Date.now() / 1000), publicKeyFor: () => publicJwk },
  );
  const asKey = (jwk: JWK) => ({ key: jwk as JWK & { kty: string }, format: 'jwk' as const });
  return {
    base: Buffer.from(verified.base),
    signature: verified.signatureValue,
    publicKey: createPublicKey(asKey(publicJwk)),
    privateKey: createPrivateKey(asKey(privateKey)),
  };
}

/** CPU µs of one Ed25519 verification and one signature, by the primitive. */
export async function primitiveCosts(privateJwk: JWK, n = 4000) {
  const { base, signature, publicKey, privateKey } = await realSignature(privateJwk);
  if (!verify(null, base, publicKey, signature)) throw new Error('the real signature does not verify');
  const verifyUs = await cpuPerCall(n, () => verify(null, base, publicKey, signature));
  const signUs = await cpuPerCall(n, () => sign(null, base, privateKey));
  // As the gateway calls it (with a callback, on libuv's pool): for comparison, not part of the limit.
  const verifyOnPool = (key: KeyObject) =>
    new Promise<boolean>((resolve, reject) =>
      verify(null, base, key, signature, (error, valid) => (error ? reject(error) : resolve(valid))),
    );
  const verifyAsyncUs = await cpuPerCall(n / 2, () => verifyOnPool(publicKey));
  return { verify: verifyUs, sign: signUs, verifyAsync: verifyAsyncUs };
}

/**
 * CPU µs per record of the gateway's log writer: `records` records of one subject each (as a BRP
 * query for one person makes them), submitted `batch` at a time so that each group commit holds
 * `batch` records, each awaited to its fdatasync.
 */
export async function appendCost(signingKey: JWK, options: { records?: number; batch?: number } = {}) {
  const records = options.records ?? 4000;
  const batch = options.batch ?? 8;
  const dir = mkdtempSync(join(tmpdir(), 'poortwachter-append-'));
  const database = openDatabase<GatewayDatabase>(`sqlite:${join(dir, 'append.db')}`, { durable: true });
  try {
    await migrateGateway(database.db as Kysely<unknown>);
    const opened = await openLog({ database, instanceId: 'bench-append', signingKey, report: () => undefined });
    const pseudonymise = createPseudonymiser(new Uint8Array(32).fill(7));
    const grant = {
      autorisatie: {},
      service: { id: 'brp-personen' },
      searchType: 'RaadpleegMetBurgerservicenummer',
      processingActivity: { id: 'bench-activity', version: 1 },
    } as unknown as Parameters<typeof buildAccessRecords>[1]['grant'];
    const fields = ['naam.voornamen', 'naam.geslachtsnaam', 'geboorte.datum', 'verblijfplaats.verblijfadres.postcode'];
    const make = (i: number) =>
      buildAccessRecords([{ released: {}, subjectId: String(999_000_000 + (i % 1000)), releasedFields: fields }], {
        grant,
        actor: { processorOin: '00000001001589623000', requestDigest: `sha-256=:${'A'.repeat(43)}=:` },
        trace: {
          traceId: newTraceId(),
          spanId: newSpanId(),
          parentSpanId: undefined,
          sampled: false,
          startTime: Date.now(),
        },
        sourceSpanId: newSpanId(),
        transactionId: crypto.randomUUID(),
        endTime: Date.now(),
        responseDigest: `sha-256=:${'B'.repeat(43)}=:`,
        pseudonymise,
        resource: { 'service.name': 'poortwachter-gateway', 'service.instance.id': 'bench-append' },
      });
    // The records are built beforehand: what is measured is the writer, from submit to durable.
    const batches = Math.ceil(records / batch);
    // cpuPerCall's warm-up takes a tenth more.
    const writes = Array.from({ length: (batches + Math.ceil(batches / 10)) * batch }, (_, i) => ({
      accessRecords: make(i),
    }));
    let next = 0;
    const perBatch = await cpuPerCall(batches, () =>
      Promise.all(Array.from({ length: batch }, () => opened.log.submit(writes[next++] as (typeof writes)[number]))),
    );
    const stats = opened.log.stats;
    await opened.close();
    return { append: perBatch / batch, averageBatch: stats.averageBatch };
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The three unavoidable costs, measured one after the other. */
export async function unavoidableCosts(
  privateKey: JWK,
  options: { batch?: number } = {},
): Promise<UnavoidableCpu & { verifyAsync: number; appendBatch: number }> {
  const crypto = await primitiveCosts(privateKey);
  const { append, averageBatch } = await appendCost(privateKey, options);
  return { ...crypto, append, appendBatch: averageBatch };
}
