import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCertificates, type TestCertificates } from '@poortwachter/operations/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawJwk, signRaw } from '../adversarial/raw-client.ts';
import { freePort, type RunningSystem, startSystem } from '../start-system.ts';
import { startEntry } from './server-entry.ts';

/** A server entry on a free port, started with `env`. */
async function startServer(entry: string, env: Record<string, string>) {
  const port = await freePort();
  const running = await startEntry(entry, { PORT: String(port), ...env });
  return { port, output: running.output, stop: running.stop };
}

/** An HTTPS request with our own trust (the test CA) and, for mutual TLS, a client certificate. */
function httpsCall(
  url: string,
  options: {
    ca: Buffer;
    cert?: Buffer;
    key?: Buffer;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
  },
): Promise<{ status: number; body: string; protocol: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        ca: options.ca,
        ...(options.cert ? { cert: options.cert, key: options.key } : {}),
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, protocol: 'https' }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Every server serves HTTPS from the certificate and key files it is given, and the gateway calls an
 * HTTPS source with a CA bundle and a client certificate (mutual TLS); certificates made here.
 */
describe('TLS: HTTPS on every server, mutual TLS from the gateway to its source', () => {
  let certs: TestCertificates;
  let system: RunningSystem;
  let key: RawJwk;
  const stops: (() => Promise<unknown>)[] = [];
  const serverTls = () => ({ TLS_CERT_FILE: certs.file('server', 'pem'), TLS_KEY_FILE: certs.file('server', 'key') });

  beforeAll(async () => {
    certs = makeTestCertificates([
      { name: 'server', server: true },
      { name: 'gateway', subject: '/CN=poortwachter gateway' },
      { name: 'stranger', selfSigned: true },
    ]);
    system = await startSystem();
    key = JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as RawJwk;
  }, 90_000);
  afterAll(async () => {
    for (const stop of stops) await stop();
    await system?.stop();
    rmSync(certs.dir, { recursive: true, force: true });
  });

  it('serves the registry, the dev identity provider and the source over HTTPS', async () => {
    const registryData = mkdtempSync(join(tmpdir(), 'poortwachter-tls-registry-'));
    const registry = await startServer('packages/registry/src/server/main.ts', {
      DATA_DIR: registryData,
      ...serverTls(),
    });
    stops.push(async () => {
      await registry.stop();
      rmSync(registryData, { recursive: true, force: true });
    });
    const directory = await httpsCall(`https://127.0.0.1:${registry.port}/v1/directory`, {
      ca: certs.read('ca', 'pem'),
    });
    expect(directory.status).toBe(200);
    expect(directory.body.split('.')).toHaveLength(3);
    const idp = await startServer('examples/dev-idp/src/server.ts', { DATA_DIR: system.data, ...serverTls() });
    stops.push(() => idp.stop());
    expect(idp.output()).toContain(`https://127.0.0.1:${idp.port}`);
    // A client that does not trust the test CA gets no answer: it is TLS for real.
    await expect(fetch(`https://127.0.0.1:${registry.port}/healthz`)).rejects.toThrow();
  }, 150_000);

  it('calls a source that demands a client certificate, with its CA bundle and certificate (mTLS), over HTTPS itself', async () => {
    const source = await startServer('examples/brp-source/src/server.ts', {
      ...serverTls(),
      TLS_CLIENT_CA_FILE: certs.caFile,
      TLS_REQUIRE_CLIENT_CERT: 'true',
    });
    stops.push(() => source.stop());
    const sourceUrl = `https://127.0.0.1:${source.port}`;
    // Without a client certificate, or with one the CA never signed, the source does not even answer.
    await expect(httpsCall(`${sourceUrl}/healthz`, { ca: certs.read('ca', 'pem') })).rejects.toThrow();
    await expect(
      httpsCall(`${sourceUrl}/healthz`, {
        ca: certs.read('ca', 'pem'),
        cert: certs.read('stranger', 'pem'),
        key: certs.read('stranger', 'key'),
      }),
    ).rejects.toThrow();

    const gatewayEnv = (extra: Record<string, string>) => ({
      DATA_DIR: system.data,
      DATABASE_URL: `sqlite:${join(certs.dir, `gateway-${Object.keys(extra).length}.db`)}`,
      REGISTRY_URL: `http://localhost:${system.ports.registry}`,
      SOURCE_URL: sourceUrl,
      SOURCE_CA_FILE: certs.caFile,
      INSTANCE_ID: `tls-${Object.keys(extra).length}`,
      ...serverTls(),
      ...extra,
    });
    const gateway = await startServer(
      'packages/gateway/src/server/main.ts',
      gatewayEnv({ SOURCE_CERT_FILE: certs.file('gateway', 'pem'), SOURCE_KEY_FILE: certs.file('gateway', 'key') }),
    );
    stops.push(() => gateway.stop());
    expect(gateway.output()).toContain(`listening on https://127.0.0.1:${gateway.port}`);

    const body = JSON.stringify({
      type: 'RaadpleegMetBurgerservicenummer',
      burgerservicenummer: ['999993653'],
      fields: ['naam.voornamen'],
    });
    const signed = () =>
      signRaw({
        method: 'POST',
        // The service's public URL in the directory; this gateway is another instance of it.
        targetUri: `http://localhost:${system.ports.gateway}/personen`,
        key,
        processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
        body,
      });
    const answer = await httpsCall(`https://127.0.0.1:${gateway.port}/personen`, {
      ca: certs.read('ca', 'pem'),
      method: 'POST',
      headers: signed(),
      body,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Suzanne');

    // The same gateway without its client certificate: the source refuses the handshake, nothing is released.
    const noCert = await startServer('packages/gateway/src/server/main.ts', gatewayEnv({}));
    stops.push(() => noCert.stop());
    const refused = await httpsCall(`https://127.0.0.1:${noCert.port}/personen`, {
      ca: certs.read('ca', 'pem'),
      method: 'POST',
      headers: signed(),
      body,
    });
    expect(refused.status).toBe(502);
    expect(refused.body).not.toContain('Suzanne');
    expect(noCert.output()).toMatch(/"reason":"sourceUnreachable"/);
  }, 150_000);
});
