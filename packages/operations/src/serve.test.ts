import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { type Listening, listen } from './serve.ts';

/** One GET to the server with exactly this `Host` (node:http would otherwise set its own). */
function get(listening: Listening, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: listening.port, path: '/anything', headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const serveHello = (forThisMachineOnly: boolean) =>
  listen({ fetch: () => new Response('hello'), port: 0, hostname: '127.0.0.1', forThisMachineOnly });

describe('listen: a server for this machine only', () => {
  it('answers the loopback names of the port it listens on (PORT=0: the one chosen), and 421 to any other', async () => {
    const listening = await serveHello(true);
    try {
      const port = listening.port;
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
        expect(await get(listening, host), host).toEqual({ status: 200, body: 'hello' });
      }
      for (const host of [`rebind.evil.example:${port}`, `localhost:${port + 1}`, `localhost.:${port}`, '127.0.0.1']) {
        const answer = await get(listening, host);
        expect(answer.status, host).toBe(421);
        expect(answer.body, host).toMatch(
          new RegExp(`^Misdirected request: [^\\n]*127\\.0\\.0\\.1:${port}[^\\n]*\\n$`),
        );
      }
    } finally {
      await listening.drain.stop(1000);
    }
  });

  it('answers any name when it is not for this machine only', async () => {
    const listening = await serveHello(false);
    try {
      expect(await get(listening, `gateway.example:${listening.port}`)).toEqual({ status: 200, body: 'hello' });
    } finally {
      await listening.drain.stop(1000);
    }
  });
});
