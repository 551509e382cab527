/**
 * `pnpm bench:merkle` (also run by `pnpm bench`): proof generation at scale, on SQLite. Fills one
 * log with BENCH_LEAVES leaves (default 10 000 000; random leaf hashes, with every perfect subtree
 * stored as the gateway stores them; cached under bench/.data/), then times inclusion proofs for
 * random leaves and consistency proofs from random sizes against the full tree, each checked with the
 * sdk's verifier (outside the timing). A benchmark, not a test: it prints figures.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  consistencyProof,
  type GatewayDatabase,
  inclusionProof,
  loadTree,
  migrateGateway,
} from '@poortwachter/gateway';
import { CompactRange, verifyConsistency, verifyInclusion } from '@poortwachter/protocol';
import { openDatabase } from '@poortwachter/registry';
import { BENCH_DATA } from './fill-access-log.ts';
import { percentile } from './load.ts';

const leaves = Number(process.env.BENCH_LEAVES ?? 10_000_000);
const LOG = 'bench';
mkdirSync(BENCH_DATA, { recursive: true });
const file = join(BENCH_DATA, `merkle-${leaves}.db`);
const rootsFile = `${file}.roots.json`;

if (!existsSync(file) || !existsSync(rootsFile)) {
  process.stderr.write(`filling a log of ${leaves.toLocaleString('en')} leaves (one-off; cached in bench/.data/)…\n`);
  const tmp = `${file}.filling`;
  rmSync(tmp, { force: true });
  const opened = openDatabase<GatewayDatabase>(`sqlite:${tmp}`);
  await migrateGateway(opened.db as never);
  const sqlite = opened.sqlite;
  if (!sqlite) throw new Error('expected SQLite');
  sqlite.pragma('synchronous = OFF');
  const leaf = sqlite.prepare(
    'insert into merkle_leaves (log_id, leaf_index, record_id, leaf_hash) values (?, ?, ?, ?)',
  );
  const node = sqlite.prepare('insert into merkle_nodes (log_id, level, node_index, hash) values (?, ?, ?, ?)');
  const range = new CompactRange();
  // Roots at a few sizes, to check consistency proofs from them.
  const roots: Record<number, string> = {};
  const checkpoints = new Set(Array.from({ length: 200 }, () => 1 + Math.floor(Math.random() * leaves)));
  const started = performance.now();
  const batch = sqlite.transaction((from: number, to: number) => {
    const random = randomBytes((to - from) * 32);
    for (let i = from; i < to; i++) {
      const hash = random.subarray((i - from) * 32, (i - from + 1) * 32);
      leaf.run(LOG, i, `leaf-${i}`, hash.toString('base64'));
      for (const n of range.append(Buffer.from(hash)))
        node.run(LOG, n.level, n.index, Buffer.from(n.hash).toString('base64'));
      if (checkpoints.has(i + 1)) roots[i + 1] = Buffer.from(range.root()).toString('base64');
    }
  });
  for (let i = 0; i < leaves; i += 50_000) {
    batch(i, Math.min(leaves, i + 50_000));
    if ((i + 50_000) % 1_000_000 === 0) {
      process.stderr.write(
        `  ${(i + 50_000).toLocaleString('en')} leaves, ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
      );
    }
  }
  roots[leaves] = Buffer.from(range.root()).toString('base64');
  await opened.close();
  renameSync(tmp, file);
  writeFileSync(rootsFile, JSON.stringify(roots));
}

const roots = JSON.parse(readFileSync(rootsFile, 'utf8')) as Record<string, string>;
const { db, close } = openDatabase<GatewayDatabase>(`sqlite:${file}`);
const loadStarted = performance.now();
const tree = await loadTree(db, LOG);
const loadMs = performance.now() - loadStarted;
if (tree.size !== leaves || Buffer.from(tree.root()).toString('base64') !== roots[leaves])
  throw new Error('the stored tree is not the one filled');
const root = tree.root();

const time = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const started = performance.now();
  const value = await fn();
  return [performance.now() - started, value];
};
const b64 = (s: string) => Buffer.from(s, 'base64');

for (let i = 0; i < 200; i++) await inclusionProof(db, LOG, Math.floor(Math.random() * leaves), leaves); // warm-up
const inclusion: number[] = [];
// The floor: the one leaf the proof is of, read by key (the same database, the same moment).
const leafFloor: number[] = [];
for (let i = 0; i < 3000; i++) {
  const index = Math.floor(Math.random() * leaves);
  const [ms, proof] = await time(() => inclusionProof(db, LOG, index, leaves));
  inclusion.push(ms);
  const [floorMs, stored] = await time(() =>
    db
      .selectFrom('merkle_leaves')
      .select('leaf_hash')
      .where('log_id', '=', LOG)
      .where('leaf_index', '=', index)
      .executeTakeFirstOrThrow(),
  );
  leafFloor.push(floorMs);
  verifyInclusion(index, leaves, b64(stored.leaf_hash), proof.map(b64), root);
}
const consistency: number[] = [];
const sizes = Object.keys(roots)
  .map(Number)
  .filter((s) => s < leaves);
for (let i = 0; i < 3000; i++) {
  const first = sizes[i % sizes.length] as number;
  const [ms, proof] = await time(() => consistencyProof(db, LOG, first, leaves));
  consistency.push(ms);
  verifyConsistency(first, leaves, proof.map(b64), b64(roots[first] as string), root);
}

const line = (label: string, values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(3).padStart(9);
  return `${label.padEnd(26)}${String(values.length).padStart(6)}${f(percentile(sorted, 50))}${f(percentile(sorted, 95))}${f(percentile(sorted, 99))}${f(sorted.at(-1) ?? 0)}`;
};
const at = (values: number[], q: number) =>
  percentile(
    [...values].sort((a, b) => a - b),
    q,
  );
const ratio = (values: number[], q: number) => (at(values, q) / at(leafFloor, q)).toFixed(1);
console.log(`
poortwachter Merkle log: ${leaves.toLocaleString('en')} leaves on SQLite (${(statSync(file).size / 1024 ** 3).toFixed(1)} GiB), node ${process.version}; tree loaded in ${loadMs.toFixed(1)} ms

proof generation (ms)      count      p50      p95      p99      max
${line('inclusion (random leaf)', inclusion)}
${line('consistency (to newest)', consistency)}
${line('floor: one leaf by key', leafFloor)}
(inclusion / floor: p50 ${ratio(inclusion, 50)}×, p99 ${ratio(inclusion, 99)}×; consistency / floor: p50 ${ratio(consistency, 50)}×, p99 ${ratio(consistency, 99)}×)
every proof verified with the sdk's RFC 9162 verifier; target p99 < 5 ms
`);
await close();
