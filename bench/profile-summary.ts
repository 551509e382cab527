/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, as `BENCH_PROFILE=<dir> pnpm bench:gateway` writes
 * one for the gateway): the functions by self time and by total time, from the first sample that
 * handles a request on (start-up and module loading are left out), and optionally a flame graph (SVG)
 * and the folded stacks it is drawn from.
 *
 *   pnpm bench:profile <file.cpuprofile> [--from verifySignature] [--svg out.svg] [--folded out.txt] [--top 40]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!file) {
  console.error('usage: profile-summary <file.cpuprofile> [--from <function>] [--svg out.svg] [--folded out.txt]');
  process.exit(2);
}
const from = option('--from') ?? 'verifySignature';
const top = Number(option('--top') ?? 40);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: ProfileNode) => {
  const { functionName, url } = n.callFrame;
  const where = url ? basename(url.replace(/\?.*$/, '')) : '';
  return `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
};
const stackOf = (id: number) => {
  const stack: ProfileNode[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const node = byId.get(at);
    if (node) stack.push(node);
  }
  return stack.reverse().slice(1); // without (root)
};

// Samples from the first one whose stack holds `from`, so that start-up is not in the figures.
const stacks = new Map<number, ProfileNode[]>();
const stackFor = (id: number) => {
  let s = stacks.get(id);
  if (!s) {
    s = stackOf(id);
    stacks.set(id, s);
  }
  return s;
};
let started = false;
const self = new Map<string, number>();
const total = new Map<string, number>();
const folded = new Map<string, number>();
let all = 0;
let idle = 0;
profile.samples.forEach((id, i) => {
  const stack = stackFor(id);
  if (!started) started = stack.some((n) => n.callFrame.functionName.startsWith(from));
  if (!started) return;
  const us = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
  const leaf = stack.at(-1);
  if (!leaf) return;
  if (leaf.callFrame.functionName === '(idle)') {
    idle += us;
    return;
  }
  all += us;
  self.set(label(leaf), (self.get(label(leaf)) ?? 0) + us);
  for (const name of new Set(stack.map(label))) total.set(name, (total.get(name) ?? 0) + us);
  const key = stack.map(label).join(';');
  folded.set(key, (folded.get(key) ?? 0) + us);
});
if (!started) {
  console.error(`no sample has ${from} on its stack`);
  process.exit(1);
}

const pct = (us: number) => `${((100 * us) / all).toFixed(1).padStart(5)} %`;
const list = (m: Map<string, number>, title: string) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  }
};
console.log(
  `${basename(file)}: ${(all / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle, from the first sample in ${from}`,
);
list(self, 'self time');
list(total, 'total time (the function and what it calls)');

const foldedOut = option('--folded');
if (foldedOut) {
  writeFileSync(foldedOut, [...folded].map(([k, v]) => `${k} ${v}`).join('\n'));
}
const svgOut = option('--svg');
if (svgOut) writeFileSync(svgOut, flameGraph(folded, all));

/** A flame graph (Brendan Gregg's layout: callers below, width = time) as a self-contained SVG. */
function flameGraph(stacksWithTime: Map<string, number>, sum: number): string {
  interface Frame {
    name: string;
    us: number;
    children: Map<string, Frame>;
  }
  const rootFrame: Frame = { name: 'all', us: 0, children: new Map() };
  for (const [key, us] of stacksWithTime) {
    let at = rootFrame;
    at.us += us;
    for (const name of key.split(';')) {
      let next = at.children.get(name);
      if (!next) {
        next = { name, us: 0, children: new Map() };
        at.children.set(name, next);
      }
      next.us += us;
      at = next;
    }
  }
  const width = 1600;
  const row = 17;
  const rects: string[] = [];
  let depthMax = 0;
  const draw = (frame: Frame, x: number, depth: number) => {
    const w = (frame.us / sum) * width;
    if (w < 0.3) return;
    depthMax = Math.max(depthMax, depth);
    const hue = frame.name.includes('node_modules') || !frame.name.includes('.ts') ? 30 : 200;
    const light = 55 + ((frame.name.length * 7) % 20);
    const text = w > 40 ? frame.name.slice(0, Math.floor(w / 7)) : '';
    rects.push(
      `<g><title>${escapeXml(frame.name)}: ${((100 * frame.us) / sum).toFixed(2)} %</title><rect x="${x.toFixed(1)}" y="{Y${depth}}" width="${w.toFixed(1)}" height="${row - 1}" fill="hsl(${hue},70%,${light}%)"/>` +
        (text ? `<text x="${(x + 3).toFixed(1)}" y="{T${depth}}">${escapeXml(text)}</text>` : '') +
        '</g>',
    );
    let childX = x;
    for (const child of [...frame.children.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      draw(child, childX, depth + 1);
      childX += (child.us / sum) * width;
    }
  };
  draw(rootFrame, 0, 0);
  const height = (depthMax + 2) * row;
  const body = rects
    .join('\n')
    .replace(/\{Y(\d+)\}/g, (_m, d) => String(height - (Number(d) + 1) * row))
    .replace(/\{T(\d+)\}/g, (_m, d) => String(height - (Number(d) + 1) * row + 12));
  const title =
    'CPU flame graph: each bar a function, as wide as its share of the samples, above the function that called it';
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${title}" width="${width}" height="${height}" font-family="monospace" font-size="11">\n<title>${title}</title>\n<rect width="100%" height="100%" fill="#fff"/>\n${body}\n</svg>\n`;
}

function escapeXml(s: string) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
