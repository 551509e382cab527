import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isGatewayRefusal } from '@poortwachter/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Grant, RequestTrace } from './context.ts';
import { createSourceForwarder } from './forward.ts';

/** A real HTTP source, so that the gateway's own keep-alive client (not a fake fetch) is what is tested. */
type Behaviour = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let behaviour: Behaviour;
let server: Server;
let url: string;
const received: { headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      behaviour(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const grant = {
  query: { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: ['999993653'], fields: ['naam.voornamen'] },
  service: { dataSubjectPaths: ['personen.burgerservicenummer'] },
} as unknown as Grant;
const trace: RequestTrace = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  parentSpanId: undefined,
  sampled: true,
  startTime: Date.now(),
};
const context = { trace, transactionId: '0190a0c0-0000-7000-8000-000000000001', spanId: '00f067aa0ba902b7' };
const json = (status: number, value: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};

async function refusalOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isGatewayRefusal(error)) throw new Error(`expected a refusal, got ${String(error)}`);
  return { reason: error.reason, status: error.status, message: error.message };
}

describe('the gateway’s HTTP client for its source', () => {
  it('posts the authorised query with the subject path, trace and transaction, and reads the personen', async () => {
    behaviour = json(200, {
      type: 'RaadpleegMetBurgerservicenummer',
      personen: [{ burgerservicenummer: '999993653' }],
    });
    const forward = createSourceForwarder({ url: `${url}/` });
    const answer = await forward(grant, context);
    expect(answer).toEqual({
      type: 'RaadpleegMetBurgerservicenummer',
      personen: [{ burgerservicenummer: '999993653' }],
    });
    const last = received.at(-1);
    expect(JSON.parse(last?.body ?? '')).toEqual({ ...grant.query, fields: ['naam.voornamen', 'burgerservicenummer'] });
    expect(last?.headers.traceparent).toBe(`00-${trace.traceId}-${context.spanId}-01`);
    expect(last?.headers['fsc-transaction-id']).toBe(context.transactionId);
    // Several calls in a row reuse the connection and each gets its own answer.
    const again = await Promise.all([forward(grant, context), forward(grant, context), forward(grant, context)]);
    expect(again.map((a) => a.personen.length)).toEqual([1, 1, 1]);
  });

  it("turns a refusal of the source into the gateway's own problem: none of the source's text passes", async () => {
    const personal = 'Suzanne Moulin 999993653 1985-12-01';
    behaviour = json(400, {
      status: 400,
      code: 'paramsValidation',
      detail: personal,
      invalidParams: [
        { name: 'fields[0]', code: 'fields', reason: personal },
        { name: personal, code: 'x', reason: personal },
        { name: 'burgerservicenummer', code: `pattern ${personal}`, reason: personal },
      ],
    });
    const error = await createSourceForwarder({ url })(grant, context).catch((e: unknown) => e);
    expect(isGatewayRefusal(error) && error.reason).toBe('sourceRefused');
    const problem = isGatewayRefusal(error) ? error.toProblem() : undefined;
    expect(problem?.status).toBe(400);
    expect(JSON.stringify(problem)).not.toMatch(/Suzanne|Moulin|999993653|1985/);
    expect(problem?.invalidParams?.map((p) => [p.name, p.code])).toEqual([
      ['fields[0]', 'fields'],
      ['burgerservicenummer', 'invalid'],
    ]);

    behaviour = json(400, { status: 400, code: 'tooManyResults', detail: personal });
    expect(await refusalOf(createSourceForwarder({ url })(grant, context))).toMatchObject({
      reason: 'tooManyResults',
      status: 400,
    });
  });

  it('refuses every other shape a bad source can send, and passes none of its text', async () => {
    const personal = { burgerservicenummer: '999993653', naam: { geslachtsnaam: 'Moulin' } };
    const shapes: [string, Behaviour, string][] = [
      [
        'a 400 problem with HTML',
        (_q, res) => res.writeHead(400, { 'content-type': 'text/html' }).end('<p>Moulin</p>'),
        'sourceRefused',
      ],
      [
        'HTML with 200',
        (_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>Moulin</p>'),
        'sourceInvalidAnswer',
      ],
      [
        'JSON with a wrong content type',
        (_q, res) =>
          res
            .writeHead(200, { 'content-type': 'text/plain' })
            .end(JSON.stringify({ type: grant.query.type, personen: [personal] })),
        'sourceInvalidAnswer',
      ],
      ['a 200 without personen', json(200, { type: grant.query.type, persons: [personal] }), 'sourceInvalidAnswer'],
      [
        'a 200 of another search type',
        json(200, { type: 'ZoekMetPostcodeEnHuisnummer', personen: [personal] }),
        'sourceInvalidAnswer',
      ],
      [
        'a person without a BSN',
        json(200, { type: grant.query.type, personen: [{ naam: { geslachtsnaam: 'Moulin' } }] }),
        'sourceInvalidAnswer',
      ],
      [
        'a person that is not an object',
        json(200, { type: grant.query.type, personen: ['Moulin'] }),
        'sourceInvalidAnswer',
      ],
      [
        'truncated JSON',
        (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"type":"Raadpleeg'),
        'sourceInvalidAnswer',
      ],
      ['a 401 with personal data', json(401, { detail: 'Moulin' }), 'sourceError'],
      ['a 404', json(404, { detail: 'Moulin' }), 'sourceError'],
      ['a 500 with personal data', json(500, { detail: 'Moulin', personen: [personal] }), 'sourceError'],
      ['a 503', json(503, { detail: 'Moulin' }), 'sourceError'],
    ];
    for (const [what, shape, reason] of shapes) {
      behaviour = shape;
      const error = await createSourceForwarder({ url })(grant, context).catch((e: unknown) => e);
      expect(isGatewayRefusal(error) && error.reason, what).toBe(reason);
      expect(JSON.stringify(isGatewayRefusal(error) && error.toProblem()), what).not.toMatch(/Moulin|999993653/);
    }
  });

  it('refuses a slow source with sourceTimeout (504) after the timeout', async () => {
    behaviour = (_req, res) => {
      const timer = setTimeout(() => json(200, { personen: [] })(_req, res), 2000);
      res.on('close', () => clearTimeout(timer));
    };
    const started = performance.now();
    expect(await refusalOf(createSourceForwarder({ url, timeoutMs: 150 })(grant, context))).toMatchObject({
      reason: 'sourceTimeout',
      status: 504,
    });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('refuses a source that sends headers and then stalls, within the same timeout', async () => {
    behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"personen": [');
      const timer = setTimeout(() => res.end(']}'), 2000);
      res.on('close', () => clearTimeout(timer));
    };
    expect(await refusalOf(createSourceForwarder({ url, timeoutMs: 150 })(grant, context))).toMatchObject({
      reason: 'sourceTimeout',
    });
  });

  it('refuses garbage, a 500 and a list-less answer with a 502', async () => {
    for (const answer of [
      (_req: IncomingMessage, res: ServerResponse) => res.end('<html>oops</html>'),
      json(500, { error: 'boom' }),
      json(200, { personen: 'nobody' }),
      json(200, [1, 2]),
    ]) {
      behaviour = answer;
      expect(await refusalOf(createSourceForwarder({ url })(grant, context))).toMatchObject({ status: 502 });
    }
  });

  it('refuses an answer larger than the limit, and a source that breaks off', async () => {
    behaviour = json(200, { personen: [{ naam: 'x'.repeat(10_000) }] });
    const tooLarge = await refusalOf(createSourceForwarder({ url, maxResponseBytes: 1000 })(grant, context));
    expect(tooLarge).toMatchObject({ reason: 'sourceUnreachable' });
    expect(tooLarge.message).toMatch(/groter dan 1000 bytes/);

    behaviour = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"personen": [');
      setTimeout(() => req.socket.destroy(), 20);
    };
    expect(await refusalOf(createSourceForwarder({ url })(grant, context))).toMatchObject({
      reason: 'sourceUnreachable',
    });
  });

  it('sends the query once more when a kept-alive connection turns out closed, and only once', async () => {
    const served = new WeakSet<object>();
    let dropped = 0;
    // A source that closes a connection as soon as it is used a second time (as one whose idle timeout
    // ran out just then would); a fresh connection is answered.
    behaviour = (req, res) => {
      if (served.has(req.socket)) {
        dropped++;
        req.socket.destroy();
        return;
      }
      served.add(req.socket);
      json(200, { type: 'RaadpleegMetBurgerservicenummer', personen: [] })(req, res);
    };
    const forward = createSourceForwarder({ url });
    await forward(grant, context);
    const before = received.length;
    expect(await forward(grant, context)).toMatchObject({ personen: [] });
    expect(dropped).toBe(1);
    expect(received.length - before).toBe(2);
  });

  it('refuses a source that is down as sourceUnreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await refusalOf(createSourceForwarder({ url: `http://127.0.0.1:${port}` })(grant, context))).toMatchObject({
      reason: 'sourceUnreachable',
      status: 502,
    });
  });
});
