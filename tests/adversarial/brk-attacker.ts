/**
 * The attacker's tools against Kadaster's BRK inway of a running `pnpm start` (issue 26 §3), shared by
 * `brk-inway.test.ts` and `brk-records.test.ts`: requests signed with node:crypto (`raw-client.ts`) and
 * sent over node:http exactly as written (no normalisation of `..` or `//`), the access records of a
 * transaction read read-only in `brk-gateway.db`, and a citizen's timeline at the BRK inway.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { GatewayDatabase } from '@poortwachter/gateway';
import { openDatabase } from '@poortwachter/registry';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { expect } from 'vitest';
import type { RunningSystem } from '../start-system.ts';
import { type RawJwk, type RawRequest, signRaw } from './raw-client.ts';

export const HOME = '30000000000001';
export const COMPANY_ONLY = '30000000000008';
export const SUZANNE = '999993653';
export const OZB = DEMO_PROCESSING_ACTIVITY.utrechtOzb;
export const VERMOGEN = DEMO_PROCESSING_ACTIVITY.haarlemVermogen;

export interface Problem {
  code: string;
  detail?: string;
  invalidParams?: { name: string; code: string }[];
}
export interface Answer {
  status: number;
  type: string;
  text: string;
  /** Retry-After in seconds (0 when absent). */
  retryAfter: number;
}

/** The tools, bound to `system()` (read when used: the system starts in a `beforeAll`). */
export function brkAttacker(system: () => RunningSystem) {
  const base = () => `http://localhost:${system().ports.brkGateway}`;
  const key = (oin: string) =>
    JSON.parse(readFileSync(join(system().data, 'keys', `${oin}.jwk.json`), 'utf8')) as RawJwk;
  const utrecht = () => ({ key: key(DEMO_OIN.utrecht), processingActivity: OZB });
  const haarlem = () => ({ key: key(DEMO_OIN.haarlem), processingActivity: VERMOGEN });

  /** Sends over node:http exactly `path` (no normalisation of `..` or `//`), with `headers`. */
  const send = (method: string, path: string, headers: Record<string, string>, body = '') =>
    new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: system().ports.brkGateway,
          method,
          path,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers['content-type']),
              text,
              retryAfter: Number(res.headers['retry-after'] ?? 0),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  /** A request signed for `path` at the inway's public URL, sent as it is (or as `sent` says). */
  const call = (
    path: string,
    as: Pick<RawRequest, 'key' | 'processingActivity'> = utrecht(),
    extra: Partial<RawRequest> & { sent?: string } = {},
  ) => {
    const method = extra.method ?? (extra.body === undefined ? 'GET' : 'POST');
    const headers = signRaw({ method, targetUri: `${base()}${path}`, ...as, ...extra });
    return send(method, extra.sent ?? path, headers, extra.body);
  };
  const problemOf = (answer: Answer, status: number, code?: string) => {
    expect(answer.status, answer.text).toBe(status);
    expect(answer.type).toContain('application/problem+json');
    const problem = JSON.parse(answer.text) as Problem;
    if (code) expect(problem.code).toBe(code);
    return problem;
  };
  const names = (problem: Problem) => problem.invalidParams?.map((p) => p.name) ?? [];

  /** The access records of one transaction, read-only in Kadaster's log database. */
  async function recordsOf(transactionId: string) {
    const { db, close } = openDatabase<GatewayDatabase>(`sqlite:${join(system().data, 'brk-gateway.db')}`);
    try {
      const rows = await db
        .selectFrom('access_log')
        .select(['data_subject_id', 'record'])
        .where('transaction_id', '=', transactionId)
        .execute();
      return rows.map((row) => ({
        pseudonym: row.data_subject_id,
        type: (JSON.parse(row.record) as { attributes: Record<string, unknown> }).attributes[
          'dpl.core.data_subject_id_type'
        ],
      }));
    } finally {
      await close();
    }
  }
  /** A signed call whose transaction id we know, and its records once it was answered. */
  async function recorded(path: string, as = utrecht(), body?: string) {
    const headers = signRaw({
      method: body ? 'POST' : 'GET',
      targetUri: `${base()}${path}`,
      ...as,
      ...(body ? { body } : {}),
    });
    const answer = await send(body ? 'POST' : 'GET', path, headers, body);
    expect(answer.status, answer.text).toBe(200);
    return { answer, records: await recordsOf(headers['fsc-transaction-id'] as string) };
  }
  const timeline = async (bsn: string) => {
    const res = await fetch(`http://127.0.0.1:${system().ports.idp}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bsn }),
    });
    const { access_token } = (await res.json()) as { access_token: string };
    const list = await fetch(`http://127.0.0.1:${system().ports.brkGateway}/inzage/v1/verwerkingen?limit=100`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(list.status, await list.clone().text()).toBe(200);
    return ((await list.json()) as { verwerkingen: Record<string, unknown>[] }).verwerkingen;
  };

  return { base, key, utrecht, haarlem, send, call, problemOf, names, recordsOf, recorded, timeline };
}
