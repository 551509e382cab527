import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { addCheckpoint, type WitnessAnswer, type WitnessService } from './add-checkpoint.ts';

/**
 * The largest add-checkpoint body a witness reads: 63 proof lines, a checkpoint and its signatures stay
 * far below it.
 */
export const MAX_ADD_CHECKPOINT_BYTES = 64 * 1024;

const TEXT = 'text/plain; charset=utf-8';

/** Turns an answer into the HTTP response (keep-alive, as C2SP asks of witnesses). */
function send(res: ServerResponse, { status, contentType, body }: WitnessAnswer, extra: Record<string, string> = {}) {
  res.writeHead(status, {
    'content-type': contentType,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  res.end(body);
}

/** The body of a request, whole, or undefined when it is larger than `limit` bytes. */
async function bodyOf(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The witness's HTTP interface (submission and monitoring prefix are both its root):
 * `POST /add-checkpoint` (C2SP tlog-witness), `GET /<sha256 hex of origin>/checkpoint` (the latest
 * checkpoint it cosigned of that log, with the log's signature and its own cosignature; 404 for a log it
 * never cosigned), `GET /healthz` (it runs) and `GET /readyz` (200 once it has a verified directory; the
 * body says its name, vkey and the directory's state, 503 before).
 *
 * @example
 * const server = createServer(witnessHandler(witness));
 */
export function witnessHandler(witness: WitnessService) {
  const status = () => ({
    name: witness.key.name,
    vkey: witness.key.vkey,
    ...witness.logKeys.status(),
  });
  const json = (value: unknown): WitnessAnswer => ({
    status: 200,
    contentType: 'application/json',
    body: `${JSON.stringify(value)}\n`,
  });
  const text = (code: number, body: string): WitnessAnswer => ({ status: code, contentType: TEXT, body });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://witness').pathname;
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (path === '/add-checkpoint') {
      if (req.method !== 'POST') return send(res, text(405, 'POST only.\n'), { allow: 'POST' });
      const body = await bodyOf(req, MAX_ADD_CHECKPOINT_BYTES);
      if (body === undefined) {
        res.setHeader('connection', 'close');
        return send(res, text(413, `The request is larger than ${MAX_ADD_CHECKPOINT_BYTES} bytes.\n`));
      }
      return send(res, await addCheckpoint(witness, body));
    }
    if (!read) return send(res, text(405, 'GET only.\n'), { allow: 'GET, HEAD' });
    if (path === '/healthz') return send(res, json({ status: 'ok' }));
    if (path === '/readyz') {
      const current = status();
      return send(res, {
        ...json({ status: current.ready ? 'ready' : 'not ready', ...current }),
        status: current.ready ? 200 : 503,
      });
    }
    const monitoring = /^\/([0-9a-f]{64})\/checkpoint$/.exec(path);
    if (monitoring) {
      const state = witness.store.readByHash(monitoring[1] as string);
      if (!state) return send(res, text(404, 'This witness has not cosigned a checkpoint of that log.\n'));
      return send(res, text(200, state.note), { 'cache-control': 'no-cache' });
    }
    return send(res, text(404, 'Not found.\n'));
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      // Nothing of the cause leaves the process: the operator finds it on stderr.
      process.stderr.write(`witness: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      if (res.headersSent) return res.destroy();
      send(res, text(500, 'The witness could not handle the request.\n'));
    });
  };
}

/**
 * Starts the witness's server on `host`:`port` (0: a free port); resolves once it listens, with its URL
 * (the submission and monitoring prefix) and a `close` that ends idle connections at once.
 *
 * @example
 * const { url, close } = await startWitnessServer(witness, { port: 0 });
 */
export async function startWitnessServer(
  witness: WitnessService,
  options: { readonly port: number; readonly host?: string },
): Promise<{ readonly url: string; readonly server: Server; close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer({ keepAlive: true }, witnessHandler(witness));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
