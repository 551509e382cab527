/**
 * A registry gone bad, from outside: an HTTP server on 127.0.0.1 that serves `/v1/directory` as a
 * snapshot of the test's choosing, signed with the real registry's private key (read from the test
 * system's DATA_DIR, as an operator or an intruder on the registry's machine has it), and passes every
 * other path on to the real registry. A gateway whose REGISTRY_URL points here verifies that snapshot
 * against its pinned registry key and accepts it: what it then grants is up to its own trust step.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { compactJws } from './contract-forgery.ts';
import type { RawJwk } from './raw-client.ts';

export interface ForgedRegistry {
  readonly url: string;
  /** Serves `snapshot` (a directory payload) from now on, with a higher serial and a fresh issued_at; returns the serial. */
  publish(snapshot: Record<string, unknown>): number;
  close(): Promise<void>;
}

/** The real registry's directory payload now (decoded, not verified: the attacker's starting point). */
export async function realSnapshot(registryUrl: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${registryUrl}/v1/directory`, { headers: { accept: 'application/jose' } });
  const jws = await res.text();
  return JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

export async function startForgedRegistry(options: {
  registryKeyFile: string;
  upstream: string;
}): Promise<ForgedRegistry> {
  const key = JSON.parse(readFileSync(options.registryKeyFile, 'utf8')) as RawJwk;
  let serial = 0;
  let jws: string | undefined;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = req.url ?? '/';
    if (path === '/v1/directory' && jws) {
      if (req.headers['if-none-match'] === `"${serial}"`) {
        res.writeHead(304, { etag: `"${serial}"` }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/jose', etag: `"${serial}"` }).end(jws);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(`${options.upstream}${path}`, {
      method: req.method ?? 'GET',
      headers: Object.fromEntries(
        Object.entries(req.headers).filter(([name, v]) => typeof v === 'string' && name !== 'host'),
      ) as Record<string, string>,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    res.writeHead(upstream.status, Object.fromEntries(upstream.headers)).end(Buffer.from(await upstream.arrayBuffer()));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    publish(snapshot) {
      serial = Math.max(serial, Number(snapshot.serial ?? 0) + 1000) + 1;
      const payload = { ...snapshot, serial, issued_at: new Date().toISOString() };
      jws = compactJws(payload, 'poortwachter-directory+jws', key);
      return serial;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
