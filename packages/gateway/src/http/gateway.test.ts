import { createHmac } from 'node:crypto';
import { newSpanId, newTraceId, signRequest, verifyDirectorySnapshot } from '@poortwachter/protocol';
import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import { createOrganisationClient, isSdkError } from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { presentPaths } from '../protocol/project-fields.ts';
import type { AccessRecord } from '../storage/access-record.ts';
import {
  describeOperationalLog,
  GATEWAY_URL,
  LOG_KEY,
  specProblemErrors,
  startTestGateway,
  type TestGateway,
} from '../testing/index.ts';

const UTRECHT = DEMO_OIN.utrecht;
const WMO = DEMO_PROCESSING_ACTIVITY.utrechtWmo;
const SUZANNE = '999993653';
const raadpleeg = (bsn: string | string[], fields: string[]) => ({
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: Array.isArray(bsn) ? bsn : [bsn],
  fields,
});

/** Every error body must be valid under the spec's own schemas (`BadRequestFoutbericht` on 400). */
function expectSpecValid(problem: unknown) {
  expect(specProblemErrors(problem)).toEqual([]);
  // The schemas leave these optional; the BRP API always sends them.
  expect(problem).toMatchObject({ type: expect.stringMatching(/^https:\/\//), instance: `${GATEWAY_URL}/personen` });
}

interface Problem {
  status: number;
  code: string;
  detail: string;
  invalidParams?: { name: string; code: string; reason: string }[];
}

for (const dialect of DIALECTS) {
  describeDialect(dialect, `gateway (${dialect})`, () => {
    let gw: TestGateway;
    let callsBefore: number;
    let recordsBefore: number;

    beforeAll(async () => {
      gw = await startTestGateway(dialect);
    });
    afterAll(async () => gw.close());
    beforeEach(async () => {
      callsBefore = gw.source.state.calls;
      recordsBefore = (await gw.accessRecords()).length;
      gw.source.state.mode = 'ok';
    });

    /** A refusal: status, codes, the source untouched, no access record, and the refusal recorded. */
    async function expectRefused(
      res: Response,
      status: number,
      code: string,
      fsc: string,
      reason?: string,
    ): Promise<Problem> {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(res.headers.get('fsc-error-code')).toBe(fsc);
      expect(res.headers.get('fsc-transaction-id')).toMatch(/^[0-9a-f-]{36}$/);
      const problem = (await res.json()) as Problem;
      expect(problem.code).toBe(code);
      expectSpecValid(problem);
      expect(JSON.stringify(problem)).not.toMatch(/at .*\.ts:\d+/);
      expect(gw.source.state.calls).toBe(callsBefore);
      await gw.log.drain();
      expect((await gw.accessRecords()).length).toBe(recordsBefore);
      if (reason) expect((await gw.refusals()).at(-1)?.reason).toBe(reason);
      return problem;
    }

    describe('the good path', () => {
      it('releases exactly the requested fields and logs one record for the person, after commit', async () => {
        const fields = ['naam.voornamen', 'naam.geslachtsnaam', 'geboorte.datum'];
        const traceId = newTraceId();
        const callerSpan = newSpanId();
        const res = await gw.send(UTRECHT, raadpleeg(SUZANNE, fields), {
          processingActivity: WMO,
          traceparent: `00-${traceId}-${callerSpan}-01`,
        });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { personen: Record<string, unknown>[] };
        expect(body.personen).toHaveLength(1);
        // The fake source sent the whole person; only the requested paths left the gateway.
        expect(presentPaths(body.personen[0]).sort()).toEqual([
          'geboorte.datum.datum',
          'geboorte.datum.langFormaat',
          'geboorte.datum.type',
          'naam.geslachtsnaam',
          'naam.voornamen',
        ]);
        expect(body.personen[0]).toEqual({
          naam: { voornamen: 'Suzanne', geslachtsnaam: 'Moulin' },
          geboorte: { datum: { type: 'Datum', datum: '1985-12-01', langFormaat: '1 december 1985' } },
        });
        // The source was asked for the BSN too (to log the person), but the caller did not get it.
        expect((gw.source.state.lastBody as { fields: string[] }).fields).toContain('burgerservicenummer');

        const rows = (await gw.accessRecords()).slice(recordsBefore);
        expect(rows).toHaveLength(1);
        const record = JSON.parse(rows[0]?.record ?? '{}') as AccessRecord;
        const pseudonym = createHmac('sha256', LOG_KEY).update(`BSN:${SUZANNE}`).digest('hex');
        expect(record.attributes['dpl.core.data_subject_id']).toBe(pseudonym);
        expect(rows[0]?.record).not.toContain(SUZANNE);
        expect(record.attributes).toMatchObject({
          'dpl.core.processing_activity_id': WMO,
          'dpl.core.data_subject_id_type': 'BSN',
          'dpl.core.foreign_operation.processor': UTRECHT,
          'poortwachter.processing_activity_version': 1,
          'poortwachter.service_id': 'brp-personen',
          'poortwachter.released_fields': ['geboorte.datum', 'naam.geslachtsnaam', 'naam.voornamen'],
          'poortwachter.fsc_transaction_id': res.headers.get('fsc-transaction-id'),
        });
        expect(record.attributes['poortwachter.request_digest']).toMatch(/^sha-256=:.+:$/);
        expect(record.trace_id).toBe(traceId);
        expect(record.parent_span_id).toBe(callerSpan);
        expect(record.status).toBe('Ok');
        expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
        expect(res.headers.get('signature-input')).toContain('"signature";key="sig1";req');
      });

      it('expands an authorised group and writes one record per person', async () => {
        const res = await gw.send(UTRECHT, raadpleeg([SUZANNE, '999990639'], ['naam', 'burgerservicenummer']), {
          processingActivity: WMO,
        });
        // `naam` as a whole is not authorised (volledigeNaam, adellijke titel, naamgebruik are not): refused.
        expect(res.status).toBe(403);
        const ok = await gw.send(
          UTRECHT,
          raadpleeg([SUZANNE, '999990639'], ['burgerservicenummer', 'naam.geslachtsnaam']),
          {
            processingActivity: WMO,
          },
        );
        expect(ok.status).toBe(200);
        const rows = (await gw.accessRecords()).slice(recordsBefore);
        expect(rows).toHaveLength(2);
        expect(new Set(rows.map((r) => r.data_subject_id)).size).toBe(2);
        expect(new Set(rows.map((r) => JSON.parse(r.record).parent_span_id)).size).toBe(1);
      });

      it('logs a search that found nobody as one record without a subject', async () => {
        const res = await gw.send(UTRECHT, raadpleeg('123456782', ['naam.geslachtsnaam']), { processingActivity: WMO });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { personen: unknown[] }).personen).toEqual([]);
        const rows = (await gw.accessRecords()).slice(recordsBefore);
        expect(rows).toHaveLength(1);
        expect(rows[0]?.data_subject_id).toBeNull();
        expect(JSON.parse(rows[0]?.record ?? '{}').attributes['dpl.core.data_subject_id']).toBeUndefined();
      });

      it('shares one commit between concurrent requests and loses none', async () => {
        const responses = await Promise.all(
          Array.from({ length: 25 }, () =>
            gw.send(UTRECHT, raadpleeg(SUZANNE, ['naam.geslachtsnaam']), { processingActivity: WMO }),
          ),
        );
        expect(responses.map((r) => r.status)).toEqual(Array(25).fill(200));
        const transactions = responses.map((r) => r.headers.get('fsc-transaction-id'));
        const rows = (await gw.accessRecords()).slice(recordsBefore);
        expect(rows.map((r) => r.transaction_id).sort()).toEqual([...transactions].sort());
      });

      it('works through the sdk, which verifies the response signature', async () => {
        const directory = await verifyDirectorySnapshot(
          await (await gw.registry.app.request('/v1/directory')).text(),
          gw.registry.registryPublicKey,
        );
        const client = createOrganisationClient({
          oin: UTRECHT,
          privateKey: gw.key(UTRECHT),
          directory,
          fetch: async (input, init) => gw.app.request(String(input), init),
        });
        const result = await client.personen.raadpleeg({
          burgerservicenummer: SUZANNE,
          fields: ['naam.voornamen', 'verblijfplaats.verblijfadres.postcode'],
          processingActivity: WMO,
        });
        expect(result.verified).toBe(true);
        expect(result.personen).toEqual([
          { naam: { voornamen: 'Suzanne' }, verblijfplaats: { verblijfadres: { postcode: '3077AW' } } },
        ]);

        const refused = await client.personen
          .raadpleeg({ burgerservicenummer: SUZANNE, fields: ['partners.naam.voornamen'], processingActivity: WMO })
          .catch((e: unknown) => e);
        expect(isSdkError(refused) && refused.code).toBe('unauthorizedField');
        expect(isSdkError(refused) && refused.problem?.invalidParams?.[0]?.name).toBe('fields.0');
      });

      it('lets the sdk detect a response altered in transit', async () => {
        const directory = await verifyDirectorySnapshot(
          await (await gw.registry.app.request('/v1/directory')).text(),
          gw.registry.registryPublicKey,
        );
        const tamper = async (input: string | URL | Request, init?: RequestInit) => {
          const res = await gw.app.request(String(input), init);
          const text = (await res.text()).replace('Suzanne', 'Susanne');
          return new Response(text, { status: res.status, headers: res.headers });
        };
        const client = createOrganisationClient({
          oin: UTRECHT,
          privateKey: gw.key(UTRECHT),
          directory,
          fetch: tamper,
        });
        const error = await client.personen
          .raadpleeg({ burgerservicenummer: SUZANNE, fields: ['naam.voornamen'], processingActivity: WMO })
          .catch((e: unknown) => e);
        expect(isSdkError(error) && error.code).toBe('responseUnverified');

        const reSigned = async (input: string | URL | Request, init?: RequestInit) => {
          const res = await gw.app.request(String(input), init);
          const headers = new Headers(res.headers);
          headers.set('fsc-transaction-id', '00000000-0000-7000-8000-000000000000');
          return new Response(await res.text(), { status: res.status, headers });
        };
        const other = createOrganisationClient({
          oin: UTRECHT,
          privateKey: gw.key(UTRECHT),
          directory,
          fetch: reSigned,
        });
        const headerError = await other.personen
          .raadpleeg({ burgerservicenummer: SUZANNE, fields: ['naam.voornamen'], processingActivity: WMO })
          .catch((e: unknown) => e);
        expect(isSdkError(headerError) && headerError.code).toBe('responseUnverified');
      });
    });

    describe('refusals: nothing reaches the source, nothing is logged as access', () => {
      it('refuses an unsigned request', async () => {
        const res = await gw.app.request(`${GATEWAY_URL}/personen`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'processing-activity': WMO },
          body: JSON.stringify(raadpleeg(SUZANNE, ['naam.voornamen'])),
        });
        await expectRefused(res, 401, 'authentication', 'ERROR_CODE_ACCESS_TOKEN_MISSING', 'signatureMissing');
      });

      it('refuses a tampered body', async () => {
        const request = await signRequest({
          url: `${GATEWAY_URL}/personen`,
          body: JSON.stringify(raadpleeg(SUZANNE, ['naam.voornamen'])),
          privateKey: gw.key(UTRECHT),
          processingActivity: WMO,
        });
        const res = await gw.app.request(request.url, {
          method: 'POST',
          headers: request.headers,
          body: JSON.stringify(raadpleeg('999990639', ['naam.voornamen'])),
        });
        await expectRefused(res, 401, 'authentication', 'ERROR_CODE_ACCESS_TOKEN_INVALID', 'digestMismatch');
      });

      it('refuses a tampered path', async () => {
        const request = await signRequest({
          url: `${GATEWAY_URL}/personen`,
          body: JSON.stringify(raadpleeg(SUZANNE, ['naam.voornamen'])),
          privateKey: gw.key(UTRECHT),
          processingActivity: WMO,
        });
        const res = await gw.app.request(`${GATEWAY_URL}/personen?inclusiefOverledenPersonen=true`, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
        await expectRefused(res, 401, 'authentication', 'ERROR_CODE_ACCESS_TOKEN_INVALID', 'signatureInvalid');
      });

      it("refuses a signature made with another organisation's key under this keyid", async () => {
        const haarlem = gw.key(DEMO_OIN.haarlem);
        const res = await gw.send(UTRECHT, raadpleeg(SUZANNE, ['naam.voornamen']), {
          processingActivity: WMO,
          privateKey: { ...haarlem, kid: gw.key(UTRECHT).kid ?? '' },
        });
        await expectRefused(res, 401, 'authentication', 'ERROR_CODE_ACCESS_TOKEN_INVALID', 'signatureInvalid');
      });

      it('refuses a key the registry does not know', async () => {
        const stranger = { ...gw.key(UTRECHT), kid: 'not-a-registered-key-id-0000000000000000000' };
        const res = await gw.send(UTRECHT, raadpleeg(SUZANNE, ['naam.voornamen']), {
          processingActivity: WMO,
          privateKey: stranger,
        });
        await expectRefused(res, 401, 'authentication', 'ERROR_CODE_ACCESS_TOKEN_INVALID', 'unknownKey');
      });

      it('refuses an expired signature and one from the future', async () => {
        const old = await gw.send(UTRECHT, raadpleeg(SUZANNE, ['naam.voornamen']), {
          processingActivity: WMO,
          created: Math.floor(Date.now() / 1000) - 400,
        });
        await expectRefused(old, 401, 'authentication', 'ERROR_CODE_ACCESS_TOKEN_EXPIRED', 'signatureExpired');
        const future = await gw.send(UTRECHT, raadpleeg(SUZANNE, ['naam.voornamen']), {
          processingActivity: WMO,
          created: Math.floor(Date.now() / 1000) + 120,
        });
        await expectRefused(future, 401, 'authentication', 'ERROR_CODE_ACCESS_TOKEN_EXPIRED', 'signatureExpired');
      });

      it('refuses a replayed request, also on a second gateway instance on the same database', async () => {
        const request = await signRequest({
          url: `${GATEWAY_URL}/personen`,
          body: JSON.stringify(raadpleeg(SUZANNE, ['naam.voornamen'])),
          privateKey: gw.key(UTRECHT),
          processingActivity: WMO,
        });
        const init = () => ({ method: 'POST', headers: request.headers, body: request.body });
        expect((await gw.app.request(request.url, init())).status).toBe(200);
        callsBefore = gw.source.state.calls;
        recordsBefore = (await gw.accessRecords()).length;
        await expectRefused(
          await gw.app.request(request.url, init()),
          401,
          'authentication',
          'ERROR_CODE_ACCESS_TOKEN_INVALID',
          'replayedNonce',
        );
        const second = await gw.secondInstance();
        await expectRefused(
          await second.request(request.url, init()),
          401,
          'authentication',
          'ERROR_CODE_ACCESS_TOKEN_INVALID',
          'replayedNonce',
        );
      });

      it('lets exactly one of two instances win a race for the same nonce', async () => {
        const request = await signRequest({
          url: `${GATEWAY_URL}/personen`,
          body: JSON.stringify(raadpleeg(SUZANNE, ['naam.voornamen'])),
          privateKey: gw.key(UTRECHT),
          processingActivity: WMO,
        });
        const second = await gw.secondInstance();
        const init = () => ({ method: 'POST', headers: request.headers, body: request.body });
        const calls = gw.source.state.calls;
        const records = (await gw.accessRecords()).length;
        const answers = await Promise.all([gw.app.request(request.url, init()), second.request(request.url, init())]);
        expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
        const refused = answers.find((r) => r.status === 401) ?? new Response();
        expect(refused.headers.get('fsc-error-code')).toBe('ERROR_CODE_ACCESS_TOKEN_INVALID');
        expect(((await refused.json()) as Problem).detail).toContain('nonce is al eerder gebruikt');
        // The replay never reached the source, and only the winner has an access record.
        expect(gw.source.state.calls).toBe(calls + 1);
        await gw.log.drain();
        expect((await gw.accessRecords()).length).toBe(records + 1);
      });

      it('refuses an unknown processing activity', async () => {
        const res = await gw.send(UTRECHT, raadpleeg(SUZANNE, ['naam.voornamen']), {
          processingActivity: 'https://www.utrecht.nl/verwerkingsactiviteiten/bestaat-niet',
        });
        await expectRefused(res, 403, 'unauthorized', 'ERROR_CODE_ACCESS_DENIED', 'unknownProcessingActivity');
      });

      it('refuses a processing activity of another afnemer', async () => {
        const res = await gw.send(UTRECHT, raadpleeg(SUZANNE, ['naam.voornamen']), {
          processingActivity: DEMO_PROCESSING_ACTIVITY.haarlemBijstand,
        });
        await expectRefused(res, 403, 'unauthorized', 'ERROR_CODE_ACCESS_DENIED', 'foreignProcessingActivity');
      });

      it('refuses under an expired autorisatie', async () => {
        const res = await gw.send(DEMO_OIN.rotterdam, raadpleeg(SUZANNE, ['naam.geslachtsnaam']), {
          processingActivity: DEMO_PROCESSING_ACTIVITY.rotterdamWmo,
        });
        // Its contract ended last month: the directory carries contracts up to a day past their end only.
        await expectRefused(res, 403, 'unauthorized', 'ERROR_CODE_ACCESS_DENIED', 'noAutorisatie');
      });

      it('refuses under an autorisatie that starts in the future', async () => {
        const res = await gw.send(UTRECHT, raadpleeg(SUZANNE, ['naam.geslachtsnaam']), {
          processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtJeugd,
        });
        await expectRefused(res, 403, 'unauthorized', 'ERROR_CODE_ACCESS_DENIED', 'autorisatieNotYetValid');
      });

      it('refuses unauthorised fields, naming every one, and releases nothing', async () => {
        const res = await gw.send(
          UTRECHT,
          raadpleeg(SUZANNE, [
            'naam.voornamen',
            'partners.naam.voornamen',
            'geboorte.datum',
            'nationaliteiten.nationaliteit',
          ]),
          { processingActivity: WMO },
        );
        const problem = await expectRefused(
          res,
          403,
          'unauthorizedField',
          'ERROR_CODE_ACCESS_DENIED',
          'unauthorizedField',
        );
        expect(problem.invalidParams?.map((p) => p.name)).toEqual(['fields.1', 'fields.3']);
        expect(problem.invalidParams?.[0]?.reason).toContain('partners.naam.voornamen');
      });

      it('refuses a search type that is not authorised', async () => {
        const res = await gw.send(
          UTRECHT,
          {
            type: 'ZoekMetGeslachtsnaamEnGeboortedatum',
            geslachtsnaam: 'Moulin',
            geboortedatum: '1985-12-01',
            fields: ['naam.voornamen'],
          },
          { processingActivity: WMO },
        );
        const problem = await expectRefused(
          res,
          403,
          'unauthorizedParameter',
          'ERROR_CODE_ACCESS_DENIED',
          'unauthorizedParameter',
        );
        expect(problem.invalidParams?.[0]?.name).toBe('type');
      });

      it('refuses a query without fields (data minimisation)', async () => {
        const res = await gw.send(
          UTRECHT,
          { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [SUZANNE] },
          {
            processingActivity: WMO,
          },
        );
        const problem = await expectRefused(
          res,
          400,
          'paramsValidation',
          'ERROR_CODE_REQUEST_INVALID',
          'invalidRequest',
        );
        expect(problem.invalidParams?.map((p) => p.name)).toEqual(['fields']);
      });

      it('refuses an oversized body before checking anything else', async () => {
        const res = await gw.send(UTRECHT, raadpleeg(SUZANNE, ['naam.voornamen', 'x'.repeat(70_000)]), {
          processingActivity: WMO,
        });
        await expectRefused(res, 413, 'payloadTooLarge', 'ERROR_CODE_REQUEST_INVALID', 'payloadTooLarge');
      });

      it('refuses a content type other than JSON', async () => {
        const res = await gw.send(UTRECHT, raadpleeg(SUZANNE, ['naam.voornamen']), {
          processingActivity: WMO,
          headers: { 'content-type': 'text/plain' },
        });
        await expectRefused(res, 415, 'unsupportedMediaType', 'ERROR_CODE_REQUEST_INVALID', 'unsupportedMediaType');
      });
    });

    describe('when the source or the log fails, nothing is released', () => {
      async function expectFailure(mode: 'down' | 'slow' | 'garbage' | 'error500', status: number, reason: string) {
        gw.source.state.mode = mode;
        const res = await gw.send(UTRECHT, raadpleeg(SUZANNE, ['naam.voornamen']), { processingActivity: WMO });
        expect(res.status).toBe(status);
        expect(res.headers.get('fsc-error-code')).toBe('ERROR_CODE_SERVICE_UNREACHABLE');
        const text = await res.text();
        expect(text).not.toContain('Suzanne');
        expect(gw.source.state.calls).toBe(callsBefore + 1);
        await gw.log.drain();
        expect((await gw.accessRecords()).length).toBe(recordsBefore);
        expect((await gw.refusals()).at(-1)?.reason).toBe(reason);
      }
      it('answers 502 when the source is down', () => expectFailure('down', 502, 'sourceUnreachable'));
      it('answers 504 when the source is too slow', () => expectFailure('slow', 504, 'sourceTimeout'));
      it('answers 502 when the source answers garbage', () => expectFailure('garbage', 502, 'sourceInvalidAnswer'));
      it('answers 502 when the source fails', () => expectFailure('error500', 502, 'sourceError'));
    });
  });
}

describe('a failing access log', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite', {
      store: (real) => ({
        async writeBatch(writes) {
          if (writes.some((w) => 'accessRecords' in w)) throw new Error('disk full');
          return real.writeBatch(writes);
        },
      }),
    });
  });
  afterAll(async () => gw.close());

  it('answers 500 TRANSACTION_LOG_WRITE_ERROR and releases nothing', async () => {
    const res = await gw.send(UTRECHT, raadpleeg(SUZANNE, ['naam.voornamen', 'naam.geslachtsnaam']), {
      processingActivity: WMO,
    });
    expect(res.status).toBe(500);
    expect(res.headers.get('fsc-error-code')).toBe('TRANSACTION_LOG_WRITE_ERROR');
    const text = await res.text();
    expect(text).not.toContain('Suzanne');
    expect(text).not.toContain('Moulin');
    expect(text).not.toContain('disk full');
    expect(gw.source.state.calls).toBe(1);
    expect(await gw.accessRecords()).toHaveLength(0);
    expect((await gw.refusals()).at(-1)?.reason).toBe('logWriteFailed');
  });
});

describe('a flush that fails after its batch was committed (EIO on fdatasync)', () => {
  let gw: TestGateway;
  let failNext = false;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite', {
      store: (real) => ({
        async writeBatch(writes, merkle) {
          await real.writeBatch(writes, merkle);
          if (failNext) {
            failNext = false;
            throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
          }
        },
      }),
    });
  });
  afterAll(async () => gw.close());

  it('refuses that request, then goes on from the tree the database holds, every leaf provable', async () => {
    const ask = () => gw.send(UTRECHT, raadpleeg(SUZANNE, ['naam.voornamen']), { processingActivity: WMO });
    expect((await ask()).status).toBe(200);
    failNext = true;
    const failed = await ask();
    expect(failed.status).toBe(500);
    expect(failed.headers.get('fsc-error-code')).toBe('TRANSACTION_LOG_WRITE_ERROR');
    expect(await failed.text()).not.toContain('Suzanne');
    // Before the fix, every later batch failed on UNIQUE(merkle_leaves.log_id, leaf_index).
    for (let i = 0; i < 3; i++) expect((await ask()).status).toBe(200);
    await gw.log.drain();
    const leaves = await gw.db.selectFrom('merkle_leaves').select('leaf_index').orderBy('leaf_index').execute();
    expect(leaves.map((l) => Number(l.leaf_index))).toEqual(leaves.map((_, i) => i));
    expect(gw.tree.size).toBe(leaves.length);
    const { loadTree } = await import('../log/merkle/merkle-store.ts');
    expect((await loadTree(gw.db, 'instance-1')).root()).toEqual(gw.tree.root());
  });
});

describe('a revoked key', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
  });
  afterAll(async () => gw.close());

  it('is refused as soon as the directory carries the revocation', async () => {
    const uwv = DEMO_OIN.uwv;
    const request = () =>
      gw.send(uwv, raadpleeg(SUZANNE, ['naam.geslachtsnaam']), { processingActivity: DEMO_PROCESSING_ACTIVITY.uwvWw });
    expect((await request()).status).toBe(200);
    const kid = gw.key(uwv).kid;
    expect(
      (await gw.registry.asOrganisation(uwv, 'POST', `/v1/organisations/${uwv}/keys/${kid}/revoke`, {})).status,
    ).toBe(200);
    await gw.refreshDirectory();
    const calls = gw.source.state.calls;
    const records = (await gw.accessRecords()).length;
    const res = await request();
    expect(res.status).toBe(401);
    expect(res.headers.get('fsc-error-code')).toBe('ERROR_CODE_ACCESS_TOKEN_INVALID');
    expect(((await res.json()) as Problem).detail).toContain('ingetrokken');
    expect(gw.source.state.calls).toBe(calls);
    expect(await gw.accessRecords()).toHaveLength(records);
    expect((await gw.refusals()).at(-1)?.reason).toBe('revokedKey');
  });
});

// Last in this file: the operational log of everything above.
describeOperationalLog([
  'autorisatieNotYetValid',
  'digestMismatch',
  'foreignProcessingActivity',
  'invalidRequest',
  'logWriteFailed',
  'payloadTooLarge',
  'replayedNonce',
  'revokedKey',
  'signatureExpired',
  'signatureInvalid',
  'signatureMissing',
  'sourceError',
  'sourceInvalidAnswer',
  'sourceTimeout',
  'sourceUnreachable',
  'unauthorizedField',
  'unauthorizedParameter',
  'unknownKey',
  'unknownProcessingActivity',
  'unsupportedMediaType',
]);
