import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addCheckpointBody,
  consistencyProofOf,
  emptyRoot,
  leafHash,
  logOrigin,
  NOTE_ED25519,
  type NoteKey,
  noteKeyFromJwk,
  parseNote,
  parseVkey,
  rangeRoot,
  signCheckpoint,
  TLOG_SIZE_CONTENT_TYPE,
  verifyCheckpoint,
  withSignatures,
} from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLockedError } from '../file-lock.ts';
import { generateSigningKey } from '../keys.ts';
import type { WitnessEvent } from './add-checkpoint.ts';
import { staticLogKeys } from './log-keys.ts';
import { openWitness } from './open-witness.ts';
import { startWitnessServer } from './witness-server.ts';
import { originHash } from './witness-state.ts';

const NAME = 'poortwachter.test/getuige';
const ORIGIN = logOrigin('00000001234567890000', 'brp-inway');

/** A log: its leaves (one branch of its history), its key, and signed checkpoints of any prefix. */
function makeLog(privateJwk: JWK, branch = 'a', origin = ORIGIN) {
  const leaves = Array.from({ length: 64 }, (_, i) => leafHash(`${branch}-${i}`));
  return {
    leaves,
    root: (size: number) => rangeRoot(leaves, 0, size),
    checkpoint: (size: number, key = privateJwk) =>
      signCheckpoint({ origin, size, rootHash: rangeRoot(leaves, 0, size) }, key),
    proof: (from: number, to: number) => (from === 0 ? [] : consistencyProofOf(leaves, from, to)),
  };
}

const publicOf = ({ d: _d, ...jwk }: JWK): JWK => jwk;

/** The body of a witness's /readyz. */
interface Readiness {
  readonly status: string;
  readonly name: string;
  readonly vkey: string;
}

describe('the witness (C2SP tlog-witness add-checkpoint, from outside over HTTP)', () => {
  let dir: string;
  let logKey: JWK;
  let logNoteKey: NoteKey;
  /** The logs the witness knows: origin → the keys of the log. */
  let trusted: Map<string, NoteKey[]>;
  let log: ReturnType<typeof makeLog>;
  let events: WitnessEvent[];
  let url: string;
  let stop: () => Promise<void>;

  async function start() {
    events = [];
    const witness = await openWitness({
      name: NAME,
      dataDir: dir,
      logKeys: staticLogKeys(trusted),
      log: (event) => events.push(event),
    });
    const server = await startWitnessServer(witness, { port: 0 });
    url = server.url;
    stop = async () => {
      await server.close();
      witness.release();
    };
    return witness;
  }

  const post = (body: string) => fetch(`${url}/add-checkpoint`, { method: 'POST', body });
  const add = async (oldSize: number, proof: readonly Uint8Array[], note: string) =>
    post(addCheckpointBody(oldSize, proof, note));
  /** Cosigns size `to` of `l` from `from` (the size the witness holds). */
  const grow = async (from: number, to: number, l = log) => add(from, l.proof(from, to), await l.checkpoint(to));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'poortwachter-witness-'));
    logKey = (await generateSigningKey('ed25519')).privateKey;
    logNoteKey = noteKeyFromJwk(ORIGIN, NOTE_ED25519, publicOf(logKey));
    trusted = new Map([[ORIGIN, [logNoteKey]]]);
    log = makeLog(logKey);
    await start();
  });
  afterEach(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cosigns a first checkpoint (200): a cosignature line that verifies with its vkey, kept for monitors', async () => {
    const witness = await openWitnessKeyOnly();
    const note = await log.checkpoint(5);
    const res = await add(0, [], note);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const line = await res.text();
    expect(line).toMatch(/^\u2014 poortwachter\.test\/getuige [A-Za-z0-9+/=]+\n$/);
    const policy = { witnesses: [witness], quorum: 1 };
    const verified = await verifyCheckpoint(withSignatures(note, [line]), { logKeys: [logNoteKey], policy });
    expect(verified.cosigners.map((c) => c.name)).toEqual([NAME]);
    expect(verified.cosigners[0]?.timestamp).toBeGreaterThan(1_700_000_000);

    const monitored = await fetch(`${url}/${originHash(ORIGIN)}/checkpoint`);
    expect(monitored.status).toBe(200);
    const kept = await monitored.text();
    // The log's signature and the witness's own, nothing else.
    expect(parseNote(kept).signatures.map((s) => s.name)).toEqual([ORIGIN, NAME]);
    expect((await verifyCheckpoint(kept, { logKeys: [logNoteKey], policy, origin: ORIGIN })).size).toBe(5);
    expect(events).toEqual([{ event: 'cosigned', origin: ORIGIN, oldSize: 0, size: 5 }]);
  });

  it('cosigns a checkpoint that extends the one it cosigned, with the consistency proof (200)', async () => {
    expect((await grow(0, 5)).status).toBe(200);
    expect((await grow(5, 13)).status).toBe(200);
    expect((await grow(13, 13)).status).toBe(200); // the same head again
    expect((await grow(13, 64)).status).toBe(200);
    const kept = await (await fetch(`${url}/${originHash(ORIGIN)}/checkpoint`)).text();
    expect(kept.split('\n')[1]).toBe('64');
  });

  it('answers 404 for a log it does not know, and for the checkpoint of a log it never cosigned', async () => {
    const stranger = logOrigin('00000009999999999999', 'inway');
    const other = makeLog(logKey, 'a', stranger);
    const res = await add(0, [], await other.checkpoint(3));
    expect(res.status).toBe(404);
    expect(await res.text()).toContain(stranger);
    expect((await fetch(`${url}/${originHash(ORIGIN)}/checkpoint`)).status).toBe(404);
    expect((await fetch(`${url}/${originHash(stranger)}/checkpoint`)).status).toBe(404);
  });

  it('answers 403 without a signature of a trusted key, or when one of its signatures fails', async () => {
    const otherKey = (await generateSigningKey('ed25519')).privateKey;
    // Signed under the log's name by a key the witness does not trust: an unknown key, ignored.
    expect((await add(0, [], await log.checkpoint(5, otherKey))).status).toBe(403);
    // The trusted key's name and key ID, a signature that does not verify.
    const good = await log.checkpoint(5);
    const [sig] = parseNote(good).signatures;
    const bytes = Uint8Array.from(Buffer.from(sig?.line.split(' ')[2] ?? '', 'base64'));
    bytes[10] = (bytes[10] as number) ^ 1;
    const forged = good.replace(sig?.line ?? '', `\u2014 ${ORIGIN} ${Buffer.from(bytes).toString('base64')}\n`);
    expect((await add(0, [], forged)).status).toBe(403);
    // A valid signature beside a failing one of the same key: the note is malformed, still 403.
    expect((await add(0, [], `${good}\u2014 ${ORIGIN} ${Buffer.from(bytes).toString('base64')}\n`)).status).toBe(403);
    // Nothing was cosigned.
    expect((await fetch(`${url}/${originHash(ORIGIN)}/checkpoint`)).status).toBe(404);
    expect((await grow(0, 5)).status).toBe(200);
  });

  it('answers 400 for a malformed request and for an old size above the checkpoint size', async () => {
    const note = await log.checkpoint(5);
    for (const body of [
      '',
      `old 01\n\n${note}`,
      `old 0\nnot-base64!\n\n${note}`,
      `old 0\n${note}`,
      'old 0\n\nnot a note',
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await add(6, log.proof(5, 5), note)).status).toBe(400);
    expect((await fetch(`${url}/${originHash(ORIGIN)}/checkpoint`)).status).toBe(404);
  });

  it('answers 409 with the size it cosigned last (text/x.tlog.size) when the old size is not that size', async () => {
    expect((await grow(0, 10)).status).toBe(200);
    for (const old of [0, 5, 11]) {
      const res = await add(old, old === 0 ? [] : log.proof(Math.min(old, 12), 12), await log.checkpoint(12));
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toBe(TLOG_SIZE_CONTENT_TYPE);
      expect(await res.text()).toBe('10\n');
    }
    // A log that is told the size continues from it.
    expect((await grow(10, 12)).status).toBe(200);
  });

  it('answers 422 for a fork, a later head that is no extension, an empty tree with a root, and a proof from 0', async () => {
    expect((await grow(0, 8)).status).toBe(200);
    const fork = makeLog(logKey, 'b');
    // Two heads of the same size.
    expect((await add(8, [], await fork.checkpoint(8))).status).toBe(422);
    // A later head of another branch: its proof does not lead to the root the witness holds.
    expect((await add(8, fork.proof(8, 20), await fork.checkpoint(20))).status).toBe(422);
    // The right tree with a wrong proof.
    expect((await add(8, fork.proof(8, 20), await log.checkpoint(20))).status).toBe(422);
    expect(events.filter((e) => e.event === 'inconsistent')).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ event: 'inconsistent', origin: ORIGIN, cosignedSize: 8, size: 20 });

    const fresh = logOrigin('00000001234567890000', 'other');
    const freshLog = makeLog(logKey, 'c', fresh);
    trusted.set(fresh, [noteKeyFromJwk(fresh, NOTE_ED25519, publicOf(logKey))]);
    // Size 0 must have the empty tree's root.
    const notEmpty = await signCheckpoint({ origin: fresh, size: 0, rootHash: freshLog.root(1) }, logKey);
    expect((await add(0, [], notEmpty)).status).toBe(422);
    expect(
      (await add(0, [], await signCheckpoint({ origin: fresh, size: 0, rootHash: emptyRoot() }, logKey))).status,
    ).toBe(200);
    // From old size 0 the proof is empty.
    expect((await add(0, freshLog.proof(1, 4), await freshLog.checkpoint(4))).status).toBe(422);
    expect((await add(0, [], await freshLog.checkpoint(4))).status).toBe(200);
  });

  it('keeps refusing after a restart: its state per log is on disk (0600), and its key stays the same', async () => {
    expect((await grow(0, 8)).status).toBe(200);
    const vkeyBefore = (await (await fetch(`${url}/readyz`)).json()) as Readiness;
    await stop();
    await start();
    const fork = makeLog(logKey, 'b');
    expect((await add(8, [], await fork.checkpoint(8))).status).toBe(422);
    expect((await add(8, fork.proof(8, 20), await fork.checkpoint(20))).status).toBe(422);
    const res = await add(0, [], await fork.checkpoint(3));
    expect(res.status).toBe(409);
    expect(await res.text()).toBe('8\n');
    expect((await grow(8, 9)).status).toBe(200);
    expect(((await (await fetch(`${url}/readyz`)).json()) as Readiness).vkey).toBe(vkeyBefore.vkey);
    expect(statSync(join(dir, 'witness', `${originHash(ORIGIN)}.json`)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'witness-key.jwk.json')).mode & 0o777).toBe(0o600);
  });

  it('never rolls a log back when requests race: of concurrent requests from the same old size, one wins', async () => {
    expect((await grow(0, 4)).status).toBe(200);
    const sizes = [5, 6, 7, 9, 12, 20, 33, 40, 50, 64];
    const answers = await Promise.all(sizes.map((to) => grow(4, to)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(sizes.length - 1);
    const winner = sizes[statuses.indexOf(200)] as number;
    for (const r of answers.filter((a) => a.status === 409)) expect(await r.text()).toBe(`${winner}\n`);
    const kept = await (await fetch(`${url}/${originHash(ORIGIN)}/checkpoint`)).text();
    expect(kept.split('\n')[1]).toBe(String(winner));

    // The spec's race: A (the same head again) and B (a later one), both from the size it holds. B is
    // cosigned either way; A only when it came first, else it is told 64: the log never goes back.
    const [a, b] = await Promise.all([grow(winner, winner), grow(winner, 64)]);
    expect(b.status).toBe(200);
    if (a.status !== 200) {
      expect(a.status).toBe(409);
      expect(await a.text()).toBe('64\n');
    }
    const kept2 = await (await fetch(`${url}/${originHash(ORIGIN)}/checkpoint`)).text();
    expect(kept2.split('\n')[1]).toBe('64');
  });

  it('lets one process hold a data folder: a second witness on it refuses to start', async () => {
    await expect(openWitness({ name: NAME, dataDir: dir, logKeys: staticLogKeys(new Map()) })).rejects.toBeInstanceOf(
      FileLockedError,
    );
  });

  it('answers /healthz and /readyz (name and vkey), 405 for other methods, 413 for a body too large', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as Readiness;
    expect(body).toMatchObject({ status: 'ready', name: NAME });
    expect(parseVkey(body.vkey).name).toBe(NAME);
    const get = await fetch(`${url}/add-checkpoint`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await post(`old 0\n\n${'x'.repeat(70 * 1024)}`)).status).toBe(413);
  });

  /** The witness's public note key, read back from its /readyz. */
  async function openWitnessKeyOnly(): Promise<NoteKey> {
    const body = (await (await fetch(`${url}/readyz`)).json()) as Readiness;
    return parseVkey(body.vkey);
  }
});
