/**
 * Configuration that cannot be misread (issue 27, section 3), from outside: every server entry started
 * as its own process, with a bad setting of every kind. Each stops at once with exit 2 and exactly one
 * line (a JSON log line at level fatal) that names the setting and what it accepts: no stack trace, no
 * default quietly taken instead. The same goes for a secret given twice or from a missing file, a demo
 * key in production, and a database whose schema is newer than the server knows.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markDemoKey } from '@poortwachter/operations';
import { certificatePem, makeCertificateAuthority } from '@poortwachter/protocol/contracts';
import { generatePrivateJwk, openDatabase, publicJwkOf } from '@poortwachter/registry';
import { DEMO_OIN } from '@poortwachter/seeds';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../start-system.ts';
import { runEntry } from './server-entry.ts';

const ENTRIES = {
  registry: 'packages/registry/src/server/main.ts',
  gateway: 'packages/gateway/src/server/main.ts',
  outway: 'packages/gateway/src/server/outway-main.ts',
  portal: 'packages/portal/src/server/main.ts',
  'brp-source': 'examples/brp-source/src/server.ts',
  'brk-source': 'examples/brk-source/src/server.ts',
  'dev-idp': 'examples/dev-idp/src/server.ts',
} as const;
type Entry = keyof typeof ENTRIES;

const data = mkdtempSync(join(tmpdir(), 'poortwachter-settings-errors-'));
const file = (name: string) => join(data, name);
afterAll(() => rmSync(data, { recursive: true, force: true }));

beforeAll(async () => {
  const demoKey = markDemoKey(await generatePrivateJwk('P-256'));
  const ownKey = await generatePrivateJwk('P-256');
  writeFileSync(file('demo.jwk.json'), JSON.stringify(demoKey));
  writeFileSync(file('own.jwk.json'), JSON.stringify(ownKey));
  writeFileSync(file('registry.public.jwk.json'), JSON.stringify(publicJwkOf(ownKey)));
  writeFileSync(file('database-url'), `sqlite:${file('from-file.db')}\n`);
  const ca = makeCertificateAuthority('settings test CA');
  writeFileSync(file('anchors.pem'), certificatePem(ca.certificate));
  // Its key as PEM: a certificate and its key for a server's TLS.
  writeFileSync(
    file('anchors.key.pem'),
    createPrivateKey({ key: ca.privateJwk as never, format: 'jwk' }).export({ format: 'pem', type: 'pkcs8' }),
  );
  // Files a setting names whose contents are unusable: not JSON, not PEM, a log key too short.
  writeFileSync(file('garbage'), 'garbage\n');
  writeFileSync(file('short-log.key'), `${Buffer.alloc(16, 7).toString('base64')}\n`);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(file('other.key.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
});

/** Runs `entry` in production (unless `env` says otherwise) with `env`, until it exits (at most 30 s). */
async function run(entry: Entry, env: Record<string, string>, args: string[] = []) {
  const running = runEntry(
    ENTRIES[entry],
    {
      POORTWACHTER_DEMO: '',
      DATA_DIR: data,
      PORT: String(await freePort()),
      ORGANISATION_OIN: DEMO_OIN.utrecht,
      ORGANISATION_KEY_FILE: file('own.jwk.json'),
      REGISTRY_PUBLIC_KEY_FILE: file('registry.public.jwk.json'),
      REGISTRY_URL: `http://127.0.0.1:${await freePort()}`,
      ...env,
    },
    args,
  );
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 60_000);
  const code = await running.exited;
  clearTimeout(timer);
  return { code, output: running.output() };
}

/** The one line it printed, as its message: fails when there is more than one or a stack trace. */
function oneLine(output: string): string {
  const lines = output.trim().split('\n');
  expect(lines, output).toHaveLength(1);
  expect(output).not.toMatch(/\n\s+at |"stack"/);
  const record = JSON.parse(lines[0] as string) as { level: string; msg: string };
  expect(record.level, output).toBe('fatal');
  return record.msg;
}

/** [entry, settings, what the line must contain (the setting, then what it accepts)]. */
const CASES: [Entry, Record<string, string>, string[]][] = [
  // A URL that is not one was taken as it was, and failed later (or never).
  ['gateway', { REGISTRY_URL: 'not-a-url' }, ['REGISTRY_URL', 'an http or https URL', '"not-a-url"']],
  ['outway', { PUBLIC_URL: 'ftp://outway.example' }, ['PUBLIC_URL', 'an http or https URL']],
  ['registry', { GATEWAY_PUBLIC_URL: 'localhost:8302' }, ['GATEWAY_PUBLIC_URL', 'an http or https URL']],
  ['portal', { REGISTRY_PUBLIC_URL: 'http://registry.example/?x=1' }, ['REGISTRY_PUBLIC_URL', 'without query']],
  ['brk-source', { BRP_PUBLIC_URL: 'brp' }, ['BRP_PUBLIC_URL', 'an http or https URL']],
  ['dev-idp', { IDP_REDIRECT_URIS: 'http://localhost:8305/,javascript:alert(1)' }, ['IDP_REDIRECT_URIS', 'URLs']],
  // A flag is exactly true or false; an enumeration one of its values.
  ['portal', { IDP_DEVELOPMENT: 'TRUE' }, ['IDP_DEVELOPMENT', 'true or false', '"TRUE"']],
  ['registry', { POORTWACHTER_DEMO: 'yes' }, ['POORTWACHTER_DEMO', 'true or false']],
  ['brp-source', { LOG_LEVEL: 'verbose' }, ['LOG_LEVEL', 'one of trace, debug, info, warn, error, fatal or silent']],
  ['dev-idp', { DEV_IDP_ALLOW_REMOTE: 'always' }, ['DEV_IDP_ALLOW_REMOTE', 'test', '"always"']],
  // Numbers: a port, a positive number, an OIN.
  ['brk-source', { PORT: '70000' }, ['PORT', 'a whole number from 0 to 65535', '"70000"']],
  ['outway', { DIRECTORY_REFRESH_SECONDS: '-5' }, ['DIRECTORY_REFRESH_SECONDS', 'a positive whole number', '"-5"']],
  ['gateway', { SOURCE_TIMEOUT_MS: '0' }, ['SOURCE_TIMEOUT_MS', 'a positive whole number']],
  ['gateway', { RETENTION_INTERVAL_HOURS: '1.5' }, ['RETENTION_INTERVAL_HOURS', 'a whole number (0 or more)']],
  ['outway', { ORGANISATION_OIN: '1234' }, ['ORGANISATION_OIN', 'an OIN (20 digits)']],
  // A database URL, a secret: it is named, its value is not echoed.
  ['registry', { DATABASE_URL: 'mysql://user:geheim@db/registry' }, ['DATABASE_URL', 'sqlite:<path> or postgres://']],
  // The registry's contract settings (issue 28): trust anchors it can read, a group a contract can name.
  [
    'registry',
    { TRUST_ANCHORS_FILE: file('registry.public.jwk.json'), DATABASE_URL: `sqlite:${file('anchors-registry.db')}` },
    ['TRUST_ANCHORS_FILE', 'no PEM certificate'],
  ],
  ['registry', { GROUP_ID: 'mijn groep' }, ['GROUP_ID', 'a group id', '"mijn groep"']],
  // Notices (issue 29): a mail server URL with nothing a mailer could read as an option, one sender address.
  [
    'gateway',
    { SMTP_URL: 'smtp://notices:geheim@mail.example.nl/?tls.rejectUnauthorized=false' },
    ['SMTP_URL', 'smtp://user:password@host:port or smtps://'],
  ],
  ['gateway', { NOTICE_FROM: 'RvIG <noreply@rvig.example.nl>' }, ['NOTICE_FROM', 'an e-mail address']],
  ['gateway', { SMTP_URL: 'smtps://notices:geheim@mail.example.nl' }, ['NOTICE_FROM is required with SMTP_URL']],
  // Secrets from files: not both, and the file must be there.
  [
    'gateway',
    { DATABASE_URL: `sqlite:${file('g.db')}`, DATABASE_URL_FILE: file('database-url') },
    ['DATABASE_URL', 'DATABASE_URL_FILE', 'not both'],
  ],
  ['outway', { DATABASE_URL_FILE: file('no-such-file') }, ['DATABASE_URL_FILE', 'a readable file', 'ENOENT']],
  // Demo keys and the development identity provider only for the demo.
  [
    'outway',
    { ORGANISATION_KEY_FILE: file('demo.jwk.json') },
    ['ORGANISATION_KEY_FILE', 'demo key', 'POORTWACHTER_DEMO=true'],
  ],
  ['gateway', { SIGNING_KEY_FILE: file('demo.jwk.json') }, ['SIGNING_KEY_FILE', 'demo key', 'POORTWACHTER_DEMO=true']],
  [
    'registry',
    { REGISTRY_KEY_FILE: file('demo.jwk.json'), DATABASE_URL: `sqlite:${file('demo-key-registry.db')}` },
    ['REGISTRY_KEY_FILE', 'demo key', 'POORTWACHTER_DEMO=true'],
  ],
  ['dev-idp', {}, ['POORTWACHTER_DEMO must be true']],
  // The trust anchors: a production inway or outway does not start without them (issue 28).
  ['gateway', {}, ['TRUST_ANCHORS_FILE', 'required in production']],
  ['outway', {}, ['TRUST_ANCHORS_FILE', 'required in production']],
  ['gateway', { TRUST_ANCHORS_FILE: file('registry.public.jwk.json') }, ['TRUST_ANCHORS_FILE', 'no PEM certificate']],
  ['outway', { TRUST_ANCHORS_FILE: file('no-such-anchors.pem') }, ['TRUST_ANCHORS_FILE', 'ENOENT']],
  ['outway', { TRUST_ANCHORS_FILE: file('garbage') }, ['TRUST_ANCHORS_FILE', 'no PEM certificate']],
  // A file whose contents are unusable: the setting and what it accepts, not the parser's stack trace.
  [
    'registry',
    { REGISTRY_KEY_FILE: file('garbage'), DATABASE_URL: `sqlite:${file('garbage-key-registry.db')}` },
    ['REGISTRY_KEY_FILE', 'a private JWK', 'is not JSON'],
  ],
  [
    'registry',
    {
      REGISTRY_KEY_FILE: file('own.jwk.json'),
      REGISTRY_NEXT_KEY_FILE: file('registry.public.jwk.json'),
      DATABASE_URL: `sqlite:${file('garbage-next-key-registry.db')}`,
    },
    ['REGISTRY_NEXT_KEY_FILE', 'a private JWK', 'holds no private key'],
  ],
  ['outway', { REGISTRY_PUBLIC_KEY_FILE: file('garbage') }, ['REGISTRY_PUBLIC_KEY_FILE', "the registry's public key"]],
  [
    'gateway',
    {
      REGISTRY_PUBLIC_KEY_FILE: file('own.jwk.json'),
      TRUST_ANCHORS_FILE: file('anchors.pem'),
      DATABASE_URL: `sqlite:${file('private-pinned-gateway.db')}`,
    },
    ['REGISTRY_PUBLIC_KEY_FILE', "the registry's public key", 'holds none'],
  ],
  ['gateway', { SIGNING_KEY_FILE: file('garbage') }, ['SIGNING_KEY_FILE', 'a private JWK', 'is not JSON']],
  [
    'outway',
    {
      LOG_KEY_FILE: file('short-log.key'),
      TRUST_ANCHORS_FILE: file('anchors.pem'),
      DATABASE_URL: `sqlite:${file('short-log-key-outway.db')}`,
    },
    ['LOG_KEY_FILE', 'at least 32 bytes', 'holds 16 bytes'],
  ],
  [
    'gateway',
    {
      LOG_KEY_FILE: file('garbage'),
      TRUST_ANCHORS_FILE: file('anchors.pem'),
      DATABASE_URL: `sqlite:${file('short-log-key-gateway.db')}`,
    },
    ['LOG_KEY_FILE', 'at least 32 bytes'],
  ],
  [
    'brp-source',
    { TLS_CERT_FILE: file('garbage'), TLS_KEY_FILE: file('garbage') },
    ['TLS_CERT_FILE', 'PEM', 'a certificate'],
  ],
  [
    'portal',
    { TLS_CERT_FILE: file('anchors.pem'), TLS_KEY_FILE: file('garbage') },
    ['TLS_KEY_FILE', 'PEM', 'a private key'],
  ],
  [
    'brk-source',
    { TLS_CERT_FILE: file('anchors.pem'), TLS_KEY_FILE: file('other.key.pem') },
    ['TLS_KEY_FILE', 'the private key of the certificate in TLS_CERT_FILE'],
  ],
  [
    'registry',
    { TLS_CERT_FILE: file('anchors.pem'), TLS_KEY_FILE: file('anchors.key.pem'), TLS_CLIENT_CA_FILE: file('garbage') },
    ['TLS_CLIENT_CA_FILE', 'PEM', 'a certificate'],
  ],
  ['gateway', { SOURCE_CA_FILE: file('garbage') }, ['SOURCE_CA_FILE', 'PEM', 'a certificate']],
];

describe('a setting a server cannot use stops it at start: exit 2, one line naming it and what it accepts', () => {
  it.each(CASES)(
    '%s with %o',
    async (entry, env, expected) => {
      const { code, output } = await run(entry, env);
      const message = oneLine(output);
      for (const text of expected) expect(message).toContain(text);
      expect(message).not.toContain('geheim');
      expect(code, output).toBe(2);
    },
    70_000,
  );
});

describe('each part migrates alone and refuses a schema newer than it knows', () => {
  const PARTS = [
    ['registry', 'registry', /registry database migrated: version \d{4}-\d\d-\d\dT\d{4}-registry-/],
    ['gateway', 'gateway', /gateway database migrated: version \d{4}-\d\d-\d\dT\d{4}-gateway-/],
    ['outway', 'outway', /outway database migrated: version gateway \S+, outway \d{4}-\d\d-\d\dT\d{4}-outway-/],
  ] as const;

  it.each(PARTS)(
    '%s: `migrate` migrates and exits 0 with the version; a later migration in the database is refused',
    async (entry, table, migrated) => {
      const databaseUrl = `sqlite:${file(`${entry}-migrate.db`)}`;
      // Every other setting right (the gateways need their trust anchors in production), so the schema is what is refused.
      const settings = { DATABASE_URL: databaseUrl, TRUST_ANCHORS_FILE: file('anchors.pem') };
      const first = await run(entry, settings, ['migrate']);
      expect(first.code, first.output).toBe(0);
      expect(first.output).toMatch(migrated);
      const known = (first.output.match(new RegExp(`(\\d{4}-\\d\\d-\\d\\dT\\d{4}-${table}-[a-z-]+)`)) ?? [])[1];

      const future = `2099-01-01T0000-${table}-from-a-newer-release`;
      const { db, close } = openDatabase(databaseUrl);
      await sql`insert into ${sql.table(`${table}_migrations`)} (name, timestamp) values (${future}, ${new Date().toISOString()})`.execute(
        db,
      );
      await close();

      for (const args of [[], ['migrate']]) {
        const { code, output } = await run(entry, settings, args);
        const message = oneLine(output);
        expect(message).toContain(`found migration ${future}`);
        expect(message).toContain(`knows up to ${known}`);
        expect(code, output).toBe(2);
      }
    },
    90_000,
  );
});

describe('a maintenance command with --help gives its usage (exit 0) and does nothing else', () => {
  const COMMANDS: [Entry, string, string][] = [
    ['registry', 'migrate', 'usage: migrate'],
    ['gateway', 'backup', 'usage: backup --to FILE'],
    ['outway', 'migrate', 'usage: migrate'],
  ];
  it.each(COMMANDS)(
    '%s %s --help',
    async (entry, command, usage) => {
      // A setting it cannot use stops a start, not the usage.
      const { code, output } = await run(entry, { DATABASE_URL: 'mysql://niet/gebruikt' }, [command, '--help']);
      expect(output).toContain(usage);
      expect(output).not.toMatch(/database migrated: version/);
      expect(code, output).toBe(0);
    },
    70_000,
  );
});
