import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CheckpointError,
  COSIGNATURE_ED25519,
  cosignCheckpoint,
  equalBytes,
  formatVkey,
  NoteError,
  type NoteKey,
  noteKeyFromJwk,
  type Organisation,
  parseAddCheckpoint,
  parseCheckpointText,
  parseNote,
  TLOG_SIZE_CONTENT_TYPE,
  verifyCheckpoint,
  verifyConsistency,
} from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { DirectoryIndex } from '../directory/directory-index.ts';
import type { DirectoryProvider } from '../directory/directory-provider.ts';

/** A minimal witness for tests (C2SP tlog-witness add-checkpoint), on 127.0.0.1; state in memory. */
export interface TestWitness {
  readonly name: string;
  readonly vkey: string;
  /** The submission prefix (`http://127.0.0.1:<port>`). */
  readonly url: string;
  readonly key: NoteKey;
  /** The head it cosigned last per origin. */
  state(origin: string): { size: number; rootHash: Uint8Array } | undefined;
  /** Sets what it holds for an origin (a witness that saw another history); undefined forgets it. */
  hold(origin: string, head: { size: number; rootHash: Uint8Array } | undefined): void;
  /** While down it answers every request 503. */
  setDown(down: boolean): void;
  /** add-checkpoint requests it answered, by status. */
  readonly answered: number[];
  close(): Promise<void>;
}

const EMPTY_ROOT = createHash('sha256').digest();

/**
 * The add-checkpoint rules of C2SP tlog-witness in a test helper (the real witness is the sdk's): 404
 * unknown origin, 403 not signed by the log, 400 malformed or old size above the size, 409 with
 * `text/x.tlog.size` when the old size is not the one it holds, 422 when the proof or the root does
 * not match; the check and the update with no await between them.
 */
export async function startTestWitness(options: {
  name: string;
  /** The log keys of an origin it knows; undefined: an unknown origin (404). */
  logKeys: (origin: string) => readonly NoteKey[] | undefined;
}): Promise<TestWitness> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
  const key = noteKeyFromJwk(options.name, COSIGNATURE_ED25519, publicKey.export({ format: 'jwk' }) as JWK);
  const heads = new Map<string, { size: number; rootHash: Uint8Array }>();
  const answered: number[] = [];
  let down = false;

  async function addCheckpoint(body: string): Promise<{ status: number; type?: string; body: string }> {
    let request: ReturnType<typeof parseAddCheckpoint>;
    let checkpoint: ReturnType<typeof parseCheckpointText>;
    try {
      request = parseAddCheckpoint(body);
      checkpoint = parseCheckpointText(parseNote(request.note).text);
    } catch (error) {
      if (error instanceof NoteError) return { status: 400, body: `${error.message}\n` };
      throw error;
    }
    const logKeys = options.logKeys(checkpoint.origin);
    if (!logKeys) return { status: 404, body: 'unknown origin\n' };
    try {
      await verifyCheckpoint(request.note, {
        logKeys,
        policy: { witnesses: [], quorum: 0 },
        origin: checkpoint.origin,
      });
    } catch (error) {
      if (error instanceof CheckpointError) return { status: 403, body: `${error.message}\n` };
      throw error;
    }
    if (request.oldSize > checkpoint.size) return { status: 400, body: 'old size above the size\n' };
    // From here to the update nothing awaits: two requests can never both pass the same old size.
    const held = heads.get(checkpoint.origin) ?? { size: 0, rootHash: EMPTY_ROOT };
    if (request.oldSize !== held.size) return { status: 409, type: TLOG_SIZE_CONTENT_TYPE, body: `${held.size}\n` };
    if (checkpoint.size === 0 && !equalBytes(checkpoint.rootHash, EMPTY_ROOT)) return { status: 422, body: 'empty\n' };
    if (request.oldSize === 0 && request.proof.length > 0) return { status: 422, body: 'proof from 0\n' };
    if (request.oldSize === checkpoint.size) {
      if (!equalBytes(held.rootHash, checkpoint.rootHash)) return { status: 422, body: 'another root\n' };
    } else if (request.oldSize > 0) {
      try {
        verifyConsistency(request.oldSize, checkpoint.size, request.proof, held.rootHash, checkpoint.rootHash);
      } catch {
        return { status: 422, body: 'not consistent\n' };
      }
    }
    heads.set(checkpoint.origin, { size: checkpoint.size, rootHash: checkpoint.rootHash });
    const line = await cosignCheckpoint(
      request.note,
      { name: options.name, privateJwk },
      Math.floor(Date.now() / 1000),
    );
    return { status: 200, body: line };
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
        answered.push(status);
        res.writeHead(status, { 'content-type': type }).end(body);
      };
      if (down) return reply(503, 'down\n');
      if (req.method !== 'POST' || req.url !== '/add-checkpoint') return reply(404, 'not found\n');
      addCheckpoint(Buffer.concat(chunks).toString('utf8')).then(
        (r) => reply(r.status, r.body, r.type),
        (error: unknown) => reply(500, `${String(error)}\n`),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name: options.name,
    vkey: formatVkey(key),
    url: `http://127.0.0.1:${port}`,
    key,
    answered,
    state: (origin) => heads.get(origin),
    hold(origin, head) {
      if (head) heads.set(origin, head);
      else heads.delete(origin);
    },
    setDown(value) {
      down = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The verified directory with `witnesses` listed and a quorum (what the registry publishes), and
 * optionally another key of an organisation (a provider whose seeded key is P-256 gets an Ed25519
 * one, so its log has checkpoints); recomputed per snapshot.
 */
export function withWitnesses(
  verified: DirectoryProvider,
  witnesses: () => readonly Pick<TestWitness, 'name' | 'vkey' | 'url'>[],
  quorum: number,
  extra?: { oin: string; key: JWK },
): DirectoryProvider {
  let cache: { real: DirectoryIndex; listed: string; index: DirectoryIndex } | undefined;
  const added = (o: Organisation): Organisation => {
    if (!extra || o.oin !== extra.oin) return o;
    const { d: _d, ...jwk } = extra.key;
    const key = {
      kid: extra.key.kid ?? '',
      jwk: jwk as Organisation['keys'][number]['jwk'],
      status: 'active' as const,
      revokedAt: null,
      validFrom: '2026-01-01T00:00:00Z',
      validTo: null,
    };
    return { ...o, keys: [...o.keys, key] };
  };
  return {
    status: () => verified.status(),
    current() {
      const real = verified.current();
      const listed = witnesses().map((w) => ({ name: w.name, vkey: w.vkey, url: w.url }));
      if (cache?.real !== real || cache.listed !== JSON.stringify(listed)) {
        const snapshot = {
          ...real.snapshot,
          organisations: real.snapshot.organisations.map(added),
          witnesses: listed,
          witness_quorum: quorum,
        };
        cache = { real, listed: JSON.stringify(listed), index: new DirectoryIndex(snapshot) };
      }
      return cache.index;
    },
  };
}
