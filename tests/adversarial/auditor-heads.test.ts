/**
 * The auditor's trust anchor (issue 25, item 6): the file of tree heads `poortwachter log verify` has
 * seen. A heads file that is cut off or emptied stops the next run (exit 2), never a start from
 * nothing; a log is known by its provider and log id, so a gateway that moves keeps its anchor; a
 * log seen before that is no longer served is a finding, one whose gateway is down a warning; a
 * symbolic link is written through; two runs never interleave, so an anchor never moves back. The
 * CLI as a child process against `pnpm start`, whose gateway is published at a proxy on this side
 * (to hold one run while another goes), the registry's admin API to move it.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-process.ts';
import { askOutwayForSuzanne, freePort, type RunningSystem, startSystem } from '../start-system.ts';

interface Head {
  tree_size: number;
  root_hash: string;
  timestamp: number;
  jws: string;
  seenAt: string;
}
interface HeadsFile {
  format: string;
  logs: Record<string, Record<string, Head>>;
}

/**
 * A TCP proxy in front of the gateway: bytes as they come, except that the first request whose text
 * holds `trap` is held (with everything after it on its connection) until `release()`.
 */
async function startProxy(target: number) {
  let trap: { text: string; hit: () => void; released: Promise<void> } | undefined;
  let release = () => {};
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    upstream.pipe(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    let held: Promise<void> | undefined;
    client.on('data', (chunk: Buffer) => {
      if (!held && trap && chunk.toString('latin1').includes(trap.text)) {
        held = trap.released;
        trap.hit();
        trap = undefined;
      }
      if (held) void held.then(() => upstream.write(chunk));
      else upstream.write(chunk);
    });
    client.on('end', () => void (held ?? Promise.resolve()).then(() => upstream.end()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    /** Holds the next request that holds `text`; resolves when it came. */
    hold(text: string): Promise<void> {
      return new Promise((hit) => {
        trap = { text, hit, released: new Promise((resolve) => (release = resolve)) };
      });
    },
    release: () => release(),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** `promise`, or an error naming `what` when it does not settle within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const b64u = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const payloadOf = (jws: string) =>
  JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString()) as Omit<Head, 'jws' | 'seenAt'> & {
    log_id: string;
  };

describe("the auditor's heads file", () => {
  let system: RunningSystem;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let headsFile: string;
  let registry: string;
  let adminToken: string;
  let provider: string;
  let logId: string;

  const logVerify = (file = headsFile, ...more: string[]) =>
    runCli(['log', 'verify', '--heads-only', '--heads', file, ...more], {
      env: { DATA_DIR: system.data, REGISTRY_URL: registry },
    });
  const readHeads = (file = headsFile) => JSON.parse(readFileSync(file, 'utf8')) as HeadsFile;
  /** The size of the log's head in a heads file, of this format or (to show what older code did) the first. */
  const keptSize = (file = headsFile) => {
    const heads = readHeads(file) as HeadsFile & Record<string, Head>;
    return (heads.logs ? heads.logs[provider]?.[logId] : heads[`${proxy.url} ${logId}`])?.tree_size ?? 0;
  };
  const admin = async (method: 'GET' | 'PUT', path: string, body?: unknown) => {
    const res = await fetch(`${registry}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
    return (await res.json()) as Record<string, unknown>;
  };
  /** Publishes the BRP service at another URL in the directory (the gateway itself stays where it is). */
  async function moveGateway(gatewayUrl: string) {
    const { providerOin, name, protocol, fieldCatalogue, dataSubjectPaths, searchParameters } = await admin(
      'GET',
      '/services/brp-personen',
    );
    const body = { providerOin, name, gatewayUrl, protocol, fieldCatalogue, dataSubjectPaths, searchParameters };
    await admin('PUT', '/services/brp-personen', body);
  }
  /** The size of the gateway's newest signed head of the log. */
  async function servedSize(): Promise<number> {
    const res = await fetch(`${proxy.url}/log/v1/heads`);
    const { heads } = (await res.json()) as { heads: { log_id: string; jws: string }[] };
    return payloadOf(heads.find((h) => h.log_id === logId)?.jws ?? '..').tree_size;
  }
  /** The gateway's newest signed head of the log, as a heads file keeps it. */
  async function servedHead(): Promise<Head> {
    const res = await fetch(`${proxy.url}/log/v1/heads`);
    const { heads } = (await res.json()) as { heads: { log_id: string; jws: string }[] };
    const jws = heads.find((h) => h.log_id === logId)?.jws ?? '..';
    const { tree_size, root_hash, timestamp } = payloadOf(jws);
    return { tree_size, root_hash, timestamp, jws, seenAt: '2026-01-01T00:00:00.000Z' };
  }
  /** One query through the outway, and the gateway's newest signed head has its record. */
  async function grow(): Promise<number> {
    const before = await servedSize().catch(() => 0);
    const apiKey = readFileSync(join(system.data, 'outway-api-key'), 'utf8').trim();
    const answer = await askOutwayForSuzanne(`http://127.0.0.1:${system.ports.outway}`, apiKey);
    expect(answer.status).toBe(200);
    await answer.body?.cancel();
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      const size = await servedSize();
      if (size > before) return size;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('no signed head holds the new record');
  }
  /** A tree head signed with the provider's own key: what a gateway that shows two histories signs. */
  function signHead(head: { log_id: string; tree_size: number; root_hash: string; timestamp: number }): string {
    const jwk = JSON.parse(readFileSync(join(system.data, 'keys', `${provider}.jwk.json`), 'utf8')) as {
      kty: string;
      kid: string;
    };
    const alg = jwk.kty === 'OKP' ? 'EdDSA' : 'ES256';
    const input = `${b64u({ alg, typ: 'poortwachter-tree-head+jws', kid: jwk.kid })}.${b64u(head)}`;
    const key = createPrivateKey({ key: jwk as never, format: 'jwk' });
    const signature =
      alg === 'EdDSA'
        ? sign(null, Buffer.from(input), key)
        : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  }
  /** A head of the log as the file keeps it, signed by the provider, with another root than the log has. */
  function forkedHead(size: number, log = logId): Head {
    const head = { tree_size: size, root_hash: Buffer.alloc(32, 7).toString('base64'), timestamp: 1 };
    return { ...head, jws: signHead({ log_id: log, ...head }), seenAt: '2026-01-01T00:00:00.000Z' };
  }

  beforeAll(async () => {
    const gateway = await freePort();
    proxy = await startProxy(gateway);
    system = await startSystem({ env: { GATEWAY_PORT: String(gateway), GATEWAY_PUBLIC_URL: proxy.url } });
    headsFile = join(system.data, 'auditor-heads.json');
    registry = `http://127.0.0.1:${system.ports.registry}`;
    adminToken = readFileSync(join(system.data, 'registry-admin-token'), 'utf8').trim();
    provider = String((await admin('GET', '/services/brp-personen')).providerOin);
    // The log's id as its gateway serves it: a new gateway may have signed no head yet, so ask until it has.
    let served: string | undefined;
    for (const deadline = Date.now() + 20_000; served === undefined && Date.now() < deadline; ) {
      const { heads } = (await (await fetch(`${proxy.url}/log/v1/heads`)).json()) as { heads: { log_id: string }[] };
      served = heads[0]?.log_id;
      if (served === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (served === undefined) throw new Error('the gateway signed no tree head');
    logId = served;
    await grow();
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
    await proxy?.close();
  });

  it('keeps the heads of a good run for its owner only, per provider and log id', async () => {
    const run = await runCli(['log', 'verify', '--heads', headsFile], {
      env: { DATA_DIR: system.data, REGISTRY_URL: registry },
    });
    expect(run.code, run.err + run.out).toBe(0);
    const heads = readHeads();
    expect(heads.format).toBe('poortwachter-auditor-heads/2');
    // RvIG's logs and Kadaster's, each under its provider.
    expect(Object.keys(heads.logs).sort()).toEqual([provider, DEMO_OIN.kadaster].sort());
    expect(heads.logs[provider]?.[logId]?.tree_size).toBeGreaterThan(0);
    expect(statSync(headsFile).mode & 0o777).toBe(0o600);
    expect(existsSync(`${headsFile}.lock`)).toBe(false);
  });

  it('stops with exit 2 naming the file when the heads file is cut off, empty or a bare {}, and leaves it as it is', async () => {
    const whole = readFileSync(headsFile, 'utf8');
    for (const broken of [whole.slice(0, Math.floor(whole.length / 2)), '', '[]', '{}']) {
      writeFileSync(headsFile, broken);
      const run = await logVerify();
      expect(run.code, broken + run.err + run.out).toBe(2);
      expect(run.out).toBe('');
      const lines = run.err.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(headsFile);
      expect(lines[0]).toContain('not readable as the heads seen before');
      // Not overwritten with the heads of this run as if they were the first ever seen.
      expect(readFileSync(headsFile, 'utf8')).toBe(broken);
    }
    writeFileSync(headsFile, whole);
    const restored = await logVerify();
    expect(restored.code, restored.err + restored.out).toBe(0);
  });

  it('never moves a log’s anchor back: a second run while a slow one holds the heads is refused', async () => {
    const file = join(system.data, 'concurrent-heads.json');
    expect((await logVerify(file)).code).toBe(0);
    const seen = await grow();
    // The slow run: it has the newest head (`seen`) and waits for its consistency proof.
    const held = proxy.hold('/consistency?');
    const slow = logVerify(file);
    await within(held, 30_000, 'the slow run asks for its consistency proof');
    const newer = await grow();
    const second = await logVerify(file);
    const savedBySecond = second.code === 0 ? keptSize(file) : 0;
    proxy.release();
    const first = await slow;
    expect(first.code, first.err + first.out).toBe(0);
    const after = keptSize(file);
    expect(after, 'the heads file went back to an older head').toBeGreaterThanOrEqual(savedBySecond);
    expect(after).toBeGreaterThanOrEqual(seen);
    expect(second.code, second.out).toBe(2);
    expect(second.err).toContain(`Another log verify is using the heads file ${file}`);
    expect(second.err).toContain(`${file}.lock`);
    expect(existsSync(`${file}.lock`)).toBe(false);
    const third = await logVerify(file);
    expect(third.code, third.err + third.out).toBe(0);
    expect(keptSize(file)).toBe(newer);
  });

  it('writes through a symbolic --heads (also a dangling one) to its target, and keeps the link', async () => {
    const target = join(system.data, 'elsewhere-heads.json');
    const link = join(system.data, 'linked-heads.json');
    writeFileSync(target, JSON.stringify({ [`${proxy.url} ${logId}`]: await servedHead() }));
    const before = readFileSync(target, 'utf8');
    symlinkSync(target, link);
    const run = await logVerify(link);
    expect(run.code, run.err + run.out).toBe(0);
    expect(lstatSync(link).isSymbolicLink(), 'the link was replaced by a file').toBe(true);
    expect(readFileSync(target, 'utf8')).not.toBe(before);
    const later = join(system.data, 'not-yet', 'heads.json');
    const dangling = join(system.data, 'dangling-heads.json');
    symlinkSync(later, dangling);
    const first = await logVerify(dangling);
    expect(first.code, first.err + first.out).toBe(0);
    expect(lstatSync(dangling).isSymbolicLink(), 'the dangling link was replaced by a file').toBe(true);
    expect(keptSize(later)).toBeGreaterThan(0);
  });

  it('reports a log seen before that the gateway no longer serves (also from a file of the first format)', async () => {
    const file = join(system.data, 'vanished-heads.json');
    // As `log verify` of the first format kept heads: by gateway URL; a worker's log that is gone since.
    const gone = `${logId}-w9`;
    const heads = { [`${proxy.url} ${logId}`]: await servedHead(), [`${proxy.url} ${gone}`]: forkedHead(3, gone) };
    writeFileSync(file, JSON.stringify(heads));
    const run = await logVerify(file);
    expect(run.code, run.out).toBe(1);
    expect(run.out).toContain(`OK    ${proxy.url} log ${logId}`);
    expect(run.out).toMatch(new RegExp(`FAIL  VANISHED: log ${gone} of .* is served by no gateway`));
    // Both heads are kept, by provider and log id now.
    const kept = readHeads(file);
    expect(Object.keys(kept.logs[provider] ?? {}).sort()).toEqual([logId, gone].sort());
    expect(kept.logs[provider]?.[gone]?.tree_size).toBe(3);
    const again = await logVerify(file);
    expect(again.code, again.out).toBe(1);
  });

  it('warns (not VANISHED) for the logs of a gateway that does not answer, and keeps their heads', async () => {
    const file = join(system.data, 'down-heads.json');
    expect((await logVerify(file)).code).toBe(0);
    const before = readFileSync(file, 'utf8');
    await moveGateway(`http://127.0.0.1:${await freePort()}`);
    const run = await logVerify(file);
    expect(run.code, run.out).toBe(1);
    expect(run.out).toContain('MISSING http://127.0.0.1:');
    expect(run.out).toMatch(
      new RegExp(`WARN  log ${logId} of .*: not checked, http://127\\.0\\.0\\.1:\\d+ did not answer`),
    );
    expect(run.out).not.toContain('VANISHED');
    // The heads of the gateway that did not answer are kept as they were (Kadaster's may have grown).
    expect(readHeads(file).logs[provider]).toEqual(
      (JSON.parse(before) as { logs: Record<string, unknown> }).logs[provider],
    );
  });

  it('keeps the anchor when the gateway moves to another URL: a fork is still a fork, also from a file of the first format', async () => {
    const moved = proxy.url.replace('127.0.0.1', 'localhost');
    await moveGateway(moved);
    const genuine = await servedHead();
    const size = genuine.tree_size;
    const cases = {
      // The tester's case: heads kept by the first format under the URL the gateway had.
      'the first format': { [`${proxy.url} ${logId}`]: forkedHead(size) },
      'this format': { format: 'poortwachter-auditor-heads/2', logs: { [provider]: { [logId]: forkedHead(size) } } },
    };
    for (const [name, content] of Object.entries(cases)) {
      const file = join(system.data, `moved-${name.replaceAll(' ', '-')}.json`);
      writeFileSync(file, JSON.stringify(content));
      const run = await logVerify(file);
      expect(run.code, `${name}: ${run.out}`).toBe(1);
      expect(run.out).toContain(`FAIL  ${moved} log ${logId}:`);
      expect(run.out).toContain(`FORK or REWRITE of log ${logId}: the head of size ${size}`);
      // (Kadaster's logs are new to this file; RvIG's is not.)
      expect(
        run.out.split('\n').filter((line) => line.includes(`log ${logId}`) && line.includes('first seen now')),
      ).toEqual([]);
      expect(readHeads(file).logs[provider]?.[logId]?.root_hash).toBe(forkedHead(size).root_hash);
    }
    // A genuine head of the first format under the old URL: consistent, and kept by provider and log id now.
    const file = join(system.data, 'moved-genuine.json');
    writeFileSync(file, JSON.stringify({ [`${proxy.url} ${logId}`]: genuine }));
    const run = await logVerify(file);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain(
      `OK    ${moved} log ${logId}: ${size} records, signed head verified, consistent with size ${size}`,
    );
    expect(readHeads(file).logs[provider]?.[logId]?.tree_size).toBe(size);
  });
});
