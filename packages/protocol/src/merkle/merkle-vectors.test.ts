import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MerkleProofError, verifyConsistency, verifyInclusion } from './verify.ts';

// The copy in the repository, and the reference folder itself when it sits beside the repository.
const COPY = fileURLToPath(new URL('../../test-vectors/merkle/', import.meta.url));
const REFERENCE = fileURLToPath(new URL('../../../../../shared/reference/merkle-vectors/', import.meta.url));
const SOURCES = [COPY, ...(existsSync(REFERENCE) ? [REFERENCE] : [])];
const b64 = (s: string | null | undefined) => Buffer.from(s ?? '', 'base64');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.json') ? [path] : [];
  });

type Vector = Record<string, unknown> & { desc: string; wantErr: boolean; proof: string[] | null };

const run: Record<string, (v: Vector) => void> = {
  inclusion: (v) =>
    verifyInclusion(
      v.leafIdx as number,
      v.treeSize as number,
      b64(v.leafHash as string),
      (v.proof ?? []).map(b64),
      b64(v.root as string),
    ),
  consistency: (v) =>
    verifyConsistency(
      v.size1 as number,
      v.size2 as number,
      (v.proof ?? []).map(b64),
      b64(v.root1 as string),
      b64(v.root2 as string),
    ),
};

describe.each(SOURCES)('Merkle proof verification against the reference vectors in %s', (VECTORS) => {
  for (const kind of Object.keys(run)) {
    const cases = files(join(VECTORS, kind));
    it(`${kind}: ${cases.length} cases, happy paths accepted and every tampered case rejected`, () => {
      expect(cases.length).toBeGreaterThan(10);
      const wrong: string[] = [];
      for (const file of cases) {
        const vector = JSON.parse(readFileSync(file, 'utf8')) as Vector;
        let error: unknown;
        try {
          run[kind]?.(vector);
        } catch (e) {
          error = e;
        }
        if (error !== undefined && !(error instanceof MerkleProofError)) throw error;
        if ((error !== undefined) !== vector.wantErr) {
          wrong.push(
            `${file.slice(VECTORS.length)} (${vector.desc}): ${error ? (error as Error).message : 'accepted'}`,
          );
        }
      }
      expect(wrong).toEqual([]);
    });
  }
});
