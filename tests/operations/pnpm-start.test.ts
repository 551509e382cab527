import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { GatewayDatabase } from '@poortwachter/gateway';
import { openDatabase } from '@poortwachter/registry';
import { describe, expect, it } from 'vitest';
import { PORTS } from '../../scripts/system-parts.ts';
import { askOutwayForSuzanne, root, startSystem } from '../start-system.ts';

/** Every part `pnpm start` runs, in the order it starts them. */
const PARTS: readonly string[] = Object.keys(PORTS);
/** The pages the CLI serves (the auditor's, the organisations' beheer) print no line of their own when they stop. */
const CLI_PAGES = (part: string) => part === 'auditor' || part.startsWith('beheer-');
/** Without the colours `pnpm start` gives each part's name (ESC [ … m). */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const withoutColour = (text: string) => text.replace(/\p{Cc}\[[0-9;]*m/gu, '');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `pnpm start` as an operator meets it: on other ports than the defaults (every hint names the ports
 * in use, and a suggested command works with the env it prints), stopped with Ctrl-C from a terminal
 * (the whole process group gets SIGINT: one orderly stop of every part, the gateway's last record and
 * a tree head covering it on disk), and killed outright (no part outlives it).
 */
describe('pnpm start on moved ports, stopped as a terminal stops it', () => {
  it('prints hints with the ports in use; one Ctrl-C is one orderly stop of every part', async () => {
    // A process group of its own, as a shell gives a job; every part's port moved (startSystem picks free ones).
    const system = await startSystem({ detached: true });
    try {
      const printed = withoutColour(system.printed());
      // Durations aside ("started in 8301 ms"), no default port anywhere: not in the parts' hints, not in ours.
      expect(printed.replace(/\d+ ms\b/g, '').match(/\b830[0-8]\b/g) ?? []).toEqual([]);
      expect(printed).toContain(`curl -s localhost:${system.ports.gateway}/readyz`);
      expect(printed).toContain(`Kadaster's: localhost:${system.ports.brkGateway}/readyz`);

      // The suggested command, with the env the hints say it needs, run by a shell as a user would.
      const exported = printed.match(/^ {2}export (.+)$/m)?.[0];
      expect(exported).toContain(`REGISTRY_URL=http://localhost:${system.ports.registry}`);
      const demo = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { demo: string } })
        .scripts.demo;
      const { REGISTRY_URL, IDP_URL, DATA_DIR, ...env } = process.env;
      const shell = spawn('sh', ['-c', `${exported}\n${demo}`], {
        cwd: root,
        env: { ...env, PATH: `${join(root, 'node_modules', '.bin')}:${env.PATH}` },
      });
      let demoOutput = '';
      shell.stdout.on('data', (chunk: Buffer) => {
        demoOutput += chunk.toString();
      });
      shell.stderr.on('data', (chunk: Buffer) => {
        demoOutput += chunk.toString();
      });
      expect(await new Promise((resolve) => shell.on('close', resolve)), demoOutput).toBe(0);
      expect(demoOutput).toContain('"voornamen": "Suzanne"');
      // And the BRK: Utrecht by Suzanne's address, Haarlem by her BSN, each answer signed by Kadaster's gateway.
      expect(demoOutput.match(/signature of Kadaster verified: true/g)).toHaveLength(2);

      // The hint's BRK call through Utrecht's outway, as an application makes it (no sdk, the API key only).
      const brkHint = printed.match(/curl -s '(localhost:\d+\/brk-bevragen\/kadastraalonroerendezaken\?[^']+)'/)?.[1];
      expect(brkHint).toBe(
        `localhost:${system.ports.outway}/brk-bevragen/kadastraalonroerendezaken?postcode=3077AW&huisnummer=31`,
      );
      const activity = printed.match(/'Processing-Activity: ([^']+)'/)?.[1] ?? '';
      const brk = await fetch(`http://${brkHint}`, {
        headers: {
          'x-api-key': readFileSync(join(system.data, 'outway-api-key'), 'utf8').trim(),
          'processing-activity': activity,
        },
      });
      expect(brk.status, await brk.clone().text()).toBe(200);
      expect(brk.headers.get('content-type')).toContain('application/hal+json');

      // One more query through the outway, and Ctrl-C at once: its record must still get its tree head.
      const apiKey = readFileSync(join(system.data, 'outway-api-key'), 'utf8').trim();
      const answer = await askOutwayForSuzanne(`http://127.0.0.1:${system.ports.outway}`, apiKey);
      expect(answer.status).toBe(200);
      const transaction = answer.headers.get('fsc-transaction-id') ?? '';
      // And a request still arriving when Ctrl-C comes: the gateway is draining while a second signal would land.
      const socket = connect({ host: '127.0.0.1', port: system.ports.gateway });
      await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
      socket.on('error', () => undefined);
      socket.on('data', () => undefined);
      const body = '{"type":"RaadpleegMetBurgerservicenummer"}';
      socket.write(
        `POST /personen HTTP/1.1\r\nHost: localhost:${system.ports.gateway}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 8)}`,
      );
      const pid = system.process.pid as number;
      const exited = new Promise<number | null>((resolve) => system.process.on('exit', resolve));
      process.kill(-pid, 'SIGINT');
      for (let i = 0; i < 100 && !withoutColour(system.printed()).includes('[gateway] stopping'); i++) await pause(100);
      await pause(1500);
      socket.end(body.slice(8));
      expect(await exited, withoutColour(system.printed())).toBe(0);

      const stopped = withoutColour(system.printed());
      expect(stopped).not.toContain('second signal');
      for (const part of PARTS.filter((p) => !CLI_PAGES(p))) expect(stopped).toContain(`[${part}] stopped\n`);
      expect(stopped).toContain(`poortwachter stopped: every part (${PARTS.join(', ')}) stopped cleanly`);

      const { db, close } = openDatabase<GatewayDatabase>(`sqlite:${join(system.data, 'gateway.db')}`);
      try {
        const record = await db
          .selectFrom('access_log')
          .select(['log_id', 'leaf_index'])
          .where('transaction_id', '=', transaction)
          .executeTakeFirstOrThrow();
        expect(record.log_id).not.toBeNull();
        const head = await db
          .selectFrom('merkle_heads')
          .select(({ fn }) => fn.max('tree_size').as('size'))
          .where('log_id', '=', record.log_id as string)
          .executeTakeFirstOrThrow();
        expect(Number(head.size)).toBeGreaterThan(Number(record.leaf_index));
      } finally {
        await close();
      }

      // Kadaster's gateway kept its own database, Merkle log and log key: its records are in neither of RvIG's.
      const brkLog = openDatabase<GatewayDatabase>(`sqlite:${join(system.data, 'brk-gateway.db')}`);
      try {
        const logs = await brkLog.db.selectFrom('access_log').select('log_id').distinct().execute();
        expect(logs.length).toBeGreaterThan(0);
        for (const { log_id } of logs) expect(log_id).toMatch(/^brk-bevragen-/);
      } finally {
        await brkLog.close();
      }
      const logKey = (name: string) => readFileSync(join(system.data, 'keys', name), 'utf8');
      expect(logKey('brk-gateway-log.key')).not.toBe(logKey('gateway-log.key'));
    } finally {
      await system.stop();
    }
  }, 180_000);

  it("one Ctrl-C on the README's command (npx, pnpm and tsx around it, each passing the signal on) is one stop", async () => {
    const system = await startSystem({ detached: true, command: ['npx', '-y', 'pnpm@10', 'start'] });
    try {
      const exited = new Promise((resolve) => system.process.once('close', resolve));
      process.kill(-(system.process.pid as number), 'SIGINT');
      await exited;
      const stopped = withoutColour(system.printed());
      expect(stopped).not.toContain('second signal');
      expect(stopped).toContain(`poortwachter stopped: every part (${PARTS.join(', ')}) stopped cleanly`);
      // pnpm's own complaint about a script that a signal ended: the script ended on its own, cleanly.
      expect(stopped).not.toContain('ELIFECYCLE');
    } finally {
      await system.stop();
    }
  }, 180_000);

  it('leaves no part running when the supervisor itself is killed', async () => {
    const system = await startSystem({ detached: true });
    const pid = system.process.pid as number;
    const parts = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
    try {
      expect(parts).toHaveLength(PARTS.length);
      process.kill(pid, 'SIGKILL');
      const deadline = Date.now() + 30_000;
      while (parts.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(parts.filter(alive)).toEqual([]);
    } finally {
      for (const part of parts.filter(alive)) process.kill(part, 'SIGKILL');
      await system.stop();
    }
  }, 120_000);
});
