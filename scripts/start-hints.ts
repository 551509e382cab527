/**
 * What `pnpm start` prints once every part is ready: the ports in use, what to open and what to try,
 * each command with the ports and data folder of this run.
 */
import { join } from 'node:path';
import { escapeControlCharacters as visible } from '@poortwachter/protocol';
import type { Part, PartName } from './system-parts.ts';

/** Suzanne Moulin's (999993653) home, which she owns (seeds/brp/personen.json; the BRK source's fixtures). */
export const SUZANNE_HOME = { postcode: '3077AW', huisnummer: 31 } as const;

/**
 * A word as a shell reads it back: as it is, or quoted; with control characters (a data folder's odd
 * name) as `$'…'`, which bash and zsh read, so that no hint prints a line break of its own.
 */
export function shellWord(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  if (visible(word) === word) return `'${word.replaceAll("'", `'\\''`)}'`;
  return `$'${visible(word.replaceAll('\\', '\\\\').replaceAll("'", "\\'"))}'`;
}

/** The hints of a run whose parts are `parts` and whose state lives in `data`. */
export function startHints(run: {
  readonly parts: Record<PartName, Part>;
  readonly data: string;
  readonly local: (name: PartName) => string;
  readonly root: string;
  readonly startedMs: number;
  readonly brk: string;
  /** The verwerkingsactiviteit under which Utrecht may ask the BRK (its OZB), as the registry has it. */
  readonly brkActivity: string | undefined;
}): string {
  const { parts, data, local } = run;
  // What the suggested commands (the CLI, the demo) assume unless told: where a part or ./data moved,
  // the hints say what to tell them, and only then.
  const commandDefaults: Record<string, string> = {
    REGISTRY_URL: 'http://localhost:8300',
    IDP_URL: 'http://localhost:8303',
    DATA_DIR: join(run.root, 'data'),
  };
  const commandEnv = Object.entries({ REGISTRY_URL: local('registry'), IDP_URL: local('dev-idp'), DATA_DIR: data })
    .filter(([name, value]) => value !== commandDefaults[name])
    .map(([name, value]) => `${name}=${shellWord(value)}`);
  const tryFirst =
    commandEnv.length > 0
      ? ` (the registry, the identity provider or the data folder moved; tell the commands where first):
  export ${commandEnv.join(' ')}`
      : ':';
  const apiKey = `"X-API-KEY: $(cat ${shellWord(join(data, 'outway-api-key'))})"`;
  // The outway's demo application asks under its default verwerkingsactiviteit (Wmo); for BRK it names one.
  const ozb = run.brkActivity;
  const brkQuery = `postcode=${SUZANNE_HOME.postcode}&huisnummer=${SUZANNE_HOME.huisnummer}`;
  return `
poortwachter is running (${Math.round(run.startedMs)} ms, every part ready): registry :${parts.registry.port}, BRP source :${parts.source.port}, gateway (RvIG, BRP) :${parts.gateway.port}, BRK source :${parts['brk-source'].port}, gateway (Kadaster, BRK) :${parts['brk-gateway'].port}, dev identity provider :${parts['dev-idp'].port} (not for production), outway of Gemeente Utrecht :${parts.outway.port}, citizens' page :${parts.portal.port}, auditor's page :${parts.auditor.port}, management pages of RvIG :${parts['beheer-rvig'].port} and Gemeente Haarlem :${parts['beheer-haarlem'].port}, witnesses beside the registry :${parts['witness-registry'].port} and beside the Autoriteit Persoonsgegevens :${parts['witness-ap'].port} (quorum 2), dev mailbox :${parts['dev-mail'].port} (not for production)

Open in a browser:
  http://localhost:${parts.portal.port}/    the citizens' page: log in as Suzanne Moulin, see who consulted her data, each line proven
  http://localhost:${parts.auditor.port}/    the auditor's page (Autoriteit Persoonsgegevens): coverage, findings, chart, CSV
                                   (its own process, which holds the key; this machine only: any other Host gets 421)
  http://localhost:${parts['beheer-rvig'].port}/    RvIG's management page: contracts to accept or reject, revoke, history
  http://localhost:${parts['beheer-haarlem'].port}/    Gemeente Haarlem's management page: propose a contract, see its answer
  http://localhost:${parts['dev-mail'].port}/    the development mailbox: the notices the gateways mail to citizens who asked for them

Try, in another terminal${tryFirst}
  pnpm demo                                     Utrecht and Haarlem query Suzanne Moulin (999993653) in the BRP and the BRK through the sdk
  pnpm poortwachter query --as utrecht --bsn 999993653 --fields naam.voornamen,naam.geslachtsnaam
  pnpm poortwachter inzage --bsn 999993653 --verify   as Suzanne: who consulted her data, each record proven in the log
  pnpm poortwachter gegevens --bsn 999993653 --download gegevens.json   as Suzanne: what the BRP and the BRK hold about her, signed
  pnpm poortwachter verify-download gegevens.json   the download checked offline: each answer unchanged, signed by its bronhouder
  pnpm poortwachter audit coverage              as the Autoriteit Persoonsgegevens: grondslag coverage and findings
  pnpm poortwachter log verify                  as the auditor: is the verifiable log consistent and unaltered?
  pnpm poortwachter directory                   the signed directory, verified
  curl -s localhost:${parts['witness-ap'].port}/readyz                 a witness: the logs it knows; the gateways' /readyz say what each witness cosigned
  curl -s localhost:${parts.gateway.port}/readyz                 the gateway's readiness (and /metrics, Prometheus; Kadaster's: localhost:${parts['brk-gateway'].port}/readyz)
  curl -s localhost:${parts.outway.port}/brp-personen/personen -H ${apiKey} -H 'content-type: application/json' \\
    -d '{"type":"RaadpleegMetBurgerservicenummer","burgerservicenummer":["999993653"],"fields":["naam.voornamen","naam.geslachtsnaam"]}'
                                                as Utrecht's app: the BRP API unchanged, through the outway
  curl -s 'localhost:${parts.outway.port}/${run.brk}/kadastraalonroerendezaken?${brkQuery}' -H ${apiKey}${ozb ? ` \\\n    -H ${shellWord(`Processing-Activity: ${ozb}`)}` : ''}
                                                as Utrecht's app, for the OZB: Suzanne's home in the BRK (HAL), through the outway

Stop with Ctrl-C. State lives in ${data === commandDefaults.DATA_DIR ? './data/' : shellWord(data)} (delete it to start over).
`;
}
