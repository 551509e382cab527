import type { ProblemDetails } from '@poortwachter/protocol';
import { isSdkError, SdkError } from './sdk-error.ts';

/**
 * One JSON call to the registry: the body as JSON, or an SdkError that carries the registry's
 * problem+json (its `code` and `detail`), or `network` when the registry cannot be reached.
 *
 * @example
 * const policy = await registryJson<WitnessPolicy>(fetch, 'http://localhost:8300', '/v1/witnesses');
 */
export async function registryJson<T>(
  fetchImpl: typeof globalThis.fetch,
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<T> {
  const hasBody = init.body !== undefined;
  let res: Response;
  try {
    res = await fetchImpl(`${base}${path}`, {
      method: init.method ?? (hasBody ? 'POST' : 'GET'),
      headers: {
        accept: 'application/json',
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(hasBody ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch (cause) {
    if (isSdkError(cause)) throw cause;
    throw new SdkError('network', `The registry at ${base} cannot be reached.`, undefined, { cause });
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const problem = parsed as ProblemDetails | undefined;
    throw new SdkError(
      problem?.code ?? `http${res.status}`,
      problem?.detail ?? problem?.title ?? `The registry answered ${res.status} for ${path}.`,
      problem,
    );
  }
  return parsed as T;
}
