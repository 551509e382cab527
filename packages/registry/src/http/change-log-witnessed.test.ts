import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Listening, listen, type WitnessCollector } from '@poortwachter/operations';
import {
  NOTE_ED25519,
  noteKeyFromJwk,
  REGISTRY_CHANGES_ORIGIN,
  toBase64,
  verifyChangeLogHead,
  verifyCheckpoint,
  witnessPolicy,
} from '@poortwachter/protocol';
import {
  ChangeLogWitnessError,
  directoryLogKeys,
  openWitness,
  startWitnessServer,
  verifyChangeLog,
} from '@poortwachter/sdk';
import { fetchDirectory } from '@poortwachter/sdk/citizen';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SOURCE_LOADER } from '../../../../scripts/source-loader.ts';
import { startChangeLogWitnessing } from '../directory/change-log-witnessing.ts';
import { DIALECTS, describeDialect, startTestRegistry, type TestRegistry } from '../testing/index.ts';
import { createRegistryApp } from './app.ts';

interface ServedHead {
  tree_size: number;
  root_hash: string;
  jws: string;
  checkpoint: string;
}
interface Ready {
  witnesses: {
    quorum: number;
    witnesses: {
      name: string;
      cosigned_size: number | null;
      last_error: string | null;
      pending_since: string | null;
      finding?: { kind: string; witness_size: number | null; log_size: number };
    }[];
  };
}

/**
 * Issue 30, the registry's change log witnessed, from outside: the registry served over HTTP on
 * 127.0.0.1, two of the project's own witnesses (the sdk's, on their data folders, knowing the change
 * log from the registry's directory and its pinned key) listed in that directory with quorum 2. Its
 * checkpoint is cosigned by both; a witness that is down holds back only the newest head; a change
 * log rolled back (a restored backup) or forked cannot get cosigned, and `verifyChangeLog` (what
 * `poortwachter registry verify` runs) refuses it and says why.
 */
for (const dialect of DIALECTS) {
  describeDialect(dialect, `the registry's change log, witnessed (${dialect})`, () => {
    let registry: TestRegistry;
    let listening: Listening;
    let url: string;
    let witnessing: WitnessCollector;
    const logLines: string[] = [];
    const logger = createLogger('registry', { level: 'info', destination: { write: (l: string) => logLines.push(l) } });
    const folders: string[] = [];
    const witnesses: { name: string; vkey: string; port: number; dataDir: string; close?: () => Promise<void> }[] = [];

    const startWitness = async (w: { name: string; dataDir: string; port: number }) => {
      const opened = await openWitness({
        name: w.name,
        dataDir: w.dataDir,
        logKeys: directoryLogKeys({ registryUrl: url, registryKey: registry.registryPublicKey }),
      });
      const server = await startWitnessServer(opened, { port: w.port });
      return {
        vkey: opened.key.vkey,
        port: Number(new URL(server.url).port),
        close: async () => {
          await server.close();
          opened.release();
        },
      };
    };
    const startCollector = () =>
      startChangeLogWitnessing({
        db: registry.db,
        publisher: registry.publisher,
        logger,
        intervalMs: 3_600_000,
        backoff: { firstMs: 1, maxMs: 1 },
      });
    const collect = async () => {
      for (let i = 0; i < 3; i++) {
        witnessing.retryNow();
        await witnessing.runNow();
      }
    };
    const get = (path: string) => fetch(`${url}${path}`);
    const admin = (method: string, path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${registry.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const head = async () => (await (await get('/v1/changes/log/head')).json()) as ServedHead;
    const ready = async () => (await (await get('/readyz')).json()) as Ready;
    let grondslagen = 0;
    const change = async () => {
      grondslagen++;
      const res = await admin('POST', '/v1/grondslagen', {
        id: `getuigen-test-${grondslagen}`,
        title: 'Een grondslag voor de test',
        lawName: 'Wet om te testen',
        article: `art. ${grondslagen}`,
        bwbId: 'BWBR0033715',
        url: 'https://wetten.overheid.nl/jci1.3:c:BWBR0033715&artikel=1',
        avgBasis: 'e',
      });
      expect(res.status, await res.clone().text()).toBe(201);
    };
    const leaves = async () =>
      ((await (await get('/v1/changes/log/leaves')).json()) as { tree_size: number }).tree_size;
    const registryKey = () => registry.registryPublicKey;
    /** `poortwachter registry verify` as a process (on SQLite only: the CLI does not see the dialect). */
    const registryVerify = (): Promise<{ code: number; out: string }> => {
      const keyFile = join(folders[0] as string, 'registry.public.jwk.json');
      writeFileSync(keyFile, JSON.stringify(registryKey()));
      const args = ['registry', 'verify', '--registry', url, '--registry-key', keyFile];
      args.push('--trust-anchors', registry.trustAnchorsFile, '--heads', join(folders[0] as string, 'heads.json'));
      return new Promise((resolve) => {
        execFile(
          process.execPath,
          [...SOURCE_LOADER, 'packages/sdk/src/cli/main.ts', ...args],
          { cwd: join(import.meta.dirname, '../../../..') },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
        );
      });
    };
    const logKey = () => noteKeyFromJwk(REGISTRY_CHANGES_ORIGIN, NOTE_ED25519, registryKey());

    beforeAll(async () => {
      registry = await startTestRegistry(dialect);
      witnessing = await startCollector();
      const app = createRegistryApp({
        db: registry.db,
        publisher: registry.publisher,
        // The collector is replaced when the registry "restarts" below: readiness reads the current one.
        witnessing: { status: () => witnessing.status() },
      });
      listening = await listen({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
      url = listening.url;
      for (const [i, name] of ['poortwachter.example/getuige-a', 'poortwachter.example/getuige-b'].entries()) {
        const dataDir = mkdtempSync(join(tmpdir(), 'poortwachter-regwitness-'));
        folders.push(dataDir);
        const w = { name, dataDir, port: 0 };
        const started = await startWitness(w);
        witnesses.push({ ...w, ...started });
        const res = await admin('POST', '/v1/witnesses', {
          vkey: started.vkey,
          url: `http://127.0.0.1:${started.port}`,
          quorum: i + 1,
        });
        expect(res.status, await res.clone().text()).toBe(201);
      }
    }, 60_000);
    afterAll(async () => {
      await witnessing?.stop();
      for (const w of witnesses) await w.close?.();
      listening?.server.closeAllConnections();
      await new Promise((resolve) => listening?.server.close(resolve));
      await registry?.close();
      for (const f of folders) rmSync(f, { recursive: true, force: true });
    });

    let remembered: Awaited<ReturnType<typeof verifyChangeLog>>['head'] | undefined;

    it('serves the newest head with a checkpoint beside it, cosigned by both witnesses of its directory', async () => {
      await collect();
      const res = await get('/v1/changes/log/checkpoint');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const note = await res.text();
      const served = await head();
      expect(served.tree_size).toBe(await leaves());
      expect(served.checkpoint).toBe(note);
      const payload = await verifyChangeLogHead(served.jws, registryKey());
      const directory = await fetchDirectory({ registryUrl: url, registryKey: registryKey() });
      const policy = witnessPolicy(directory);
      expect(policy.quorum).toBe(2);
      const verified = await verifyCheckpoint(note, { logKeys: [logKey()], policy, origin: REGISTRY_CHANGES_ORIGIN });
      expect(verified.cosigners.map((c) => c.name).sort()).toEqual(witnesses.map((w) => w.name).sort());
      expect(verified.size).toBe(payload.tree_size);
      expect(toBase64(verified.rootHash)).toBe(payload.root_hash);

      const { witnesses: states } = await ready();
      expect(states.quorum).toBe(2);
      expect(states.witnesses.map((w) => [w.cosigned_size, w.pending_since, w.last_error])).toEqual([
        [served.tree_size, null, null],
        [served.tree_size, null, null],
      ]);

      const result = await verifyChangeLog({ registryUrl: url, registryKey: registryKey() });
      expect(result.findings).toEqual([]);
      expect(result.witnessed.quorum).toBe(2);
      expect(result.witnessed.cosigners).toHaveLength(2);
      expect(result.head.checkpoint).toBe(note);
      remembered = result.head;
      if (dialect === 'sqlite') {
        const cli = await registryVerify();
        expect(cli.out, cli.out).toContain(
          `signed head verified, cosigned by 2 witnesses (poortwachter.example/getuige-a, poortwachter.example/getuige-b; quorum 2)`,
        );
        expect(cli.code, cli.out).toBe(0);
      }
    });

    it('a witness that is down holds back only the newest head: readers get the last one with the quorum', async () => {
      const [, b] = witnesses;
      if (!b?.close) throw new Error('no witness b');
      await b.close();
      const before = (await head()).tree_size;
      await change();
      await collect();
      const waiting = (await ready()).witnesses.witnesses.find((w) => w.name === b.name);
      expect(waiting?.pending_since).not.toBeNull();
      expect(waiting?.last_error).toBeTruthy();
      expect(waiting?.cosigned_size).toBe(before);
      // The newest head lacks b's cosignature: the head served is the last one both cosigned.
      expect(await leaves()).toBe(before + 1);
      expect((await head()).tree_size).toBe(before);
      const result = await verifyChangeLog({ registryUrl: url, registryKey: registryKey(), remembered });
      expect(result.findings).toEqual([]);
      expect(result.head.tree_size).toBe(before);

      // b back on its state (same folder, same port): it cosigns the newest head from where it was.
      Object.assign(b, await startWitness(b));
      await collect();
      expect((await head()).tree_size).toBe(before + 1);
      const again = await verifyChangeLog({ registryUrl: url, registryKey: registryKey(), remembered });
      expect(again.findings).toEqual([]);
      expect(again.witnessed.cosigners).toHaveLength(2);
      remembered = again.head;
    });

    it('a change log rolled back, then forked, is not cosigned: readiness names it, readers refuse it and say why', async () => {
      const size = (await head()).tree_size;
      expect(size).toBe(await leaves());
      // A backup from before the last change (and before any cosignature) restored: the registry restarts on it.
      await witnessing.stop();
      const last = await registry.db
        .selectFrom('registry_changes')
        .select((e) => e.fn.max('serial').as('serial'))
        .executeTakeFirstOrThrow();
      await registry.db.deleteFrom('registry_changes').where('serial', '=', Number(last.serial)).execute();
      await registry.db.deleteFrom('registry_change_heads').where('tree_size', '>=', size).execute();
      await registry.db.deleteFrom('registry_change_cosignatures').execute();
      witnessing = await startCollector();
      await collect();
      for (const w of (await ready()).witnesses.witnesses)
        expect(w.finding, w.name).toMatchObject({ kind: 'later', witness_size: size, log_size: size - 1 });
      const findings = logLines.map((l) => JSON.parse(l)).filter((l) => l.event === 'witness_finding');
      expect(findings.map((f) => f.witness).sort()).toEqual(witnesses.map((w) => w.name).sort());
      expect(findings[0]?.msg).toContain('was this log rolled back?');

      const refused = await verifyChangeLog({ registryUrl: url, registryKey: registryKey(), remembered }).catch(
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(ChangeLogWitnessError);
      expect((refused as ChangeLogWitnessError).code).toBe('quorum');
      expect((refused as Error).message).toBe(
        `only 0 of the 2 witnesses needed cosigned head ${size - 1} of log ${REGISTRY_CHANGES_ORIGIN}.`,
      );
      if (dialect === 'sqlite') {
        const cli = await registryVerify();
        expect(cli.out, cli.out).toContain(
          `FAIL  cannot get a witnessed head of the registry's change log: only 0 of the 2 witnesses needed cosigned head ${size - 1}`,
        );
        expect(cli.code, cli.out).toBe(1);
      }

      // Another change of the same size: a second history. Both witnesses refuse it (422).
      await change();
      expect(await leaves()).toBe(size);
      const forked = await head();
      expect(forked.tree_size).toBe(size);
      expect(forked.root_hash).not.toBe(remembered?.root_hash);
      await collect();
      for (const w of (await ready()).witnesses.witnesses)
        expect(w.finding, w.name).toMatchObject({ kind: 'inconsistent', log_size: size });
      const note = await (await get('/v1/changes/log/checkpoint')).text();
      await expect(
        verifyCheckpoint(note, {
          logKeys: [logKey()],
          policy: witnessPolicy(await fetchDirectory({ registryUrl: url, registryKey: registryKey() })),
        }),
      ).rejects.toThrow(`only 0 of the 2 witnesses needed cosigned head ${size} of log ${REGISTRY_CHANGES_ORIGIN}.`);
      await expect(verifyChangeLog({ registryUrl: url, registryKey: registryKey(), remembered })).rejects.toThrow(
        ChangeLogWitnessError,
      );
    });
  });
}
