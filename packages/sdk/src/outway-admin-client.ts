import { type ProblemDetails, signRequest } from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { SdkError } from './sdk-error.ts';

/** An application as the outway's admin API lists it (its key hash stays at the outway). */
export interface OutwayApplication {
  readonly id: string;
  readonly name: string;
  readonly processingActivities: readonly string[];
  readonly defaultProcessingActivity: string | null;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface OutwayAdminClientOptions {
  /** The outway's public base URL (the one its signatures are checked against). */
  readonly outwayUrl: string;
  /** The private key of the outway's own organisation, whose anchored key signs every request. */
  readonly privateKey: JWK;
  readonly fetch?: typeof globalThis.fetch;
}

/**
 * The outway's admin API (`/admin/v1/applications`), each request signed by the outway's organisation
 * (RFC 9421, as a signed read of the log): list, register (the API key is answered once), revoke.
 * Refusals are thrown as an `SdkError` with the outway's problem.
 *
 * @example
 * const outway = createOutwayAdminClient({ outwayUrl: 'http://localhost:8304', privateKey });
 * const { apiKey } = await outway.register({ name: 'Zorgloket', processingActivities: [activity] });
 */
export function createOutwayAdminClient(options: OutwayAdminClientOptions) {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const base = `${options.outwayUrl.replace(/\/+$/, '')}/admin/v1/applications`;

  async function call(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<Response> {
    const request = await signRequest({
      url,
      method,
      body: body === undefined ? '' : JSON.stringify(body),
      privateKey: options.privateKey,
    });
    let res: Response;
    try {
      res = await fetchImpl(request.url, {
        method,
        headers: request.headers,
        ...(method === 'GET' ? {} : { body: request.body }),
      });
    } catch (cause) {
      throw new SdkError('network', `De outway op ${options.outwayUrl} is niet bereikbaar.`, undefined, { cause });
    }
    if (res.ok) return res;
    const problem = (await res.json().catch(() => undefined)) as ProblemDetails | undefined;
    const message = problem?.detail ?? problem?.title ?? `De outway antwoordde ${res.status}.`;
    throw new SdkError(problem?.code ?? 'problem', message, problem ? { ...problem, status: res.status } : undefined);
  }

  return {
    /** Every application, revoked ones too, oldest first. */
    async list(): Promise<OutwayApplication[]> {
      const res = await call('GET', base);
      return ((await res.json()) as { applications: OutwayApplication[] }).applications;
    },
    /** Registers an application; the answer holds its API key, which the outway never shows again. */
    async register(input: {
      readonly name: string;
      readonly processingActivities: readonly string[];
      /** The one it asks under when a query names none (without it, every query must name one). */
      readonly defaultProcessingActivity?: string;
    }): Promise<OutwayApplication & { apiKey: string }> {
      const res = await call('POST', base, input);
      return (await res.json()) as OutwayApplication & { apiKey: string };
    },
    /** Revokes an application: its key is refused from now on. */
    async revoke(id: string): Promise<void> {
      await call('DELETE', `${base}/${encodeURIComponent(id)}`);
    },
  };
}

export type OutwayAdminClient = ReturnType<typeof createOutwayAdminClient>;
