/**
 * The coverage report as an accessible HTML page for the auditor (server-rendered, no script): the
 * same figures and findings as `poortwachter audit coverage`, a chart of accesses per day per afnemer
 * with its figures as a table beside it, and links to the same CSV and JSON exports.
 */

import { escapeControlCharacters } from '@poortwachter/protocol';
import type { CoverageVerification } from '../audit/verify-coverage.ts';
import type { CoverageReport } from '../auditor-client.ts';
import type { MissingGateway } from '../citizen-client.ts';
import { acceptancesOf, findingsOf, rowsOf } from './coverage-export.ts';

export interface CoveragePageInput {
  readonly auditor: string;
  readonly from: string;
  readonly to: string;
  readonly verify: boolean;
  readonly reports: readonly { gateway: string; report: CoverageReport; verification?: CoverageVerification }[];
  readonly missing: readonly MissingGateway[];
  readonly nameOf: (oin: string) => string;
  /** A problem with the form's input, named by field. */
  readonly problem?: { readonly field: string; readonly message: string };
}

/**
 * Text as HTML text or attribute value: markup characters as entities, and each control character
 * (a line break, an escape, a bidi override from an old registry row) written as its visible escape,
 * as the CLI shows it, so a name cannot read differently on the page than it is.
 */
export const escapeHtml = (text: string | number) =>
  escapeControlCharacters(String(text)).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
const e = escapeHtml;

/**
 * A table in a scrolling region, named by its caption and, where the page has one per gateway, by the
 * heading of its report (`within`), so that each region's name is unique on the page.
 */
function tableHtml(
  caption: string,
  headers: string[],
  rows: (string | number)[][],
  id?: string,
  within?: string,
): string {
  if (rows.length === 0) return `<p>${e(caption)}: none.</p>`;
  return `<div class="scroll" role="region" aria-labelledby="${id ?? ''}cap${within ? ` ${within}` : ''}" tabindex="0"><table>
<caption id="${id ?? ''}cap">${e(caption)}</caption>
<thead><tr>${headers.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr></thead>
<tbody>${rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${e(c)}</th>` : `<td>${e(c)}</td>`)).join('')}</tr>`).join('\n')}</tbody>
</table></div>`;
}

// Okabe-Ito: told apart with the common forms of colour blindness; the legend and the table name each one.
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#994F00'];

/** Days from `from` to `to` (inclusive), as `2026-12-03`. */
function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const start = Date.parse(`${from.slice(0, 10)}T00:00:00Z`);
  const end = Date.parse(`${to.slice(0, 10)}T00:00:00Z`);
  for (let t = start; t <= end && days.length < 400; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** Accesses per day per afnemer as an SVG line chart, and the same figures as a table. */
export function accessChart(report: CoverageReport, from: string, to: string, id: string, within?: string): string {
  const perAfnemer = new Map<string, Map<string, number>>();
  for (const row of report.rows) {
    const days = perAfnemer.get(row.afnemer.name) ?? new Map<string, number>();
    for (const d of row.accessesPerDay) days.set(d.day, (days.get(d.day) ?? 0) + d.n);
    perAfnemer.set(row.afnemer.name, days);
  }
  const series = [...perAfnemer].filter(([, days]) => days.size > 0);
  if (series.length === 0) return '<p>No accesses in this period, so no chart.</p>';
  const days = daysBetween(from, to);
  const max = Math.max(1, ...series.flatMap(([, d]) => [...d.values()]));
  const width = 720;
  const height = 260;
  const pad = { left: 48, right: 16, top: 16, bottom: 40 };
  const plot = width - pad.left - pad.right;
  // A group of bars per day, one bar per afnemer: readable for one day as for a month.
  const group = plot / days.length;
  const bar = Math.max(1, (group * 0.8) / series.length);
  const y = (n: number) => height - pad.bottom - (n / max) * (height - pad.top - pad.bottom);
  const ticks = [...new Set([0, Math.round(max / 2), max])];
  const labelEvery = Math.max(1, Math.ceil(days.length / 8));
  const bars = series
    .map(([name, counts], s) => {
      const colour = COLOURS[s % COLOURS.length] as string;
      const rects = days.flatMap((d, i) => {
        const n = counts.get(d) ?? 0;
        if (n === 0) return [];
        const x = pad.left + i * group + group * 0.1 + s * bar;
        const top = y(n);
        return [
          `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${bar.toFixed(1)}" height="${(height - pad.bottom - top).toFixed(1)}"><title>${e(name)}, ${d}: ${n}</title></rect>`,
        ];
      });
      return `<g fill="${colour}">${rects.join('')}</g>`;
    })
    .join('\n');
  const legend = series
    .map(([name], s) => {
      const colour = COLOURS[s % COLOURS.length] as string;
      return `<li><svg width="16" height="16" aria-hidden="true" focusable="false"><rect width="16" height="16" fill="${colour}"/></svg> ${e(name)}</li>`;
    })
    .join('');
  const total = series.reduce((n, [, d]) => n + [...d.values()].reduce((a, b) => a + b, 0), 0);
  const axis = ticks
    .map(
      (t) =>
        `<g aria-hidden="true"><line x1="${pad.left}" x2="${width - pad.right}" y1="${y(t)}" y2="${y(t)}" stroke="#b4b4b4"/><text x="${pad.left - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text></g>`,
    )
    .join('');
  const labels = days
    .map((d, i) =>
      i % labelEvery === 0
        ? `<text aria-hidden="true" x="${(pad.left + (i + 0.5) * group).toFixed(1)}" y="${height - 12}" text-anchor="middle">${e(d.slice(5))}</text>`
        : '',
    )
    .join('');
  const svg = `<svg viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-title ${id}-desc" class="chart">
<title id="${id}-title">Accesses per day per afnemer, ${e(from)} to ${e(to)}</title>
<desc id="${id}-desc">${series.length} afnemers, ${total} accesses in all, at most ${max} on one day. The table below the chart has every figure.</desc>
${axis}
${labels}
${bars}
</svg>`;
  const table = tableHtml(
    'Accesses per day (UTC) per afnemer',
    ['day', ...series.map(([name]) => name)],
    days.filter((d) => series.some(([, c]) => c.has(d))).map((d) => [d, ...series.map(([, c]) => c.get(d) ?? 0)]),
    `${id}-t`,
    within,
  );
  return `<figure>${svg}<figcaption><ul class="legend">${legend}</ul></figcaption></figure>
<details><summary>The chart's figures as a table</summary>${table}</details>`;
}

function reportSection(entry: CoveragePageInput['reports'][number], input: CoveragePageInput, index: number): string {
  const { report, gateway, verification } = entry;
  const t = report.totals;
  const named = (oin: string) => `${input.nameOf(oin)} (${oin})`;
  const findings = findingsOf(report, input.nameOf);
  const unused = report.rows.filter((r) => r.accesses > 0 && r.fieldsUnused.length > 0);
  const invalid = report.invalidAccesses;
  return `<section aria-labelledby="gw${index}">
<h2 id="gw${index}">${e(report.serviceId)} at ${e(gateway)}</h2>
<p>Directory serial ${report.directorySerial}; registry history: ${e(report.history.source)} (${report.history.changes} changes); computed on the signed tree heads ${e(report.heads.map((h) => `${h.log_id} size ${h.tree_size}`).join(', ') || 'none')}.</p>
${
  input.verify
    ? verification?.verified
      ? `<p class="good" id="verified-${index}"><strong>Verified:</strong> recomputed on this machine from ${verification.entries} proven log entries; the report is the same.</p>`
      : `<div class="bad" role="alert"><p><strong>Not verified.</strong></p><ul>${(verification?.differences ?? ['no verification was made']).map((d) => `<li>${e(d)}</li>`).join('')}</ul></div>`
    : '<p>Not recomputed from the log (tick “Verify” to prove the figures on this machine).</p>'
}
<dl class="totals">
<div><dt>Accesses</dt><dd>${t.accesses}</dd></div>
<div><dt>Data subjects</dt><dd>${t.dataSubjects}</dd></div>
<div><dt>Refusals</dt><dd>${t.refusals}</dd></div>
<div class="${t.invalidAccesses > 0 ? 'bad' : ''}"><dt>Not covered at their moment</dt><dd id="invalid-${index}">${t.invalidAccesses}</dd></div>
<div><dt>Unused authorisations</dt><dd>${t.unusedFieldFindings}</dd></div>
<div><dt>Expiring within 30 days</dt><dd>${t.expiringAutorisaties}</dd></div>
<div><dt>Dormant</dt><dd>${t.dormantAutorisaties}</dd></div>
</dl>
<h3 id="invalid-title-${index}">Accesses not covered at their moment (must be none): ${t.invalidAccesses}</h3>
${
  invalid.length > 0
    ? `<div class="bad-block">${tableHtml(
        'Accesses whose autorisatie, verwerkingsactiviteit version or grondslag was not valid at that moment',
        ['record', 'at', 'afnemer', 'version', 'why'],
        invalid.map((a) => [a.id, a.at, named(a.afnemerOin), a.processingActivityVersion, a.reasons.join('; ')]),
        `inv${index}`,
        `gw${index}`,
      )}</div>`
    : '<p class="good">None: every access was covered by a valid autorisatie and grondslag at its moment.</p>'
}
<h3>Accesses over time</h3>
${accessChart(report, input.from, input.to, `chart${index}`, `gw${index}`)}
<h3>Per afnemer and verwerkingsactiviteit</h3>
${tableHtml(
  'Accesses, data subjects, fields used of authorised, and refusals',
  ['afnemer', 'verwerkingsactiviteit', 'accesses', 'subjects', 'fields used', 'unused', 'refusals'],
  rowsOf(report).map((r) => [r.afnemer, r.activity, r.accesses, r.subjects, r.used, r.unused, r.refusals || '—']),
  `rows${index}`,
  `gw${index}`,
)}
<h3>Who accepted each autorisatie</h3>
${tableHtml(
  'Who accepted each autorisatie (contract) and when: only signatures this page verified itself',
  ['autorisatie', 'afnemer', 'verwerkingsactiviteit', 'accepted by'],
  acceptancesOf(report).map((a) => [a.autorisatie, a.afnemer, a.activity, a.acceptedBy]),
  `acc${index}`,
  `gw${index}`,
)}
<h3>Authorised but unused fields (data minimisation): ${unused.length}</h3>
${tableHtml(
  'Fields an afnemer may receive but did not use in the period',
  ['afnemer', 'verwerkingsactiviteit', 'unused fields'],
  unused.map((r) => [r.afnemer.name, r.processingActivity.name, r.fieldsUnused.join(', ')]),
  `unused${index}`,
  `gw${index}`,
)}
<h3>Autorisaties expiring within 30 days: ${report.expiringAutorisaties.length}</h3>
${tableHtml(
  'Expiring autorisaties',
  ['autorisatie', 'afnemer', 'valid to', 'days left'],
  report.expiringAutorisaties.map((a) => [a.id, named(a.afnemerOin), a.validTo, a.daysLeft]),
  `exp${index}`,
  `gw${index}`,
)}
<h3>Dormant autorisaties (no access in the period): ${report.dormantAutorisaties.length}</h3>
${tableHtml(
  'Dormant autorisaties',
  ['autorisatie', 'afnemer', 'verwerkingsactiviteit'],
  report.dormantAutorisaties.map((a) => [a.id, named(a.afnemerOin), a.processingActivityId]),
  `dorm${index}`,
  `gw${index}`,
)}
<p class="count">${findings.length} findings in all.</p>
</section>`;
}

/** The whole page. */
export function coveragePage(input: CoveragePageInput): string {
  const q = new URLSearchParams({ from: input.from, to: input.to });
  const problem = input.problem;
  const field = (name: string, label: string, value: string) =>
    `<div><label for="${name}">${label}</label><input id="${name}" name="${name}" type="date" value="${e(value)}"${problem?.field === name ? ` aria-invalid="true" aria-describedby="${name}-error"` : ''}>${problem?.field === name ? `<p class="error" id="${name}-error">${e(problem.message)}</p>` : ''}</div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${problem ? 'Coverage report: the period is not valid' : `Coverage report ${e(input.from)} to ${e(input.to)}`}: poortwachter auditor</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<a class="skip" href="#main">Skip to the report</a>
<header><div class="wrap"><p><strong>poortwachter</strong> auditor's page, on this machine only. Signed as ${e(input.auditor)}; the key never leaves this computer.</p></div></header>
<main id="main" class="wrap" tabindex="-1">
<h1>Coverage report</h1>
<form method="get" action="/" class="period" aria-labelledby="period-title">
<h2 id="period-title">Period</h2>
${problem ? `<p class="error" role="alert">${e(problem.message)}</p>` : ''}
<div class="fields">
${field('from', 'From (inclusive)', input.from)}
${field('to', 'To (inclusive)', input.to)}
<div class="check"><input id="verify" name="verify" type="checkbox" value="1"${input.verify ? ' checked' : ''}><label for="verify">Verify: recompute from the proven log</label></div>
<button type="submit">Show report</button>
</div>
</form>
${
  problem
    ? ''
    : `<p class="exports">Download: <a href="/coverage.csv?${q}" download>CSV</a> · <a href="/coverage.json?${q}" download>JSON</a> (the same as <code>poortwachter audit coverage --format csv|json</code>)</p>
${
  input.missing.length > 0
    ? `<div class="bad" role="alert"><h2>Gateways that gave no report</h2><ul>${input.missing.map((m) => `<li>${e(m.gateway)} (${e(m.service)}): ${e(m.reason)}</li>`).join('')}</ul></div>`
    : ''
}
${input.reports.map((r, i) => reportSection(r, input, i)).join('\n')}`
}
</main>
</body>
</html>`;
}

export const COVERAGE_PAGE_CSS = `:root { --blue: #154273; --text: #1a1a1a; --bad: #a4001d; --good: #1e6b2e; --focus: #ffb612; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, sans-serif; font-size: 1.0625rem; line-height: 1.5; color: var(--text); overflow-wrap: anywhere; }
.wrap { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
header { background: var(--blue); color: #fff; }
header p { margin: 0; padding: 0.75rem 0; }
h1 { color: var(--blue); }
a { color: var(--blue); }
a:focus-visible, button:focus-visible, input:focus-visible, summary:focus-visible, [tabindex]:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; box-shadow: 0 0 0 5px var(--text); }
.skip { position: absolute; left: -9999px; background: #fff; padding: 0.5rem; }
.skip:focus { left: 1rem; top: 0.5rem; }
.period { border: 1px solid #b4b4b4; border-radius: 4px; padding: 0 1rem 1rem; background: #f3f3f3; }
.fields { display: flex; flex-wrap: wrap; gap: 0.75rem 1rem; align-items: end; }
.fields > div { flex: 1 1 12rem; }
.fields .check { display: flex; gap: 0.5rem; align-items: center; }
label { font-weight: 600; display: block; }
.check label { display: inline; }
input[type=date] { font: inherit; width: 100%; padding: 0.4rem; border: 2px solid var(--text); border-radius: 4px; }
input[type=checkbox] { width: 1.5rem; height: 1.5rem; }
button { font: inherit; padding: 0.5rem 1rem; background: var(--blue); color: #fff; border: 2px solid var(--blue); border-radius: 4px; min-height: 2.75rem; cursor: pointer; }
.error { color: var(--bad); font-weight: 600; }
.bad { color: var(--bad); }
div.bad { border: 3px solid var(--bad); border-radius: 4px; padding: 0 1rem; margin: 1rem 0; }
.bad-block { border-left: 8px solid var(--bad); padding-left: 0.75rem; }
.good { color: var(--good); }
.totals { display: flex; flex-wrap: wrap; gap: 0.5rem; padding: 0; }
.totals > div { border: 1px solid #b4b4b4; border-radius: 4px; padding: 0.5rem 0.75rem; flex: 1 1 9rem; }
.totals dt { font-size: 0.95rem; }
.totals dd { margin: 0; font-size: 1.5rem; font-weight: 700; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; min-width: 100%; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { border: 1px solid #b4b4b4; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #e8eef5; }
.chart { width: 100%; height: auto; max-width: 48rem; }
.chart text { font-size: 12px; fill: #1a1a1a; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; }
summary { cursor: pointer; color: var(--blue); font-weight: 600; min-height: 2.75rem; display: flex; align-items: center; }
@media print { header, .period, .exports, .skip { display: none; } details { display: block; } }
`;
