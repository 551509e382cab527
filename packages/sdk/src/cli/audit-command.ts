import { type CoverageProgress, type CoverageReport, createAuditorClient } from '../auditor-client.ts';
import { auditorWithKey } from './audit-serve.ts';
import { checkDateOptions, runCommand } from './common.ts';
import { acceptancesOf, coverageRows, rowsOf } from './coverage-export.ts';
import type { ValuesOf } from './definitions.ts';
import { csvText, joined, jsonText, print, printError, shown, type TerminalText } from './output.ts';
import { markdownTable, table } from './table.ts';

/** A progress bar on stderr: redrawn in place on a terminal, a line per step otherwise. */
function progressBar() {
  const tty = process.stderr.isTTY;
  let last = '';
  return {
    update(p: CoverageProgress) {
      const width = 30;
      const filled = p.total > 0 ? Math.round((p.done / p.total) * width) : 0;
      const line = shown`scanning ${p.service} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} ${p.step.split('\n')[0]?.slice(0, 60) ?? ''}`;
      if (line.toString() === last) return;
      last = line.toString();
      // The redraw (carriage return, erase the line) is the CLI's own; the line's values are shown.
      printError(tty ? shown`\r\x1b[2K${line}` : shown`${line}\n`);
    },
    end() {
      if (tty && last) printError(shown`\n`);
    },
  };
}

/** The report as text: a summary, the table per afnemer × processing activity, then the findings. */
function render(
  report: CoverageReport,
  gateway: string,
  format: 'table' | 'markdown',
  nameOf: (oin: string) => string,
): TerminalText {
  const named = (oin: string) => `${nameOf(oin)} (${oin})`;
  const t = report.totals;
  const grid = format === 'markdown' ? markdownTable : table;
  const heading = (text: TerminalText) => (format === 'markdown' ? shown`\n### ${text}\n\n` : shown`\n${text}\n`);
  const none = shown`none`;
  const out: TerminalText[] = [];
  out.push(
    shown`${format === 'markdown' ? '## ' : ''}Coverage of ${report.serviceId} at ${gateway}, ${report.period.from} to ${report.period.to}`,
    shown`directory serial ${report.directorySerial}, registry history ${report.history.source} (${report.history.changes} changes), generated ${report.generatedAt}`,
    shown`computed on the signed tree heads ${report.heads.map((h) => `${h.log_id} size ${h.tree_size} (root ${h.root_hash.slice(0, 12)}…)`).join(', ') || '(none)'}; check it with --verify`,
    shown`accesses ${t.accesses}, data subjects ${t.dataSubjects}, refusals ${t.refusals}; findings: invalid accesses ${t.invalidAccesses}, unused authorisations ${t.unusedFieldFindings}, expiring ${t.expiringAutorisaties}, dormant ${t.dormantAutorisaties}`,
  );
  out.push(heading(shown`Per afnemer and processing activity`));
  out.push(
    grid(
      ['afnemer', 'processing activity', 'accesses', 'subjects', 'fields used', 'unused', 'refusals'],
      rowsOf(report).map((r) => [r.afnemer, r.activity, r.accesses, r.subjects, r.used, r.unused, r.refusals]),
    ),
  );
  const acceptances = acceptancesOf(report);
  out.push(heading(shown`Who accepted each autorisatie (signatures verified here): ${acceptances.length}`));
  out.push(
    acceptances.length > 0
      ? grid(
          ['autorisatie', 'afnemer', 'processing activity', 'accepted by'],
          acceptances.map((a) => [a.autorisatie, a.afnemer, a.activity, a.acceptedBy]),
        )
      : none,
  );
  const anonymous = Object.entries(report.refusalsWithoutCaller ?? {});
  if (anonymous.length > 0) {
    out.push(
      shown`\nrefused before the caller was identified: ${anonymous.map(([code, n]) => `${code} ${n}`).join(', ')}`,
    );
  }
  out.push(heading(shown`Accesses not covered at their moment (must be none): ${t.invalidAccesses}`));
  out.push(
    report.invalidAccesses.length > 0
      ? grid(
          ['record', 'at', 'afnemer', 'version', 'why'],
          report.invalidAccesses.map((a) => [
            a.id,
            a.at,
            named(a.afnemerOin),
            a.processingActivityVersion,
            a.reasons.join('; '),
          ]),
        )
      : none,
  );
  const unused = report.rows.filter((r) => r.accesses > 0 && r.fieldsUnused.length > 0);
  out.push(heading(shown`Authorised but unused fields of autorisaties in use (data minimisation): ${unused.length}`));
  out.push(
    unused.length > 0
      ? grid(
          ['afnemer', 'processing activity', 'unused fields'],
          unused.map((r) => [r.afnemer.name, r.processingActivity.name, r.fieldsUnused.join(', ')]),
        )
      : none,
  );
  out.push(heading(shown`Autorisaties expiring within 30 days: ${report.expiringAutorisaties.length}`));
  out.push(
    report.expiringAutorisaties.length > 0
      ? grid(
          ['autorisatie', 'afnemer', 'valid to', 'days left'],
          report.expiringAutorisaties.map((a) => [a.id, named(a.afnemerOin), a.validTo ?? '', a.daysLeft]),
        )
      : none,
  );
  out.push(heading(shown`Dormant autorisaties (no access in the period): ${report.dormantAutorisaties.length}`));
  out.push(
    report.dormantAutorisaties.length > 0
      ? grid(
          ['autorisatie', 'afnemer', 'processing activity'],
          report.dormantAutorisaties.map((a) => [a.id, named(a.afnemerOin), a.processingActivityId]),
        )
      : none,
  );
  return shown`${joined(out)}\n`;
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
    if (format === 'json') print(jsonText(result));
    else if (format === 'csv') print(csvText(coverageRows(result.reports, nameOf)));
    else {
      print(shown`auditor: ${organisation.name}\n\n`);
      for (const { gateway, report } of result.reports) print(render(report, gateway, format, nameOf));
      if (result.reports.length > 1) {
        // Together: what adds up across the bronhouders' logs (subjects do not: each log has its own pseudonyms).
        const sum = (pick: (t: (typeof result.reports)[number]['report']['totals']) => number) =>
          result.reports.reduce((n, r) => n + pick(r.report.totals), 0);
        print(
          shown`\nTogether (${result.reports.map((r) => r.report.serviceId).join(', ')}): accesses ${sum((t) => t.accesses)}, refusals ${sum((t) => t.refusals)}; findings: invalid accesses ${sum((t) => t.invalidAccesses)}, unused authorisations ${sum((t) => t.unusedFieldFindings)}, expiring ${sum((t) => t.expiringAutorisaties)}, dormant ${sum((t) => t.dormantAutorisaties)}\n`,
        );
      }
    }
    for (const m of result.missing)
      printError(shown`MISSING: ${m.gateway} (${m.service}) gave no report: ${m.reason}\n`);
    let unverified = 0;
    for (const { gateway, report, verification } of verify ? result.reports : []) {
      const heads = report.heads.map((h) => `${h.log_id} size ${h.tree_size}`).join(', ') || 'none';
      if (verification?.verified) {
        printError(
          shown`VERIFIED: ${gateway}: recomputed from ${verification.entries} proven entries of the signed heads (${heads}); the report is the same.\n`,
        );
      } else {
        unverified++;
        printError(shown`NOT VERIFIED: ${gateway} (heads ${heads}):\n`);
        for (const d of verification?.differences ?? ['no verification was made']) printError(shown`  - ${d}\n`);
      }
    }
    const invalid = result.reports.reduce((n, r) => n + r.report.totals.invalidAccesses, 0);
    return invalid > 0 || result.missing.length > 0 || unverified > 0 ? 1 : 0;
  });
}
