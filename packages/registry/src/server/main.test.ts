import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyDirectorySnapshot } from '@poortwachter/protocol';
import { parseTrustAnchors, trustDirectory } from '@poortwachter/protocol/contracts';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { SOURCE_LOADER } from '../../../../scripts/source-loader.ts';
import { freePort } from '../../../../tests/free-ports.ts';
import { findContractHash, signContractAs } from '../testing/index.ts';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Starts the registry exactly as `pnpm --filter @poortwachter/registry start` does, and waits for it. */
async function startRegistry(
  dataDir: string,
  port: number,
  demo = true,
): Promise<{ child: ChildProcess; output: string }> {
  const child = spawn(process.execPath, [...SOURCE_LOADER, main], {
    env: {
      ...process.env,
      POORTWACHTER_DEMO: String(demo),
      DATA_DIR: dataDir,
      PORT: String(port),
      DATABASE_URL: '',
      BRK_GATEWAY_PUBLIC_URL: 'http://localhost:18307',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`registry did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('started in')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`registry exited with ${code}:\n${output}`)));
  });
  return { child, output };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

// Each test starts the registry as a process: on a busy machine that takes longer than a test's default.
describe('the registry server entry (the start command)', { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'poortwachter-data-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts seeded on SQLite under DATA_DIR, with secrets in 0600 files, and serves a verifiable directory', async () => {
    delete process.env.DATABASE_URL;
    const port = await freePort();
    const { child, output } = await startRegistry(dataDir, port);
    try {
      expect(output).toContain(`listening on http://localhost:${port}`);
      expect(output).toContain('/v1/directory');
      expect(output).toContain('seeded the demo registry');

      const mode = (file: string) => statSync(join(dataDir, file)).mode & 0o777;
      expect(mode('registry-admin-token')).toBe(0o600);
      expect(mode('keys/registry.jwk.json')).toBe(0o600);
      expect(mode(`keys/${DEMO_OIN.utrecht}.jwk.json`)).toBe(0o600);
      expect(statSync(join(dataDir, 'registry.db')).isFile()).toBe(true);

      const pinned = JSON.parse(readFileSync(join(dataDir, 'keys/registry.public.jwk.json'), 'utf8')) as JWK;
      expect(pinned.d).toBeUndefined();
      const jws = await (await fetch(`http://127.0.0.1:${port}/v1/directory`)).text();
      const snapshot = await verifyDirectorySnapshot(jws, pinned);
      const utrechtKey = JSON.parse(readFileSync(join(dataDir, `keys/${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as JWK;
      expect(snapshot.organisations.find((o) => o.oin === DEMO_OIN.utrecht)?.keys[0]?.kid).toBe(utrechtKey.kid);
      // Kadaster's own key, and its BRK service at the inway BRK_GATEWAY_PUBLIC_URL names (issue 26).
      expect(mode(`keys/${DEMO_OIN.kadaster}.jwk.json`)).toBe(0o600);
      const kadasterKey = JSON.parse(readFileSync(join(dataDir, `keys/${DEMO_OIN.kadaster}.jwk.json`), 'utf8')) as JWK;
      expect(snapshot.organisations.find((o) => o.oin === DEMO_OIN.kadaster)?.keys[0]?.kid).toBe(kadasterKey.kid);
      const brk = snapshot.services.find((s) => s.id === 'brk-bevragen');
      expect(brk?.gatewayUrl).toBe('http://localhost:18307');
      expect(brk?.description?.operations.length).toBeGreaterThan(0);

      // The demo CA beside the demo keys (its key 0600), and every demo key certified by it.
      expect(mode('keys/demo-ca.key.json')).toBe(0o600);
      const anchors = parseTrustAnchors(readFileSync(join(dataDir, 'keys/demo-ca.pem'), 'utf8'));
      const trusted = await trustDirectory(snapshot, anchors);
      expect(trusted.keys.byKid.size).toBe(snapshot.organisations.length);
      expect(trusted.snapshot.autorisaties.map((a) => a.afnemerOin)).toContain(DEMO_OIN.uwv);

      // UWV's demo contract, revoked by RvIG with its demo key.
      const registry = `http://127.0.0.1:${port}`;
      const hash = await findContractHash(registry, {
        afnemerOin: DEMO_OIN.uwv,
        serviceId: 'brp-personen',
        processingActivityId: DEMO_PROCESSING_ACTIVITY.uwvWw,
      });
      const revoke = await signContractAs(registry, join(dataDir, 'keys'), DEMO_OIN.rvig, hash, 'revoke', 'Proef.');
      expect(revoke.status).toBe(200);
      const after = await verifyDirectorySnapshot(
        await (await fetch(`http://127.0.0.1:${port}/v1/directory`)).text(),
        pinned,
      );
      expect(after.serial).toBe(snapshot.serial + 1);
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });

  it('keeps its keys, token and data on a second start, and does not seed again', async () => {
    const token = readFileSync(join(dataDir, 'registry-admin-token'), 'utf8');
    const key = readFileSync(join(dataDir, 'keys/registry.jwk.json'), 'utf8');
    const port = await freePort();
    const { child, output } = await startRegistry(dataDir, port);
    try {
      expect(output).not.toContain('seeded');
      expect(output).not.toContain('made the admin token');
      expect(readFileSync(join(dataDir, 'registry-admin-token'), 'utf8')).toBe(token);
      expect(readFileSync(join(dataDir, 'keys/registry.jwk.json'), 'utf8')).toBe(key);
      // The seed signs no demo contract again: UWV's stays revoked, and none is made anew.
      const { contracts } = (await (
        await fetch(`http://127.0.0.1:${port}/v1/contracts?oin=${DEMO_OIN.uwv}`)
      ).json()) as {
        contracts: { state: string }[];
      };
      expect(contracts.map((c) => c.state)).toEqual(['revoked']);
    } finally {
      await stop(child);
    }
  });

  it('in production (POORTWACHTER_DEMO unset) starts empty and writes no organisation key', async () => {
    const production = mkdtempSync(join(tmpdir(), 'poortwachter-production-'));
    try {
      const port = await freePort();
      const { child, output } = await startRegistry(production, port, false);
      try {
        expect(output).not.toContain('seeded');
        expect(readdirSync(join(production, 'keys')).sort()).toEqual(['registry.jwk.json', 'registry.public.jwk.json']);
        expect(readFileSync(join(production, 'keys/registry.jwk.json'), 'utf8')).not.toContain('poortwachter_demo');
        const organisations = (await (await fetch(`http://127.0.0.1:${port}/v1/organisations`)).json()) as unknown[];
        expect(organisations).toEqual([]);
      } finally {
        expect(await stop(child)).toBe(0);
      }
    } finally {
      rmSync(production, { recursive: true, force: true });
    }
  });
});
