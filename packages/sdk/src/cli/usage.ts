/** The CLI's usage text: one section per command, printed whole by `poortwachter --help`. */
export const USAGE = `poortwachter <command> [options]

commands:
  directory   fetch the registry's signed directory, verify it against the pinned key, summarise it
              --registry URL       registry base URL (default http://localhost:8300 or $REGISTRY_URL)
              --registry-key FILE  pinned registry public key (default ./data/keys/registry.public.jwk.json)
              --json               print the verified payload as JSON
  keys generate
              make an organisation key pair (Ed25519 or P-256) with kid = RFC 7638 thumbprint
              --type ed25519|p256  (default ed25519)
              --out FILE           write the private key there (0600) and print the public key
  query       one signed BRP query as an organisation, printed as a table
              --as ORG             OIN or part of the name of a demo organisation (key from ./data/keys)
              --bsn BSN[,BSN]      RaadpleegMetBurgerservicenummer, or --postcode P --huisnummer N
              --fields a,b         the field paths you need (required)
              --processing-activity URI   default: the first one with an autorisatie in force
              --key FILE           the organisation's private key
              --json               print the raw result
  inzage      (development) log in at the dev identity provider as a test BSN and show who consulted
              that person's data, from every gateway, each answer's signature verified
              --bsn BSN            the test person (or --token JWT from a real identity provider)
              --van DATE --tot DATE  the period (default: everything)
              --idp URL            the dev identity provider (default http://localhost:8303 or $IDP_URL)
              --verify             check every record's inclusion proof against a signed tree head
              --json               print the merged timeline as JSON
  audit coverage
              the auditor's coverage report of every gateway, with a progress bar while it scans;
              exits 1 when an access was not covered at its moment or a gateway did not answer
              --from DATE --to DATE   the period (default: this month so far)
              --format table|json|csv|markdown   (default table)
              --as ORG             the auditor (default: the demo organisation with role auditor)
  audit serve the coverage report as a web page on this machine (http://127.0.0.1:8306): the same
              figures, a chart of accesses per day per afnemer, CSV and JSON downloads; the auditor's
              key stays in this process, the browser only gets the page
              --port PORT          (default 8306)
              --as ORG             the auditor (default: the demo organisation with role auditor)
  audit reconcile
              an afnemer's outway log against the provider gateway's log: every exchange on one side
              only, with its signed evidence; exits 1 on any difference
              --as ORG             the afnemer (key from ./data/keys)
              --outway URL         its outway (default http://localhost:8304)
              --from DATE --to DATE   the period (default: today)
  log verify  the auditor's check of every gateway's verifiable log: signed heads, consistency with
              the heads seen before, every record against its leaf; exits 1 on tampering or a fork
              --heads FILE         where seen heads are kept (default ./data/auditor-heads.json)
              --heads-only         skip recomputing the records (large logs)

every command takes --help; exit codes: 0 done (and, for checks, nothing found), 1 refused, a finding
or a gateway that did not answer, 2 a usage or set-up error (unknown option, missing key or registry)
`;

/** The section of one command (`query`, `audit coverage`), for `poortwachter <command> --help`. */
export function commandHelp(command: string): string {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  ${command}`) && /^ {2}\S/.test(l));
  if (start < 0) return USAGE;
  const end = lines.findIndex((l, i) => i > start && (/^ {2}\S/.test(l) || l === ''));
  return `poortwachter ${command} [options]\n\n${lines.slice(start, end < 0 ? undefined : end).join('\n')}\n`;
}

/** The closest of `candidates` to a mistyped `word` (at most 3 edits away), if any. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0] ?? 0;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j] ?? 0;
        row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length] ?? Number.POSITIVE_INFINITY;
  };
  const ranked = candidates.map((c) => ({ c, d: distance(word, c) })).sort((x, y) => x.d - y.d);
  const best = ranked[0];
  return best && best.d <= Math.min(3, Math.max(1, Math.floor(word.length / 2))) ? best.c : undefined;
}
