import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  READ_RESPONSE_COMPONENTS,
  signRequest,
  uuidv7,
  verifyContentDigest,
  verifyMessage,
} from '@poortwachter/protocol';
import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import type { CoverageReport } from '@poortwachter/sdk';
import { registryHistory } from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY, DEV_IDENTITY_PROVIDER } from '@poortwachter/seeds';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPseudonymiser } from '../log/pseudonym.ts';
import type { CitizenAccess, TimelinePage } from '../repositories/citizen-timeline.ts';
import { toRow } from '../storage/access-log-store.ts';
import type { AccessRecord } from '../storage/access-record.ts';
import {
  type CitizenTokenClaims,
  describeOperationalLog,
  GATEWAY_URL,
  LOG_KEY,
  startTestGateway,
  type TestGateway,
} from '../testing/index.ts';

const SUZANNE = '999993653';
const OTHER = '999995078';
const FIELDS = ['naam.voornamen', 'naam.geslachtsnaam', 'geboorte.datum'];
const raadpleeg = (bsn: string) => ({
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: [bsn],
  fields: FIELDS,
});
const pseudonym = createPseudonymiser(LOG_KEY);

for (const dialect of DIALECTS) {
  describeDialect(dialect, `log readers (${dialect})`, () => {
    let gw: TestGateway;
    let idpKey: JWK;

    beforeAll(async () => {
      gw = await startTestGateway(dialect);
      idpKey = JSON.parse(readFileSync(join(gw.registry.keyDir, DEV_IDENTITY_PROVIDER.keyFile), 'utf8')) as JWK;
      for (const bsn of [SUZANNE, SUZANNE, OTHER]) {
        const res = await gw.send(DEMO_OIN.utrecht, raadpleeg(bsn), {
          processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
        });
        expect(res.status).toBe(200);
      }
      await gw.log.drain();
    });
    afterAll(async () => gw.close());

    const token = (claims: Partial<CitizenTokenClaims>, key?: JWK) => gw.citizenToken({ sub: SUZANNE, ...claims }, key);

    async function inzage(query: string, bearer: string) {
      return gw.app.request(`${GATEWAY_URL}/inzage/v1/verwerkingen${query}`, {
        headers: { authorization: `Bearer ${bearer}` },
      });
    }
    async function timeline(bsn: string, query = ''): Promise<CitizenAccess[]> {
      const all: CitizenAccess[] = [];
      let cursor: string | null = null;
      do {
        const res = await inzage(`?limit=2${query}${cursor ? `&cursor=${cursor}` : ''}`, await token({ sub: bsn }));
        expect(res.status).toBe(200);
        const page = (await res.json()) as TimelinePage;
        all.push(...page.verwerkingen);
        cursor = page.volgende;
      } while (cursor);
      return all;
    }
    async function subjectRecordIds(bsn: string) {
      return (
        await gw.db
          .selectFrom('access_log')
          .select('id')
          .where('data_subject_id', '=', pseudonym(bsn))
          .orderBy('start_time', 'desc')
          .orderBy('id', 'desc')
          .execute()
      ).map((r) => r.id);
    }

    it('shows a citizen their own accesses, in words, signed by the gateway', async () => {
      const res = await inzage('', await token({}));
      expect(res.status).toBe(200);
      const body = await res.text();
      await verifyContentDigest(res.headers.get('content-digest'), body);
      const provider = JSON.parse(readFileSync(join(gw.registry.keyDir, `${DEMO_OIN.rvig}.jwk.json`), 'utf8')) as JWK;
      const { d: _d, ...publicKey } = provider;
      await verifyMessage(
        { status: res.status, header: (n) => res.headers.get(n) },
        {
          requiredComponents: READ_RESPONSE_COMPONENTS,
          requireExpiresAndNonce: false,
          publicKeyFor: () => publicKey,
          now: Math.floor(Date.now() / 1000),
        },
      );
      const page = JSON.parse(body) as TimelinePage;
      expect(page.verwerkingen).toHaveLength(2);
      const [first] = page.verwerkingen;
      expect(first?.organisatie.naam).toBe('Gemeente Utrecht');
      expect(first?.doel).toMatch(/ondersteuning/);
      expect(first?.grondslagen.map((g) => g.link).every((l) => l.startsWith('https://wetten.overheid.nl/'))).toBe(
        true,
      );
      expect(first?.gegevens.map((g) => g.soort).sort()).toEqual(['geboortedatum', 'naam']);
      expect(body).not.toMatch(/span_id|trace_id|request_digest|keyid|data_subject|"record"/);
      expect(body).not.toContain(SUZANNE);
    });

    it('never shows a citizen another citizen’s record, whatever the parameters', async () => {
      const mine = new Set(await subjectRecordIds(SUZANNE));
      const theirs = await subjectRecordIds(OTHER);
      expect(theirs.length).toBeGreaterThan(0);
      const suzanne = await token({});
      // Asking by BSN, subject or any made-up parameter is refused, naming it.
      for (const param of [
        `bsn=${OTHER}`,
        `burgerservicenummer=${OTHER}`,
        `sub=${OTHER}`,
        `subject=${pseudonym(OTHER)}`,
      ]) {
        const res = await inzage(`?${param}`, suzanne);
        expect(res.status).toBe(400);
        const problem = (await res.json()) as { invalidParams: { name: string }[] };
        expect(problem.invalidParams[0]?.name).toBe(param.split('=')[0]);
      }
      // A cursor made from the other citizen's record, any period, any limit: still only her own records.
      const otherRow = await gw.db
        .selectFrom('access_log')
        .select(['id', 'start_time'])
        .where('id', '=', theirs[0] ?? '')
        .executeTakeFirstOrThrow();
      const forged = Buffer.from(`${Number(otherRow.start_time) + 1}.${otherRow.id}`).toString('base64url');
      for (const query of [`?cursor=${forged}`, '?van=2000-01-01&tot=2100-01-01', '?limit=100']) {
        const res = await inzage(query, suzanne);
        expect(res.status).toBe(200);
        const page = (await res.json()) as TimelinePage;
        for (const v of page.verwerkingen) expect(mine.has(v.id)).toBe(true);
      }
      // Nor an inclusion proof (with the record as stored) for the other citizen's record.
      for (const id of theirs) {
        const proof = await gw.app.request(`${GATEWAY_URL}/inzage/v1/verwerkingen/${id}/bewijs`, {
          headers: { authorization: `Bearer ${suzanne}` },
        });
        expect(proof.status).toBe(404);
        expect(await proof.text()).not.toContain('"record"');
      }
      // The other citizen, with their own token, sees theirs.
      expect((await timeline(OTHER)).map((v) => v.id)).toEqual(theirs);
    });

    it('refuses a missing, expired, foreign, wrongly addressed or too weak token', async () => {
      const foreignKey = (await generateKeyPair('ES256', { extractable: true })).privateKey;
      const cases: [string | undefined, number, string][] = [
        [undefined, 401, 'authentication'],
        ['not.a.jwt', 401, 'authentication'],
        [await token({ exp: Math.floor(Date.now() / 1000) - 120 }), 401, 'authentication'],
        // Signed by a key that is not the identity provider's, under its kid.
        [await token({}, { ...(await exportJWK(foreignKey)), kid: idpKey.kid ?? '' }), 401, 'authentication'],
        [await token({ iss: 'https://digid.example.invalid' }), 401, 'authentication'],
        [await token({ aud: 'another-service' }), 401, 'authentication'],
        [await token({ sub: '123456789' }), 401, 'authentication'],
        [await token({ acr: 'basis' }), 403, 'unauthorized'],
      ];
      for (const [bearer, status, code] of cases) {
        const res = await gw.app.request(`${GATEWAY_URL}/inzage/v1/verwerkingen`, {
          headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
        });
        expect(res.status, String(bearer).slice(0, 30)).toBe(status);
        expect(((await res.json()) as { code: string }).code).toBe(code);
      }
    });

    it('hides accesses under a confidential processing activity until confidentiality is lifted, without rewriting records', async () => {
      const fraud = DEMO_PROCESSING_ACTIVITY.denBoschFraude;
      const res = await gw.send(DEMO_OIN.sHertogenbosch, raadpleeg(SUZANNE), { processingActivity: fraud });
      expect(res.status).toBe(200);
      await gw.log.drain();
      const before = await gw.db.selectFrom('access_log').select(['id', 'record']).orderBy('id').execute();
      const fraudIds = (await subjectRecordIds(SUZANNE)).filter((id) =>
        before.some((r) => r.id === id && r.record.includes('onderzoek-bijstandsfraude')),
      );
      expect(fraudIds).toHaveLength(1);
      expect((await timeline(SUZANNE)).map((v) => v.id)).not.toContain(fraudIds[0]);
      // Every path by which a citizen reads a record hides it alike: the proof too (issue 10, item 4).
      await gw.signTreeHead();
      const proof = async () =>
        gw.app.request(`${GATEWAY_URL}/inzage/v1/verwerkingen/${fraudIds[0]}/bewijs`, {
          headers: { authorization: `Bearer ${await token({})}` },
        });
      const hiddenProof = await proof();
      expect(hiddenProof.status).toBe(404);
      const hiddenText = await hiddenProof.text();
      expect(hiddenText).not.toContain('"record"');
      expect(hiddenText).not.toContain('onderzoek-bijstandsfraude');

      const current = (await (
        await gw.registry.app.request(`/v1/processing-activities/${encodeURIComponent(fraud)}`)
      ).json()) as {
        versions: Record<string, unknown>[];
      };
      const {
        id: _id,
        version: _v,
        recordedAt: _r,
        revokedAt: _x,
        validFrom: _f,
        ...latest
      } = current.versions.at(-1) ?? {};
      const addVersion = async (vertrouwelijkheid: string) => {
        const put = await gw.registry.asOrganisation(
          DEMO_OIN.sHertogenbosch,
          'PUT',
          `/v1/processing-activities/${encodeURIComponent(fraud)}`,
          {
            ...latest,
            vertrouwelijkheid,
            validFrom: new Date(Date.now() - 1000).toISOString(),
          },
        );
        expect(put.status, await put.clone().text()).toBe(200);
        await gw.refreshDirectory();
      };
      await addVersion('opgeheven');
      expect((await timeline(SUZANNE)).map((v) => v.id)).toContain(fraudIds[0]);
      expect((await proof()).status).toBe(200);
      // And back: made confidential again, the same record is hidden again, on both paths.
      await addVersion('vertrouwelijk');
      expect((await timeline(SUZANNE)).map((v) => v.id)).not.toContain(fraudIds[0]);
      expect((await proof()).status).toBe(404);
      const after = await gw.db.selectFrom('access_log').select(['id', 'record']).orderBy('id').execute();
      expect(after).toEqual(before);
    });

    it('pages without gaps or duplicates while new records arrive', async () => {
      const [template] = await gw.db
        .selectFrom('access_log')
        .select(['id', 'record'])
        .where('data_subject_id', '=', pseudonym(SUZANNE))
        .execute();
      const base = JSON.parse(template?.record ?? '{}') as AccessRecord;
      const insert = async (startTime: number) => {
        const record = { ...base, start_time: startTime, end_time: startTime + 5 };
        await gw.db
          .insertInto('access_log')
          .values(toRow({ id: uuidv7(startTime), record }))
          .execute();
      };
      // Just after a real access (so the auditor's test still finds every row covered by its autorisatie).
      const t0 = base.start_time + 1;
      // Twelve records, several in the same millisecond (the cursor must break ties by id).
      for (let i = 0; i < 12; i++) await insert(t0 + Math.floor(i / 3));
      const expected = (await timeline(SUZANNE)).map((v) => v.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      const suzanne = await token({});
      do {
        const res = await inzage(`?limit=5${cursor ? `&cursor=${cursor}` : ''}`, suzanne);
        const page = (await res.json()) as TimelinePage;
        seen.push(...page.verwerkingen.map((v) => v.id));
        cursor = page.volgende;
        await insert(Date.now()); // new records arrive between pages
      } while (cursor);
      // Exactly the records that were there when the walk began, newest first, each once.
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBeGreaterThanOrEqual(14);
      expect((await timeline(SUZANNE)).length).toBeGreaterThan(seen.length);
    });

    async function signed(oin: string, path: string, body: unknown, method = 'POST', app = gw.app) {
      const key = gw.key(oin);
      const request = await signRequest({
        url: `${GATEWAY_URL}${path}`,
        body: method === 'GET' ? '' : JSON.stringify(body),
        privateKey: key,
        method,
      });
      return app.request(request.url, {
        method,
        headers: request.headers,
        ...(method === 'GET' ? {} : { body: request.body }),
      });
    }

    it('lets an organisation read its own records through the Logboek read API, with a filter', async () => {
      const res = await signed(DEMO_OIN.utrecht, '/processing-activities', { 'dpl.core.data_subject_id': SUZANNE });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        metadata: { organizationName: string };
        processingActivities: AccessRecord[];
      };
      expect(body.metadata.organizationName).toBe('Rijksdienst voor Identiteitsgegevens');
      expect(body.processingActivities.length).toBeGreaterThan(0);
      for (const r of body.processingActivities) {
        expect(r.attributes['dpl.core.foreign_operation.processor']).toBe(DEMO_OIN.utrecht);
        expect(r.attributes['dpl.core.data_subject_id']).toBe(pseudonym(SUZANNE));
      }
      const haarlem = await signed(DEMO_OIN.haarlem, '/processing-activities', { 'dpl.core.data_subject_id': SUZANNE });
      expect(((await haarlem.json()) as { processingActivities: unknown[] }).processingActivities).toEqual([]);
      const noFilter = await signed(DEMO_OIN.utrecht, '/processing-activities', {});
      expect(noFilter.status).toBe(400);
      expect(((await noFilter.json()) as { invalidParams: { name: string }[] }).invalidParams[0]?.name).toBe('body');
      const unsigned = await gw.app.request(`${GATEWAY_URL}/processing-activities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ traceId: '0'.repeat(32) }),
      });
      expect(unsigned.status).toBe(401);
    });

    async function coverage(oin: string, from: string, to: string): Promise<CoverageReport> {
      const start = await signed(oin, '/audit/v1/coverage', { from, to });
      expect(start.status, await start.clone().text()).toBe(202);
      const { id } = (await start.json()) as { id: string };
      for (;;) {
        const poll = await signed(oin, `/audit/v1/coverage/${id}`, undefined, 'GET');
        expect(poll.status).toBe(200);
        const body = (await poll.json()) as { status: string; report?: CoverageReport; error?: string };
        expect(body.error).toBeUndefined();
        if (body.report) return body.report;
        await new Promise((r) => setTimeout(r, 10));
      }
    }

    it('gives an auditor a coverage report, and only an auditor', async () => {
      const today = new Date().toISOString().slice(0, 10);
      const report = await coverage(DEMO_OIN.autoriteitPersoonsgegevens, today, today);
      expect(report.invalidAccesses.map((a) => `${a.at} ${a.reasons}`)).toEqual([]);
      const utrecht = report.rows.find((r) => r.processingActivity.id === DEMO_PROCESSING_ACTIVITY.utrechtWmo);
      expect(utrecht?.accesses).toBeGreaterThanOrEqual(3);
      expect(utrecht?.dataSubjects).toBeGreaterThanOrEqual(2);
      expect(utrecht?.fieldsUsed).toEqual(expect.arrayContaining(FIELDS));
      expect(utrecht?.fieldsUnused).toContain('verblijfplaats.verblijfadres.postcode');
      // Autorisaties are contracts, named by their hash: found here by their verwerkingsactiviteit.
      const activities = (list: readonly { id: string; processingActivityId: string }[]) =>
        list.map((a) => (a.id.startsWith('$1$1$') ? a.processingActivityId : `not a contract: ${a.id}`));
      expect(activities(report.dormantAutorisaties)).toEqual(
        expect.arrayContaining([DEMO_PROCESSING_ACTIVITY.haarlemBijstand, DEMO_PROCESSING_ACTIVITY.uwvWw]),
      );
      expect(activities(report.expiringAutorisaties)).toContain(DEMO_PROCESSING_ACTIVITY.denBoschFraude);
      expect(report.directorySerial).toBeGreaterThan(0);
      expect(report.history.changes).toBeGreaterThan(0);
      const refused = await signed(DEMO_OIN.utrecht, '/audit/v1/coverage', { from: today, to: today });
      expect(refused.status).toBe(403);
      const bad = await signed(DEMO_OIN.autoriteitPersoonsgegevens, '/audit/v1/coverage', {
        from: 'gisteren',
        to: today,
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { invalidParams: { name: string }[] }).invalidParams[0]?.name).toBe('from');
    });

    it('serves a coverage job from any instance on the database, and fails one whose instance stopped', async () => {
      const auditor = DEMO_OIN.autoriteitPersoonsgegevens;
      const today = new Date().toISOString().slice(0, 10);
      const other = await gw.secondInstance();
      const start = await signed(auditor, '/audit/v1/coverage', { from: today, to: today });
      expect(start.status).toBe(202);
      const { id } = (await start.json()) as { id: string };
      expect(start.headers.get('location')).toBe(`/audit/v1/coverage/${id}`);
      // Polled on the other instance, as a load balancer may send it: the job is found and finishes there.
      let body: { status: string; report?: CoverageReport } = { status: 'running' };
      for (let i = 0; i < 500 && body.status === 'running'; i++) {
        const poll = await signed(auditor, `/audit/v1/coverage/${id}`, undefined, 'GET', other);
        expect(poll.status).toBe(200);
        body = (await poll.json()) as typeof body;
        if (body.status === 'running') await new Promise((r) => setTimeout(r, 10));
      }
      expect(body.status).toBe('done');
      expect(body.report?.rows.length).toBeGreaterThan(0);
      // Another auditor's job is unknown on every instance; so is a job that never was.
      const foreign = await signed(DEMO_OIN.utrecht, `/audit/v1/coverage/${id}`, undefined, 'GET', other);
      expect(foreign.status).toBe(403);
      const unknown = await signed(auditor, `/audit/v1/coverage/${uuidv7()}`, undefined, 'GET', other);
      expect(unknown.status).toBe(404);
      // A job whose instance stopped writing (it crashed) is reported failed, not running for ever.
      const stale = uuidv7();
      const long = Date.now() - 5 * 60_000;
      await gw.db
        .insertInto('coverage_jobs')
        .values({
          id: stale,
          owner_oin: auditor,
          instance_id: 'instance-gone',
          created_at: long,
          updated_at: long,
          status: 'running',
          progress: JSON.stringify({ done: 1, total: 9, step: 'records' }),
          report: null,
          error: null,
        })
        .execute();
      const failed = await signed(auditor, `/audit/v1/coverage/${stale}`, undefined, 'GET', other);
      expect(await failed.json()).toEqual({ status: 'failed', error: expect.stringMatching(/instance-gone/) });
    });

    it('replays only a change log signed by the pinned registry key', async () => {
      const toRegistry: typeof fetch = async (input, init) => gw.registry.app.request(String(input), init);
      const signed = registryHistory({
        registryUrl: 'http://registry.test',
        registryKey: gw.registry.registryPublicKey,
        fetch: toRegistry,
      });
      const changes = await signed.changes();
      expect(changes.length).toBeGreaterThan(20);
      expect(changes.some((c) => c.entity === 'contract' && c.action === 'accept')).toBe(true);
      const other = (await generateKeyPair('ES256', { extractable: true })).publicKey;
      const pinnedWrong = registryHistory({
        registryUrl: 'http://registry.test',
        registryKey: await exportJWK(other),
        fetch: toRegistry,
      });
      await expect(pinnedWrong.changes()).rejects.toThrow(/not a pinned key/);
      // A feed altered on the way (a change rewritten) does not verify.
      const altered: typeof fetch = async (input, init) => {
        const jws = await (await toRegistry(input, init)).text();
        const [header, payload, signature] = jws.split('.');
        const text = Buffer.from(payload ?? '', 'base64url')
          .toString()
          .replace('"revokedAt":null', '"revokedAt":"2000-01-01T00:00:00.000Z"');
        return new Response(`${header}.${Buffer.from(text).toString('base64url')}.${signature}`);
      };
      const tampered = registryHistory({
        registryUrl: 'http://registry.test',
        registryKey: gw.registry.registryPublicKey,
        fetch: altered,
      });
      await expect(tampered.changes()).rejects.toThrow(/signature does not verify/);
    });

    it('catches a forged row: an access whose autorisatie or version was not valid at its moment', async () => {
      const [template] = await gw.db.selectFrom('access_log').select('record').limit(1).execute();
      const base = JSON.parse(template?.record ?? '{}') as AccessRecord;
      const now = Date.now();
      const forge = async (at: number, attributes: Partial<AccessRecord['attributes']>) => {
        const record = { ...base, start_time: at, end_time: at + 3, attributes: { ...base.attributes, ...attributes } };
        const id = uuidv7(at);
        // Through the log, as a faulty gateway would have logged it: the report counts only what the
        // signed log holds (a row inserted behind the log is found by the auditor's verification).
        await gw.log.submit({ accessRecords: [{ id, record }] });
        return id;
      };
      // Rotterdam's Wmo autorisatie expired 30 days ago; a row claims an access under it now.
      const expired = await forge(now - 5000, {
        'dpl.core.foreign_operation.processor': DEMO_OIN.rotterdam,
        'dpl.core.processing_activity_id': DEMO_PROCESSING_ACTIVITY.rotterdamWmo,
      });
      // Utrecht, under a processing activity version that never existed.
      const wrongVersion = await forge(now - 4000, { 'poortwachter.processing_activity_version': 7 });
      const today = new Date().toISOString().slice(0, 10);
      const report = await coverage(DEMO_OIN.autoriteitPersoonsgegevens, today, today);
      const found = new Map(report.invalidAccesses.map((a) => [a.id, a.reasons.join('; ')]));
      expect(found.get(expired)).toMatch(/no autorisatie of 00000001000000599000/);
      expect(found.get(wrongVersion)).toMatch(/version 7 was not the one in force/);
      expect(report.totals.invalidAccesses).toBe(2);
    });
  });
}

// Last in this file: the operational log of everything above.
describeOperationalLog([
  'assuranceTooLow',
  'citizenTokenExpired',
  'citizenTokenInvalid',
  'citizenTokenMissing',
  'invalidRequest',
  'logEntryNotFound',
  'notAuditor',
  'reportNotFound',
  'signatureMissing',
]);
