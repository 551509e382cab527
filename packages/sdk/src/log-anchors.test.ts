import type { DirectorySnapshot, Organisation, Service } from '@poortwachter/protocol';
import { CompactSign, importJWK, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from './keys.ts';
import { anchorsOf } from './log-anchors.ts';
import { verifyLogs } from './log-verification.ts';
import { listSeenHeads, memoryHeadStore } from './merkle/head-store.ts';
import type { KnownHead } from './merkle/heads-file.ts';

const RVIG = '00000001234567890001';
const KADASTER = '00000001234567890002';
let rvigKey: { privateKey: JWK; publicKey: JWK };
let oldRvigKey: { privateKey: JWK; publicKey: JWK };
let strangerKey: { privateKey: JWK; publicKey: JWK };
let directory: DirectorySnapshot;

const organisation = (oin: string, keys: { jwk: JWK; status: 'active' | 'revoked' }[]) =>
  ({
    oin,
    name: `org ${oin}`,
    keys: keys.map(({ jwk, status }) => ({ kid: jwk.kid, jwk, status, revokedAt: null, validFrom: '', validTo: null })),
    revokedAt: null,
  }) as unknown as Organisation;
const service = (id: string, providerOin: string, gatewayUrl: string) =>
  ({ id, providerOin, gatewayUrl, revokedAt: null }) as unknown as Service;

/** A known head of `logId` as the first format kept it, signed with `key`. */
async function headOf(key: JWK, logId: string, size: number): Promise<KnownHead> {
  const head = { tree_size: size, root_hash: Buffer.alloc(32, size).toString('base64'), timestamp: size };
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify({ log_id: logId, ...head })))
    .setProtectedHeader({ alg: 'EdDSA', typ: 'poortwachter-tree-head+jws', kid: String(key.kid) })
    .sign(await importJWK(key, 'EdDSA'));
  return { ...head, jws, seenAt: '2026-12-01T00:00:00.000Z' };
}

beforeAll(async () => {
  [rvigKey, oldRvigKey, strangerKey] = await Promise.all([
    generateSigningKey(),
    generateSigningKey(),
    generateSigningKey(),
  ]);
  directory = {
    organisations: [
      organisation(RVIG, [
        { jwk: rvigKey.publicKey, status: 'active' },
        { jwk: oldRvigKey.publicKey, status: 'revoked' },
      ]),
      organisation(KADASTER, []),
    ],
    services: [service('brp-personen', RVIG, 'https://brp.example/'), service('brk', KADASTER, 'https://brk.example')],
    processing_activities: [],
  } as unknown as DirectorySnapshot;
});

describe('anchorsOf: heads of the first format given to their logs', () => {
  it('by the provider whose key signed them (also a revoked one) and the log id they signed, wherever they were served', async () => {
    const moved = await headOf(oldRvigKey.privateKey, 'vm', 5);
    const { anchors, next, orphans } = await anchorsOf(
      { logs: {}, unattributed: { 'http://localhost:8302 vm': moved } },
      directory,
    );
    expect(next.logs[RVIG]?.vm).toEqual({ ...moved, gateway: 'http://localhost:8302' });
    expect(next.unattributed).toEqual({});
    expect(orphans).toEqual([]);
    expect(
      anchors
        .get(RVIG)
        ?.get('vm')
        ?.map((a) => a.head.tree_size),
    ).toEqual([5]);
  });

  it('by a service listed at their URL when no key of the directory signed them; otherwise they stay, as orphans', async () => {
    const unsigned = { ...(await headOf(strangerKey.privateKey, 'x', 2)) };
    const { next, orphans } = await anchorsOf(
      { logs: {}, unattributed: { 'https://brk.example/ w1': unsigned, 'https://gone.example w2': unsigned } },
      directory,
    );
    expect(Object.keys(next.logs[KADASTER] ?? {})).toEqual(['w1']);
    expect(next.unattributed).toEqual({ 'https://gone.example w2': unsigned });
    expect(orphans).toEqual([{ key: 'https://gone.example w2', head: unsigned }]);
  });

  it('keeps every head of one log as an anchor: the kept one, and the others until a newer head replaces them', async () => {
    const kept = await headOf(rvigKey.privateKey, 'vm', 7);
    const [a, b] = [await headOf(rvigKey.privateKey, 'vm', 5), await headOf(rvigKey.privateKey, 'vm', 9)];
    const { anchors, next } = await anchorsOf(
      { logs: { [RVIG]: { vm: kept } }, unattributed: { 'http://a.test vm': a, 'http://b.test vm': b } },
      directory,
    );
    expect(next.logs[RVIG]?.vm).toEqual(kept);
    expect(Object.keys(next.unattributed).sort()).toEqual(['http://a.test vm', 'http://b.test vm']);
    expect(
      anchors
        .get(RVIG)
        ?.get('vm')
        ?.map((x) => [x.head.tree_size, x.legacyKey]),
    ).toEqual([
      [7, undefined],
      [9, 'http://b.test vm'],
      [5, 'http://a.test vm'],
    ]);
  });
});

describe('verifyLogs: logs seen before that are not asked for', () => {
  const unreachable: typeof fetch = async () => {
    throw new TypeError('connect ECONNREFUSED');
  };

  it('warns (and keeps the head) when the provider’s gateway does not answer; the gateway is missing', async () => {
    const heads = memoryHeadStore({
      logs: { [RVIG]: { vm: await headOf(rvigKey.privateKey, 'vm', 5) } },
      unattributed: {},
    });
    const before = heads.heads;
    const run = await verifyLogs({
      directory,
      services: directory.services,
      privateKey: {},
      heads,
      fetch: unreachable,
    });
    expect(run.missing.map((m) => m.service)).toEqual(['brp-personen', 'brk']);
    expect(run.vanished).toEqual([]);
    expect(run.unchecked.map((u) => [u.provider, u.logId])).toEqual([[RVIG, 'vm']]);
    expect(run.unchecked[0]?.reason).toContain('https://brp.example/ did not answer');
    expect(run.consistent).toBe(false);
    expect(listSeenHeads(heads.heads)).toEqual(listSeenHeads(before));
  });

  it('warns when the directory lists no service of the provider any more, and the run is still consistent', async () => {
    const heads = memoryHeadStore({
      logs: { [RVIG]: { vm: await headOf(rvigKey.privateKey, 'vm', 5) } },
      unattributed: {},
    });
    const run = await verifyLogs({ directory, services: [], privateKey: {}, heads, fetch: unreachable });
    expect(run.unchecked[0]?.reason).toContain('the directory lists no service of org 00000001234567890001 any more');
    expect(run.consistent).toBe(true);
    expect(listSeenHeads(heads.heads).map((h) => h.logId)).toEqual(['vm']);
  });

  it('reports a head that can be given to no log, and keeps it', async () => {
    const orphan = await headOf(strangerKey.privateKey, 'x', 2);
    const heads = memoryHeadStore({ logs: {}, unattributed: { 'https://gone.example x': orphan } });
    const run = await verifyLogs({ directory, services: [], privateKey: {}, heads, fetch: unreachable });
    expect(run.vanished.map((v) => v.reason)).toEqual([
      expect.stringContaining('is signed by no key in the directory'),
    ]);
    expect(run.consistent).toBe(false);
    expect(heads.heads.unattributed).toEqual({ 'https://gone.example x': orphan });
  });
});
