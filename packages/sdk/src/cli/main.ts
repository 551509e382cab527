#!/usr/bin/env node
/**
 * The poortwachter command-line tool: `npx poortwachter <command>` where the sdk is installed, or
 * `pnpm poortwachter <command>` in a checkout of this repository.
 */
import { auditCommand } from './audit-command.ts';
import { directoryCommand } from './directory-command.ts';
import { inzageCommand } from './inzage-command.ts';
import { keysCommand } from './keys-command.ts';
import { logCommand } from './log-command.ts';
import { queryCommand } from './query-command.ts';

const USAGE = `poortwachter <command> [options]

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
`;

const [command, ...args] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => Promise<number>> = {
  directory: directoryCommand,
  keys: keysCommand,
  query: queryCommand,
  inzage: inzageCommand,
  audit: auditCommand,
  log: logCommand,
};

const run = command ? commands[command] : undefined;
if (!run) {
  process.stdout.write(USAGE);
  process.exit(command && command !== 'help' && command !== '--help' ? 2 : 0);
}
process.exit(await run(args));
