/**
 * The order in which vitest starts the test files: the longest first, so that with two files at a time
 * (vitest.config.ts's maxWorkers) neither worker is left with a long file at the end while the other idles.
 * With the durations of an earlier run in vitest's cache, vitest's own order (longest first) is kept. A
 * clean clone (CI) has none, and vitest would order by file size, which puts the container test, a short
 * file that takes minutes, near the end; then the order goes by what a file starts: the container image,
 * then the whole system (`pnpm start`), then other processes, then nothing; by size within each.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** What a test file starts, as a rough measure of its duration: higher runs longer. */
export function weightOf(path: string, text: string): number {
  if (/(^|\/)tests\/image\//.test(path)) return 3;
  if (/startSystem\(|from '[^']*\/contract-attack\.ts'/.test(text)) return 2;
  if (/runEntry|runProcess|runCli|startEntry|spawn\(|execFile|fork\(/.test(text)) return 1;
  return 0;
}

export default class HeavyFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx;
    const key = (spec: TestSpecification) => `${spec.project.name}:${relative(config.root, spec.moduleId)}`;
    if (files.every((spec) => cache.getFileTestResults(key(spec)))) return super.sort(files);
    const ranked = files.map((spec) => {
      const text = readFileSync(spec.moduleId, 'utf8');
      return { spec, weight: weightOf(relative(config.root, spec.moduleId), text), size: text.length };
    });
    ranked.sort((a, b) => b.weight - a.weight || b.size - a.size);
    return ranked.map(({ spec }) => spec);
  }
}
