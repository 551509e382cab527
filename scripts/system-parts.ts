/**
 * What `pnpm start` (scripts/start-system.ts) runs: each part's entry, port and environment, made
 * from the supervisor's own environment. Ports are the fixed defaults of DESIGN.md, each movable by
 * its `*_PORT` setting (the end-to-end tests run the whole system beside a running one).
 */
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { settings } from '@poortwachter/operations/settings';
import { BRK_SERVICE_ID, DEMO_OIN, DEMO_WITNESSES } from '@poortwachter/seeds';

/** Kadaster's BRK bevragen 2.0, the service of the second inway. */
export { BRK_SERVICE_ID };

export interface Part {
  readonly name: string;
  readonly entry: string;
  readonly port: number;
  readonly colour: number;
  readonly args?: readonly string[];
  /** Its own settings, beside the supervisor's environment and PORT. */
  readonly env: Readonly<Record<string, string>>;
  /** What answers 2xx once it is ready. */
  readonly ready: string;
}

/** Each part's port setting and default port, in the order the parts start. */
export const PORTS = {
  registry: ['REGISTRY_PORT', 8300],
  source: ['SOURCE_PORT', 8301],
  'dev-mail': ['DEV_MAIL_PORT', 8311],
  gateway: ['GATEWAY_PORT', 8302],
  'brk-source': ['BRK_SOURCE_PORT', 8308],
  'brk-gateway': ['BRK_GATEWAY_PORT', 8307],
  'dev-idp': ['IDP_PORT', 8303],
  outway: ['OUTWAY_PORT', 8304],
  portal: ['PORTAL_PORT', 8305],
  auditor: ['AUDITOR_PORT', 8306],
  'beheer-rvig': ['BEHEER_RVIG_PORT', 8309],
  'beheer-haarlem': ['BEHEER_HAARLEM_PORT', 8310],
  'witness-registry': ['WITNESS_REGISTRY_PORT', 8313],
  'witness-ap': ['WITNESS_AP_PORT', 8314],
} as const satisfies Record<string, readonly [string, number]>;
export type PartName = keyof typeof PORTS;

/** `A, B and C`: the port settings, for a message that tells how to move the parts. */
export const PORT_SETTINGS = (() => {
  const names = Object.values(PORTS).map(([name]) => name);
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
})();

/**
 * The parts of the system and its data folder, from `env`. A port setting that is not a port is a
 * `fail` naming it (the supervisor stops with exit 2), as every server reads its settings.
 */
export function systemParts(env: NodeJS.ProcessEnv, root: string, fail: (message: string) => never) {
  const readPort = settings(env, fail).port;
  const port = (name: PartName) => readPort(PORTS[name][1], PORTS[name][0]);
  const local = (name: PartName) => `http://localhost:${port(name)}`;
  const data = env.DATA_DIR ? resolve(env.DATA_DIR) : join(root, 'data');
  // The citizens' page as browsers open it: by name or by address, both registered.
  const portalOrigins = [local('portal'), `http://127.0.0.1:${port('portal')}`];
  const idpPublicUrl = env.IDP_PUBLIC_URL || local('dev-idp');
  // The inways mail their notices to the development mailbox (its page shows them).
  const smtpPort = readPort(8312, 'DEV_MAIL_SMTP_PORT');
  const notices = {
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    NOTICE_FROM: 'geen-antwoord@poortwachter.example',
    PORTAL_URL: local('portal'),
    NOTICE_INTERVAL_MINUTES: '1',
  };
  const part = (
    name: PartName,
    entry: string,
    colour: number,
    partEnv: Record<string, string> = {},
    extra: { args?: string[]; ready?: string } = {},
  ): Part => ({
    name,
    entry,
    port: port(name),
    colour,
    // `pnpm start` is the demo: every part runs it (production is each server's default).
    env: { POORTWACHTER_DEMO: 'true', ...partEnv },
    ready: extra.ready ?? '/healthz',
    ...extra,
  });
  // Each organisation's management page runs in its own process, which holds that organisation's key.
  const beheer = (name: PartName, oin: string, colour: number) =>
    part(
      name,
      'packages/sdk/src/cli/main.ts',
      colour,
      { REGISTRY_URL: local('registry') },
      { args: ['beheer', 'serve', '--oin', oin] },
    );
  // A witness (issue 30): its key is the one the registry's demo seed made and listed (keys/), its
  // state a folder of its own (two witnesses never share one), the logs it knows the verified directory's.
  const witness = (
    name: 'witness-registry' | 'witness-ap',
    id: (typeof DEMO_WITNESSES)[number]['id'],
    colour: number,
  ) => {
    const demo = DEMO_WITNESSES.find((w) => w.id === id) as (typeof DEMO_WITNESSES)[number];
    return part(
      name,
      'packages/sdk/src/cli/main.ts',
      colour,
      { REGISTRY_URL: local('registry') },
      {
        args: [
          ...['witness', 'serve', '--name', demo.name, '--port', String(port(name))],
          ...['--data-dir', join(data, demo.id), '--key', join(data, 'keys', demo.keyFile)],
        ],
        ready: '/readyz',
      },
    );
  };
  const parts: Record<PartName, Part> = {
    registry: part('registry', 'packages/registry/src/server/main.ts', 36, {
      GATEWAY_PUBLIC_URL: env.GATEWAY_PUBLIC_URL || local('gateway'),
      BRK_GATEWAY_PUBLIC_URL: env.BRK_GATEWAY_PUBLIC_URL || local('brk-gateway'),
      IDP_PUBLIC_URL: idpPublicUrl,
      PORTAL_ORIGINS: portalOrigins.join(','),
      // The demo directory lists the two witnesses below, with quorum 2.
      WITNESS_REGISTRY_PUBLIC_URL: local('witness-registry'),
      WITNESS_AP_PUBLIC_URL: local('witness-ap'),
    }),
    source: part('source', 'examples/brp-source/src/server.ts', 35),
    'dev-mail': part('dev-mail', 'examples/dev-mail/src/server.ts', 37, { DEV_MAIL_SMTP_PORT: String(smtpPort) }),
    // RvIG's inway for the BRP, on the gateway's own defaults (./data/gateway.db, keys/gateway-log.key).
    gateway: part(
      'gateway',
      'packages/gateway/src/server/main.ts',
      33,
      {
        REGISTRY_URL: local('registry'),
        SOURCE_URL: local('source'),
        ...(env.GATEWAY_DATABASE_URL ? { DATABASE_URL: env.GATEWAY_DATABASE_URL } : {}),
        ...notices,
      },
      { ready: '/readyz' },
    ),
    // Its links to persons with a BSN point at the BRP source of this run.
    'brk-source': part('brk-source', 'examples/brk-source/src/server.ts', 94, { BRP_PUBLIC_URL: local('source') }),
    // Kadaster's inway: the same entry for another service, with a database, Merkle log (instance id)
    // and log key of its own; its signing key is Kadaster's, found through the directory.
    'brk-gateway': part(
      'brk-gateway',
      'packages/gateway/src/server/main.ts',
      93,
      {
        REGISTRY_URL: local('registry'),
        SERVICE_ID: BRK_SERVICE_ID,
        SOURCE_URL: local('brk-source'),
        DATABASE_URL: env.BRK_GATEWAY_DATABASE_URL || `sqlite:${join(data, 'brk-gateway.db')}`,
        LOG_KEY_FILE: join(data, 'keys', 'brk-gateway-log.key'),
        INSTANCE_ID: `${BRK_SERVICE_ID}-${hostname()}`,
        ...notices,
      },
      { ready: '/readyz' },
    ),
    'dev-idp': part('dev-idp', 'examples/dev-idp/src/server.ts', 32, {
      IDP_PUBLIC_URL: idpPublicUrl,
      IDP_REDIRECT_URIS: portalOrigins.map((o) => `${o}/`).join(','),
    }),
    outway: part(
      'outway',
      'packages/gateway/src/server/outway-main.ts',
      34,
      {
        REGISTRY_URL: local('registry'),
        ORGANISATION_OIN: DEMO_OIN.utrecht,
        DATABASE_URL: env.OUTWAY_DATABASE_URL || `sqlite:${join(data, 'outway.db')}`,
        DEMO_APPLICATION_KEY_FILE: join(data, 'outway-api-key'),
      },
      { ready: '/readyz' },
    ),
    portal: part('portal', 'packages/portal/src/server/main.ts', 96, {
      REGISTRY_PUBLIC_URL: local('registry'),
      // Everything runs on this machine: the citizens' page links to the auditor's page at its own origin
      // (a link, not a pass-through), by the same name as the page itself, so that the click is same-site.
      AUDITOR_PAGE_URL: local('auditor'),
      IDP_PUBLIC_URL: idpPublicUrl,
      IDP_DEVELOPMENT: 'true',
    }),
    auditor: part(
      'auditor',
      'packages/sdk/src/cli/main.ts',
      95,
      { REGISTRY_URL: local('registry') },
      { args: ['audit', 'serve', '--as', DEMO_OIN.autoriteitPersoonsgegevens] },
    ),
    'beheer-rvig': beheer('beheer-rvig', DEMO_OIN.rvig, 92),
    'beheer-haarlem': beheer('beheer-haarlem', DEMO_OIN.haarlem, 91),
    'witness-registry': witness('witness-registry', 'getuige-registry', 90),
    'witness-ap': witness('witness-ap', 'getuige-ap', 97),
  };
  return { parts, data, local };
}
