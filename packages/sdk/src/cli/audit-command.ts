import { type CoverageProgress, type CoverageReport, createAuditorClient } from '../auditor-client.ts';
import { auditorWithKey } from './audit-serve.ts';
import { checkDateOptions, runCommand } from './common.ts';
import { coverageCsv, rowsOf } from './coverage-export.ts';
import type { ValuesOf } from './definitions.ts';
import { table } from './table.ts';

/** A progress bar on stderr: redrawn in place on a terminal, a line per step otherwise. */
function progressBar() {
  const tty = process.stderr.isTTY;
  let last = '';
  return {
    update(p: CoverageProgress) {
      const width = 30;
      const filled = p.total > 0 ? Math.round((p.done / p.total) * width) : 0;
      const line = `scanning ${p.service} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} ${p.step.split('\n')[0]?.slice(0, 60) ?? ''}`;
      if (line === last) return;
      last = line;
      process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    end() {
      if (tty && last) process.stderr.write('\n');
    },
  };
}

function markdownTable(headers: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number) => String(v).replaceAll('|', '\\|');
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** The report as text: a summary, the table per afnemer × processing activity, then the findings. */
function render(
  report: CoverageReport,
  gateway: string,
  format: 'table' | 'markdown',
  nameOf: (oin: string) => string,
): string {
  const named = (oin: string) => `${nameOf(oin)} (${oin})`;
  const t = report.totals;
  const grid =
    format === 'markdown'
      ? markdownTable
      : (h: string[], r: (string | number)[][]) =>
          table(
            h,
            r.map((x) => x.map(String)),
          );
  const heading = (text: string) => (format === 'markdown' ? `\n### ${text}\n\n` : `\n${text}\n`);
  const out: string[] = [];
  out.push(
    `${format === 'markdown' ? '## ' : ''}Coverage of ${report.serviceId} at ${gateway}, ${report.period.from} to ${report.period.to}`,
    `directory serial ${report.directorySerial}, registry history ${report.history.source} (${report.history.changes} changes), generated ${report.generatedAt}`,
    `computed on the signed tree heads ${report.heads.map((h) => `${h.log_id} size ${h.tree_size} (root ${h.root_hash.slice(0, 12)}…)`).join(', ') || '(none)'}; check it with --verify`,
    `accesses ${t.accesses}, data subjects ${t.dataSubjects}, refusals ${t.refusals}; findings: invalid accesses ${t.invalidAccesses}, unused authorisations ${t.unusedFieldFindings}, expiring ${t.expiringAutorisaties}, dormant ${t.dormantAutorisaties}`,
  );
  out.push(heading('Per afnemer and processing activity'));
  out.push(
    grid(
      ['afnemer', 'processing activity', 'accesses', 'subjects', 'fields used', 'unused', 'refusals'],
      rowsOf(report).map((r) => [r.afnemer, r.activity, r.accesses, r.subjects, r.used, r.unused, r.refusals]),
    ),
  );
  const anonymous = Object.entries(report.refusalsWithoutCaller ?? {});
  if (anonymous.length > 0) {
    out.push(`\nrefused before the caller was identified: ${anonymous.map(([code, n]) => `${code} ${n}`).join(', ')}`);
  }
  out.push(heading(`Accesses not covered at their moment (must be none): ${t.invalidAccesses}`));
  if (report.invalidAccesses.length > 0) {
    out.push(
      grid(
        ['record', 'at', 'afnemer', 'version', 'why'],
        report.invalidAccesses.map((a) => [
          a.id,
          a.at,
          named(a.afnemerOin),
          a.processingActivityVersion,
          a.reasons.join('; '),
        ]),
      ),
    );
  } else out.push('none');
  const unused = report.rows.filter((r) => r.accesses > 0 && r.fieldsUnused.length > 0);
  out.push(heading(`Authorised but unused fields of autorisaties in use (data minimisation): ${unused.length}`));
  out.push(
    unused.length > 0
      ? grid(
          ['afnemer', 'processing activity', 'unused fields'],
          unused.map((r) => [r.afnemer.name, r.processingActivity.name, r.fieldsUnused.join(', ')]),
        )
      : 'none',
  );
  out.push(heading(`Autorisaties expiring within 30 days: ${report.expiringAutorisaties.length}`));
  out.push(
    report.expiringAutorisaties.length > 0
      ? grid(
          ['autorisatie', 'afnemer', 'valid to', 'days left'],
          report.expiringAutorisaties.map((a) => [a.id, named(a.afnemerOin), a.validTo ?? '', a.daysLeft]),
        )
      : 'none',
  );
  out.push(heading(`Dormant autorisaties (no access in the period): ${report.dormantAutorisaties.length}`));
  out.push(
    report.dormantAutorisaties.length > 0
      ? grid(
          ['autorisatie', 'afnemer', 'processing activity'],
          report.dormantAutorisaties.map((a) => [a.id, named(a.afnemerOin), a.processingActivityId]),
        )
      : 'none',
  );
  return `${out.join('\n')}\n`;
}

/**
 * `poortwachter audit coverage --from 2026-11-01 --to 2026-11-30 [--format table|json|csv|markdown]`:
 * the coverage report of every gateway, as an auditor (signed requests). Exits 1 when an access was
 * not covered at its moment or a gateway did not answer.
 */
export async function auditCoverageCommand(values: ValuesOf<'audit coverage'>): Promise<number> {
  const format = values.format;
  const today = new Date().toISOString().slice(0, 10);
  const from = values.from ?? `${today.slice(0, 8)}01`;
  const to = values.to ?? today;
  return runCommand(async () => {
    checkDateOptions({ '--from': values.from, '--to': values.to });
    const { registry, directory, organisation, privateKey } = await auditorWithKey(values);
    const client = createAuditorClient({ oin: organisation.oin, privateKey, directory, ...registry });
    const nameOf = (oin: string) => directory.organisations.find((o) => o.oin === oin)?.name ?? 'unknown';
    const bar = progressBar();
    const verify = values.verify === true;
    const result = await client.coverage({ from, to, verify, onProgress: (p) => bar.update(p) });
    bar.end();
    if (format === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (format === 'csv') process.stdout.write(coverageCsv(result.reports, nameOf));
    else {
      process.stdout.write(`auditor: ${organisation.name}\n\n`);
      for (const { gateway, report } of result.reports) process.stdout.write(render(report, gateway, format, nameOf));
    }
    for (const m of result.missing)
      process.stderr.write(`MISSING: ${m.gateway} (${m.service}) gave no report: ${m.reason}\n`);
    let unverified = 0;
    for (const { gateway, report, verification } of verify ? result.reports : []) {
      const heads = report.heads.map((h) => `${h.log_id} size ${h.tree_size}`).join(', ') || 'none';
      if (verification?.verified) {
        process.stderr.write(
          `VERIFIED: ${gateway}: recomputed from ${verification.entries} proven entries of the signed heads (${heads}); the report is the same.\n`,
        );
      } else {
        unverified++;
        process.stderr.write(`NOT VERIFIED: ${gateway} (heads ${heads}):\n`);
        for (const d of verification?.differences ?? ['no verification was made']) process.stderr.write(`  - ${d}\n`);
      }
    }
    const invalid = result.reports.reduce((n, r) => n + r.report.totals.invalidAccesses, 0);
    return invalid > 0 || result.missing.length > 0 || unverified > 0 ? 1 : 0;
  });
}
