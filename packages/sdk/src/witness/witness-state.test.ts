import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { originHash, type WitnessLogState, WitnessStateError, witnessStore } from './witness-state.ts';

const ORIGIN = 'poortwachter/log/00000001234567890000/brp-inway';
const state = (size: number): WitnessLogState => ({
  origin: ORIGIN,
  size,
  rootHash: new Uint8Array(32).fill(size),
  note: `${ORIGIN}\n${size}\n…\n`,
  cosignedAt: 1_800_000_000 + size,
});

describe('the witness state', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'poortwachter-witness-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('decides the updates of one log one after the other, even when a decision waits in between', async () => {
    const store = witnessStore(dir);
    await store.update(ORIGIN, async () => ({ next: state(4), result: undefined }));
    // Each decision reads the size, waits (as a slow signature would), and moves on only from that size.
    const decisions = [9, 5, 7].map((size, i) =>
      store.update(ORIGIN, async (current) => {
        const from = current?.size ?? 0;
        await sleep(20 - i * 5);
        return from === 4 ? { next: state(size), result: size } : { result: -from };
      }),
    );
    const results = await Promise.all(decisions);
    // The first in line wins; the others saw its size, not the old one.
    expect(results).toEqual([9, -9, -9]);
    expect(store.read(ORIGIN)?.size).toBe(9);
    expect(store.readByHash(originHash(ORIGIN))?.cosignedAt).toBe(1_800_000_009);
  });

  it('keeps deciding after a decision failed', async () => {
    const store = witnessStore(dir);
    await expect(store.update(ORIGIN, async () => Promise.reject(new Error('disk')))).rejects.toThrow('disk');
    expect(await store.update(ORIGIN, async (current) => ({ next: state(1), result: current }))).toBeUndefined();
    expect(store.read(ORIGIN)?.size).toBe(1);
  });

  it('refuses a state file that is not one rather than forget what it cosigned', async () => {
    const store = witnessStore(dir);
    await store.update(ORIGIN, async () => ({ next: state(3), result: undefined }));
    const file = join(dir, `${originHash(ORIGIN)}.json`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      origin: ORIGIN,
      size: 3,
      cosigned_at: 1_800_000_003,
    });
    writeFileSync(file, '{"origin":"poortwachter/log/00000001234567890000/other","size":3}');
    expect(() => store.read(ORIGIN)).toThrow(WitnessStateError);
    writeFileSync(file, 'not json');
    expect(() => store.read(ORIGIN)).toThrow(WitnessStateError);
    expect(store.readByHash('../../etc/passwd')).toBeUndefined();
  });
});
