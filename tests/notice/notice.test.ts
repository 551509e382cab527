/**
 * Notices (issue 29 §4): a citizen subscribes at the inway (`/inzage/v1/berichten`, raw HTTP on
 * 127.0.0.1 with a token of the development identity provider), afnemers read their data, and the
 * inway's notice job mails them through a real SMTP server in this process (smtp-server): one mail
 * per news, nothing about whom, by whom or why; the organisations they named only; nothing for a
 * confidential activity; nothing after they unsubscribed; a refused mail is sent again on the next run.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { smtpMailer } from '@poortwachter/gateway';
import {
  capturedLogLines,
  GATEWAY_URL,
  linesWithPersonalData,
  startTestGateway,
  type TestGateway,
} from '@poortwachter/gateway/testing';
import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITIES, DEMO_PROCESSING_ACTIVITY, loadPersonen } from '@poortwachter/seeds';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RawJwk, sendRaw } from '../adversarial/raw-client.ts';
import { type SmtpReceiver, startSmtpReceiver } from './smtp-receiver.ts';

const PORTAL_URL = 'https://mijn.poortwachter.test';
const FROM = 'noreply@rvig.example.nl';
const SUBJECT = 'Er is iets nieuws over uw gegevens';
const DAY = 24 * 3600 * 1000;

const SUZANNE = '999993653';
const FILTERED = '999990639';
const CONFIDENTIAL = '999991723';
const LEAVING = '999992740';
const REFUSED = '999999333';
const OWN_LOOK = '999994542';

interface Problem {
  status: number;
  code: string;
  detail?: string;
  invalidParams?: { name: string; code: string; reason: string }[];
}

for (const dialect of DIALECTS) {
  describeDialect(dialect, `e-mail notices of new accesses (${dialect})`, () => {
    let gw: TestGateway;
    let smtp: SmtpReceiver;
    let origin: string;
    let stop: () => void;

    beforeAll(async () => {
      smtp = await startSmtpReceiver();
      gw = await startTestGateway(dialect, {
        notices: {
          mailer: smtpMailer({ url: smtp.url, from: FROM, timeoutMs: 5000 }),
          portalUrl: PORTAL_URL,
          intervalMs: 0,
          settleMs: 0,
        },
      });
      const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
        const s = serve({ fetch: gw.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
      });
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      stop = () => server.close();
    });
    afterAll(async () => {
      stop();
      await gw.close();
      await smtp.close();
    });

    const berichten = async (bsn: string, method: 'GET' | 'PUT' | 'DELETE', body?: unknown) =>
      fetch(`${origin}/inzage/v1/berichten`, {
        method,
        headers: {
          authorization: `Bearer ${await gw.citizenToken({ sub: bsn })}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const subscribe = async (bsn: string, settings: Record<string, unknown>) => {
      const res = await berichten(bsn, 'PUT', settings);
      expect(res.status, await res.clone().text()).toBe(200);
      return res.json();
    };
    /** An afnemer reads the citizen's name: one access record about them. */
    const access = async (oin: string, activity: string, bsn: string) => {
      const res = await sendRaw(origin, {
        method: 'POST',
        targetUri: `${GATEWAY_URL}/personen`,
        body: JSON.stringify({
          type: 'RaadpleegMetBurgerservicenummer',
          burgerservicenummer: [bsn],
          fields: ['naam.geslachtsnaam'],
        }),
        key: gw.key(oin) as unknown as RawJwk,
        processingActivity: activity,
      });
      expect(res.status, await res.clone().text()).toBe(200);
    };
    const mailsTo = (address: string) => smtp.mails.filter((m) => m.envelopeTo.includes(address));
    const problemOf = async (res: Response, status: number) => {
      const text = await res.text();
      expect(res.status, text).toBe(status);
      return JSON.parse(text) as Problem;
    };

    it('mails a subscriber once after an access, and not before', async () => {
      const email = 'burger1@example.nl';
      expect(await subscribe(SUZANNE, { email, frequentie: 'dagelijks' })).toEqual({ email, frequentie: 'dagelijks' });
      expect(await (await berichten(SUZANNE, 'GET')).json()).toEqual({ email, frequentie: 'dagelijks' });

      expect(await gw.sendNotices()).toMatchObject({ sent: 0, failed: 0 });
      expect(mailsTo(email)).toEqual([]);

      await access(DEMO_OIN.utrecht, DEMO_PROCESSING_ACTIVITY.utrechtWmo, SUZANNE);
      expect(await gw.sendNotices()).toMatchObject({ sent: 1, failed: 0 });
      const [mail, ...more] = mailsTo(email);
      expect(more).toEqual([]);
      expect(mail?.envelopeTo).toEqual([email]);
      expect(mail?.envelopeFrom).toBe(FROM);
      expect(mail?.subject).toBe(SUBJECT);
      expect(mail?.text.trim()).toBe(`Log in op ${PORTAL_URL} om te zien wie uw gegevens gebruikte.`);

      // Nothing new: no second mail.
      expect(await gw.sendNotices()).toMatchObject({ sent: 0 });
      expect(mailsTo(email)).toHaveLength(1);
    });

    it('puts no personal data in the mail: no BSN, name, organisation or purpose', () => {
      const [mail] = mailsTo('burger1@example.nl');
      const raw = mail?.raw ?? '';
      expect(raw).toContain(SUBJECT);
      const suzanne = loadPersonen().find((p) => p.burgerservicenummer === SUZANNE) as unknown as {
        naam: { voornamen: string; geslachtsnaam: string };
      };
      const wmo = DEMO_PROCESSING_ACTIVITIES.find((a) => a.id === DEMO_PROCESSING_ACTIVITY.utrechtWmo);
      for (const forbidden of [
        SUZANNE,
        suzanne.naam.voornamen,
        suzanne.naam.geslachtsnaam,
        DEMO_OIN.utrecht,
        'Utrecht',
        DEMO_PROCESSING_ACTIVITY.utrechtWmo,
        wmo?.name ?? 'no activity',
        'Wmo',
      ]) {
        for (const text of [raw, mail?.text ?? '']) {
          expect(text.toLowerCase(), forbidden).not.toContain(forbidden.toLowerCase());
        }
      }
    });

    it('mails at most once a day (dagelijks): news of the same day waits for the next', async () => {
      const email = 'burger1@example.nl';
      await access(DEMO_OIN.utrecht, DEMO_PROCESSING_ACTIVITY.utrechtWmo, SUZANNE);
      expect(await gw.sendNotices()).toMatchObject({ sent: 0 });
      expect(mailsTo(email)).toHaveLength(1);
      expect(await gw.sendNotices(Date.now() + DAY + 60_000)).toMatchObject({ sent: 1 });
      expect(mailsTo(email)).toHaveLength(2);
    });

    it('counts only the organisations the citizen named', async () => {
      const email = 'gefilterd@example.nl';
      await subscribe(FILTERED, { email, frequentie: 'wekelijks', organisaties: [DEMO_OIN.haarlem] });
      await access(DEMO_OIN.utrecht, DEMO_PROCESSING_ACTIVITY.utrechtWmo, FILTERED);
      await gw.sendNotices();
      expect(mailsTo(email)).toEqual([]);
      await access(DEMO_OIN.haarlem, DEMO_PROCESSING_ACTIVITY.haarlemBijstand, FILTERED);
      await gw.sendNotices();
      expect(mailsTo(email)).toHaveLength(1);
    });

    it('tells nothing of an access under a verwerkingsactiviteit that is confidential now', async () => {
      const email = 'vertrouwelijk@example.nl';
      await subscribe(CONFIDENTIAL, { email, frequentie: 'dagelijks' });
      await access(DEMO_OIN.sHertogenbosch, DEMO_PROCESSING_ACTIVITY.denBoschFraude, CONFIDENTIAL);
      await gw.sendNotices();
      expect(mailsTo(email)).toEqual([]);
      // The same citizen is told of an access they may see.
      await access(DEMO_OIN.utrecht, DEMO_PROCESSING_ACTIVITY.utrechtWmo, CONFIDENTIAL);
      await gw.sendNotices();
      expect(mailsTo(email)).toHaveLength(1);
    });

    it("tells nothing of the citizen's own look at their data (GET /inzage/v1/gegevens)", async () => {
      const email = 'zelf@example.nl';
      await subscribe(OWN_LOOK, { email, frequentie: 'dagelijks' });
      const own = await fetch(`${origin}/inzage/v1/gegevens`, {
        headers: { authorization: `Bearer ${await gw.citizenToken({ sub: OWN_LOOK })}` },
      });
      expect(own.status, await own.clone().text()).toBe(200);
      const records = await gw.accessRecords();
      expect(records.some((r) => r.record.includes(DEMO_PROCESSING_ACTIVITY.rvigInzage))).toBe(true);
      await gw.sendNotices();
      expect(mailsTo(email)).toEqual([]);
      await access(DEMO_OIN.utrecht, DEMO_PROCESSING_ACTIVITY.utrechtWmo, OWN_LOOK);
      await gw.sendNotices();
      expect(mailsTo(email)).toHaveLength(1);
    });

    it('sends nothing after the citizen unsubscribed', async () => {
      const email = 'weg@example.nl';
      await subscribe(LEAVING, { email, frequentie: 'dagelijks' });
      expect((await berichten(LEAVING, 'DELETE')).status).toBe(204);
      expect((await problemOf(await berichten(LEAVING, 'GET'), 404)).code).toBe('noticeNotFound');
      expect((await problemOf(await berichten(LEAVING, 'DELETE'), 404)).code).toBe('noticeNotFound');
      await access(DEMO_OIN.utrecht, DEMO_PROCESSING_ACTIVITY.utrechtWmo, LEAVING);
      await gw.sendNotices(Date.now() + 8 * DAY);
      expect(mailsTo(email)).toEqual([]);
    });

    it('sends a refused mail again on the next run, and only then moves on', async () => {
      const email = 'later@example.nl';
      await subscribe(REFUSED, { email, frequentie: 'dagelijks' });
      await access(DEMO_OIN.utrecht, DEMO_PROCESSING_ACTIVITY.utrechtWmo, REFUSED);
      smtp.refuse = true;
      try {
        expect(await gw.sendNotices()).toMatchObject({ sent: 0, failed: 1 });
      } finally {
        smtp.refuse = false;
      }
      expect(mailsTo(email)).toEqual([]);
      expect(await gw.sendNotices()).toMatchObject({ sent: 1, failed: 0 });
      expect(mailsTo(email)).toHaveLength(1);
      // The operational log counted the failure without the address the mail server refused.
      expect(capturedLogLines.some((line) => line.includes('"failed":1'))).toBe(true);
      expect(linesWithPersonalData(capturedLogLines, [email, 'burger1@example.nl'])).toEqual([]);
    });

    it("keeps one citizen's settings from another: another token reads none, a missing token is a 401", async () => {
      const other = '999993793';
      expect((await problemOf(await berichten(other, 'GET'), 404)).code).toBe('noticeNotFound');
      const bare = await fetch(`${origin}/inzage/v1/berichten`);
      expect((await problemOf(bare, 401)).code).toBe('authentication');
      // Suzanne's settings are still hers.
      expect(await (await berichten(SUZANNE, 'GET')).json()).toMatchObject({ email: 'burger1@example.nl' });
    });

    it('refuses settings that are not right, naming each member', async () => {
      const problem = await problemOf(
        await berichten('999993793', 'PUT', {
          email: 'a@example.nl, b@example.nl',
          frequentie: 'elk uur',
          organisaties: ['12345', DEMO_OIN.utrecht, DEMO_OIN.utrecht],
          naam: 'Suzanne',
        }),
        400,
      );
      expect(problem.invalidParams?.map((p) => p.name).sort()).toEqual(
        ['email', 'frequentie', 'naam', 'organisaties.0', 'organisaties.2'].sort(),
      );
      for (const email of ['iemand@example.nl\r\nBcc: x@evil.example', '<x@example.nl>', 'x@localhost', '']) {
        const res = await berichten('999993793', 'PUT', { email, frequentie: 'dagelijks' });
        expect((await problemOf(res, 400)).invalidParams?.map((p) => p.name)).toEqual(['email']);
      }
      expect((await problemOf(await berichten('999993793', 'GET'), 404)).code).toBe('noticeNotFound');
    });

    it('answers 503 noticeUnavailable where the inway has no mail server', async () => {
      const without = await gw.secondInstance();
      const token = await gw.citizenToken({ sub: SUZANNE });
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await without.request(`${GATEWAY_URL}/inzage/v1/berichten`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(method === 'PUT' ? { body: JSON.stringify({ email: 'x@example.nl', frequentie: 'dagelijks' }) } : {}),
        });
        // Its own code: a client tells "no e-mail here" from a passing 503 (directory, identity provider).
        const problem = await problemOf(res, 503);
        expect(problem.code).toBe('noticeUnavailable');
        expect(problem).toMatchObject({ detail: 'Deze bronhouder verstuurt geen e-mail.' });
        expect(res.headers.get('fsc-error-code')).toBe('ERROR_CODE_SERVICE_UNREACHABLE');
      }
    });
  });
}
