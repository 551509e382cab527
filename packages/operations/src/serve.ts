import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { MISDIRECTED_STATUS, misdirected } from '@poortwachter/protocol';
import type { Logger } from 'pino';
import { settings } from './settings.ts';

/** HTTPS settings of a server: PEM certificate chain and key, and optionally a CA for client certificates. */
export interface ServerTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Accept client certificates this CA signed (the app decides what an unauthorised one means). */
  readonly clientCa?: Buffer;
  /** Refuse the TLS handshake of a client without a certificate from `clientCa` (mTLS). */
  readonly requireClientCert?: boolean;
}

/**
 * `TLS_CERT_FILE` and `TLS_KEY_FILE` (PEM) make a server speak HTTPS; `TLS_CLIENT_CA_FILE` makes it ask
 * for client certificates signed by that CA, and `TLS_REQUIRE_CLIENT_CERT=true` (`true` or `false`,
 * nothing else) refuses clients without one. Asking for mutual TLS without a CA to check it against
 * fails the start: it would quietly mean none.
 */
export function tlsFromEnv(env: NodeJS.ProcessEnv, fail: (message: string) => never): ServerTls | undefined {
  const requireClientCert = settings(env, fail).flag('TLS_REQUIRE_CLIENT_CERT', false);
  const certFile = env.TLS_CERT_FILE?.trim();
  const keyFile = env.TLS_KEY_FILE?.trim();
  const caFile = env.TLS_CLIENT_CA_FILE?.trim();
  if (requireClientCert && !caFile)
    fail('TLS_REQUIRE_CLIENT_CERT=true needs TLS_CLIENT_CA_FILE (and TLS_CERT_FILE, TLS_KEY_FILE)');
  if (!certFile && !keyFile) {
    if (caFile) fail('TLS_CLIENT_CA_FILE needs TLS_CERT_FILE and TLS_KEY_FILE');
    return undefined;
  }
  const read = (name: string, file: string | undefined, holds: PemContent) => {
    if (!file) return fail(`${name} is needed with ${name === 'TLS_CERT_FILE' ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE'}`);
    return readPemSetting(name, file, holds, fail);
  };
  const cert = read('TLS_CERT_FILE', certFile, 'certificate');
  const key = read('TLS_KEY_FILE', keyFile, 'private key');
  // A key of another certificate would fail every handshake, not the start.
  if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key)))
    fail(`TLS_KEY_FILE must hold the private key of the certificate in TLS_CERT_FILE, ${keyFile} holds another`);
  return {
    cert,
    key,
    ...(caFile ? { clientCa: read('TLS_CLIENT_CA_FILE', caFile, 'certificate') } : {}),
    ...(requireClientCert ? { requireClientCert: true } : {}),
  };
}

/** What a PEM file a setting names must hold. */
export type PemContent = 'certificate' | 'private key';

/**
 * Reads the PEM file a setting names and checks that it holds what the setting accepts (a certificate,
 * the first of a bundle; or a private key), or fails the start naming the setting, the file and what it
 * accepts: one line, never the parser's stack trace at the first handshake.
 *
 * @example
 * const cert = readPemSetting('TLS_CERT_FILE', file, 'certificate', failSetting);
 */
export function readPemSetting(
  name: string,
  file: string,
  holds: PemContent,
  fail: (message: string) => never,
): Buffer {
  const pem = readSettingFile(name, file, fail);
  try {
    if (holds === 'certificate') new X509Certificate(pem);
    else createPrivateKey(pem);
  } catch {
    return fail(`${name} must name a PEM file holding a ${holds}, ${file} holds none`);
  }
  return pem;
}

/** Reads the file a setting names, or fails the start naming the setting, the file and why. */
export function readSettingFile(name: string, file: string, fail: (message: string) => never): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    return fail(`${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

export interface ListenOptions {
  readonly fetch: (request: Request, env: unknown) => Response | Promise<Response>;
  readonly port: number;
  readonly hostname: string;
  readonly tls?: ServerTls;
  /**
   * For this machine only (a server bound to loopback that must not be reachable from a web page
   * elsewhere): every request whose `Host` is not a loopback name of the port it listens on gets
   * 421 and one plain line, whatever its path. Listening on 127.0.0.1 is not enough: a page whose own
   * name resolves to 127.0.0.1 (DNS rebinding) is then read by the browser as its own site.
   */
  readonly forThisMachineOnly?: boolean;
}

/** A server that is listening, and how to reach it. */
export interface Listening {
  readonly server: Server;
  readonly port: number;
  /** `http://host:port` or `https://host:port`. */
  readonly url: string;
  readonly drain: Drain;
}

/** Why a server could not start listening, in words an operator acts on. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

/**
 * Serves a fetch handler over HTTP, or HTTPS with `tls`, and resolves once it listens. A port in use or
 * an address that cannot be bound rejects with a `ListenError` that says so, never a stack trace.
 */
export function listen(options: ListenOptions): Promise<Listening> {
  const tls = options.tls;
  const https = tls
    ? {
        createServer: createHttpsServer,
        serverOptions: {
          cert: tls.cert,
          key: tls.key,
          ...(tls.clientCa
            ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: tls.requireClientCert === true }
            : {}),
        },
      }
    : {};
  // The port it listens on (PORT=0: the one chosen), known before the first request can arrive.
  let ownPort = options.port;
  const fetch: ListenOptions['fetch'] = options.forThisMachineOnly
    ? (request, env) => {
        const refusal = misdirected(request.headers.get('host'), ownPort);
        return refusal
          ? new Response(refusal, {
              status: MISDIRECTED_STATUS,
              headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
            })
          : options.fetch(request, env);
      }
    : options.fetch;
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: options.port, hostname: options.hostname, ...https }, (info) => {
      server.off('error', onError);
      const address = info as AddressInfo;
      ownPort = address.port;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        server: server as Server,
        port: address.port,
        url: `${tls ? 'https' : 'http'}://${host}:${address.port}`,
        drain: trackForDrain(server as Server),
      });
    });
    const onError = (error: NodeJS.ErrnoException) => {
      const where = `${options.hostname}:${options.port}`;
      if (error.code === 'EADDRINUSE') {
        reject(
          new ListenError(
            `port ${options.port} on ${options.hostname} is in use by another process: stop it, or set PORT`,
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(new ListenError(`not allowed to listen on ${where} (EACCES): use a port above 1023, or set PORT`));
      } else if (error.code === 'EADDRNOTAVAIL') {
        reject(new ListenError(`${options.hostname} is not an address of this machine (EADDRNOTAVAIL): set HOST`));
      } else reject(new ListenError(`cannot listen on ${where}: ${error.message}`));
    };
    server.once('error', onError);
  });
}

/** A server's graceful stop: stop accepting, finish in-flight requests with `Connection: close`, bounded. */
export interface Drain {
  /** Requests being answered now. */
  readonly inFlight: number;
  /**
   * Stops accepting connections; in-flight requests are answered with `Connection: close`, idle
   * keep-alive connections are closed, and every connection still open after `timeoutMs` is cut.
   * Resolves `{ clean: true }` when all finished in time.
   */
  stop(timeoutMs: number): Promise<{ clean: boolean; cut: number }>;
}

function trackForDrain(server: Server): Drain {
  const open = new Set<ServerResponse>();
  let draining = false;
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    open.add(res);
    if (draining) res.setHeader('connection', 'close');
    res.once('close', () => open.delete(res));
  });
  return {
    get inFlight() {
      return open.size;
    },
    stop(timeoutMs) {
      draining = true;
      for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
      return new Promise((resolve) => {
        let cut = 0;
        const idle = setInterval(() => server.closeIdleConnections(), 100);
        const deadline = setTimeout(() => {
          cut = open.size;
          server.closeAllConnections();
        }, timeoutMs);
        server.close(() => {
          clearInterval(idle);
          clearTimeout(deadline);
          resolve({ clean: cut === 0, cut });
        });
        server.closeIdleConnections();
      });
    },
  };
}

export interface StopOptions {
  readonly component: string;
  readonly log: Logger;
  /** Longest wait for in-flight requests before their connections are cut (ms). */
  readonly drainTimeoutMs: number;
  /** Runs first: stop background work (the directory refresh). */
  readonly beforeDrain?: () => void;
  /** Runs after the last request: drain the pending log batch, close the database, flush telemetry. */
  readonly close: () => Promise<void>;
  /** Exits the process; tests replace it. */
  readonly exit?: (code: number) => void;
}

/** What a primary process sends a worker to make it drain and stop, as SIGTERM would. */
export const STOP_MESSAGE = 'poortwachter:stop';

/**
 * On SIGINT or SIGTERM (once): drains the server within `drainTimeoutMs`, runs `close`, and exits 0 when
 * both went cleanly, or 1 with the reason in the log (connections cut at the deadline; the log could not
 * be flushed). A second signal exits 1 at once. A process started with an IPC channel (a worker of a
 * primary, a part of `pnpm start`) stops the same way on `STOP_MESSAGE`, and when the channel closes:
 * the process that started it is gone, and nobody else would stop it.
 */
export function stopOnSignals(listening: Pick<Listening, 'drain'>, options: StopOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      options.log.warn({ signal }, 'second signal: stopping now, without waiting');
      exit(1);
      return;
    }
    stopping = true;
    const started = Date.now();
    options.log.info(
      { signal, in_flight: listening.drain.inFlight },
      'stopping: no new connections, finishing requests',
    );
    options.beforeDrain?.();
    const { clean, cut } = await listening.drain.stop(options.drainTimeoutMs);
    let code = 0;
    if (!clean) {
      options.log.error(
        { cut, drain_timeout_ms: options.drainTimeoutMs },
        `stopping: ${cut} request(s) still running after ${options.drainTimeoutMs} ms; their connections were cut`,
      );
      code = 1;
    }
    try {
      await options.close();
    } catch (error) {
      options.log.error(
        { err: error },
        `stopping: could not close cleanly: ${error instanceof Error ? error.message : String(error)}`,
      );
      code = 1;
    }
    options.log.info(
      { exit_code: code, took_ms: Date.now() - started },
      code === 0 ? 'stopped' : 'stopped with errors',
    );
    exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(signal));
  // A worker of a primary process (node:cluster) is asked to stop by a message; once stopping, it
  // ignores it, so a signal that reached the worker as well does not count twice.
  if (process.send) {
    process.on('message', (message) => {
      if (message === STOP_MESSAGE && !stopping) void stop('stop message from the primary');
    });
    process.on('disconnect', () => {
      if (!stopping) void stop('the process that started it is gone');
    });
  }
}
