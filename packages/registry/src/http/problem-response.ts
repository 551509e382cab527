import { createLogger, failureReporter, requestRoute } from '@poortwachter/operations';
import { isProblemError, ProblemError } from '@poortwachter/protocol';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';

export const PROBLEM_JSON = 'application/problem+json';

/** Turns a ProblemError into its problem+json response. */
export function problemResponse(c: Context, error: ProblemError): Response {
  return new Response(JSON.stringify(error.toProblem(new URL(c.req.url).pathname)), {
    status: error.status,
    headers: { 'content-type': PROBLEM_JSON, ...error.headers },
  });
}

const report = failureReporter(createLogger('registry'));

/**
 * The one error handler: known problems become problem+json, anything else a 500 that says nothing
 * of the cause to the client (the cause is logged, the stack stays here).
 */
export function onRegistryError(error: Error, c: Context): Response {
  if (isProblemError(error)) return problemResponse(c, error);
  if (error instanceof HTTPException && error.status === 413) {
    return problemResponse(c, new ProblemError('payloadTooLarge', 'The request body is too large.'));
  }
  if (error instanceof HTTPException && error.status < 500) {
    return problemResponse(c, new ProblemError('paramsValidation', error.message || 'Bad request.'));
  }
  report('unexpected error', error, { route: requestRoute(c) });
  return problemResponse(c, new ProblemError('serverError', 'An unexpected error occurred.'));
}

/** Reads a JSON request body: 415 when it is not declared JSON, 400 naming `body` when it does not parse. */
export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new ProblemError('unsupportedMediaType', 'Send the body as application/json.');
  }
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ProblemError('paramsValidation', 'The body is not valid JSON.', {
      cause,
      invalidParams: [{ name: 'body', code: 'json', reason: 'De body is geen geldige JSON.' }],
    });
  }
}
