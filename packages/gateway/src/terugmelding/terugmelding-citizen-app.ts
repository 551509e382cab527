import { GatewayRefusal, ownFields, type TerugmeldingStatus, terugmeldingTransition } from '@poortwachter/protocol';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { GatewayEnv } from '../pipeline/context.ts';
import { verifiedCitizen } from '../reads/citizen-app.ts';
import { onlyParameters, sendJson } from '../reads/read-params.ts';
import {
  checkedMelding,
  hiddenFromCitizen,
  pathsOf,
  purgeAfter,
  terugmeldingActivity,
  terugmeldingProblems,
  terugmeldingService,
} from './terugmelding-checks.ts';
import { fileMelding, logThenStore, oneAtATime, type TerugmeldingLog } from './terugmelding-log.ts';
import { changeStatus, findTerugmelding, listTerugmeldingen, type StoredTerugmelding } from './terugmelding-store.ts';
import { terugmeldingView } from './terugmelding-view.ts';

export interface TerugmeldingRoutesOptions extends TerugmeldingLog {
  readonly serviceId: string;
  /** The kid of the key this inway signs with: it takes terugmeldingen only for its own organisation's service. */
  readonly providerKid: string | undefined;
  /** Reads a melding's body (up to TERUGMELDING_BODY_BYTES). */
  readonly readBody: MiddlewareHandler<GatewayEnv>;
}

/** What the citizen is told when their melding is in. */
const ONTVANGEN = 'Uw melding is ontvangen. De bronhouder bekijkt hem; u ziet hier wat ermee gebeurt.';

/**
 * The citizen's terugmeldingen (correctieverzoeken, AVG art. 16) at this inway, under the citizen's
 * token and quota (mounted in the citizen app, which sets its stages and CORS): file one about their
 * own data (`POST /`), read theirs and those organisations filed about them (`GET /`, `GET /:id`), and
 * withdraw their own (`POST /:id/intrekken`). Another citizen's melding is as unknown as none.
 */
export function terugmeldingCitizenApp(options: TerugmeldingRoutesOptions) {
  const app = new Hono<GatewayEnv>();
  const { serviceId, providerKid } = options;
  // The token first: nobody unknown makes the inway read a melding's megabytes.
  app.use(terugmeldingProblems);
  app.use(async function withCitizen(c, next) {
    c.set('citizen', await verifiedCitizen(c));
    await next();
  });

  app.post('/', options.readBody, async (c) => {
    const citizen = citizenOf(c);
    onlyParameters(c, []);
    const directory = c.var.directory;
    const service = terugmeldingService(directory, serviceId, providerKid);
    const own = new Set(ownFields(service));
    const { melding, bsn, paths } = checkedMelding(c, serviceId, {
      bsn: citizen.bsn,
      mayName: (path) => own.has(path),
      refusedField: 'Over dit gegeven kunt u hier geen melding doen.',
    });
    return fileMelding(
      c,
      { ...options, db: c.var.reads.db },
      {
        serviceId,
        melding,
        bsn,
        paths,
        melder: { soort: 'betrokkene' },
        // The bronhouder takes the citizen's melding in, under its own terugmelding activity.
        processorOin: service.providerOin,
        activity: terugmeldingActivity(directory, service, options.now()),
        requestDigest: citizen.tokenDigest,
        beschrijving: ONTVANGEN,
      },
    );
  });

  app.get('/', async (c) => {
    const citizen = citizenOf(c);
    onlyParameters(c, []);
    const { db, pseudonymsOf } = c.var.reads;
    const stored = await listTerugmeldingen(db, serviceId, { subjects: pseudonymsOf(citizen.bsn) });
    const hidden = hiddenFromCitizen(c.var.directory, options.now());
    const shown = stored.filter((s) => !hidden(s));
    return sendJson(c, { terugmeldingen: shown.map((s) => terugmeldingView(s, c.var.directory)) });
  });

  app.get('/:id', async (c) => {
    const citizen = citizenOf(c);
    onlyParameters(c, []);
    const stored = await citizensMelding(c, citizen.bsn);
    return sendJson(c, terugmeldingView(stored, c.var.directory));
  });

  app.post('/:id/intrekken', async (c) => {
    onlyParameters(c, []);
    return oneAtATime(c.req.param('id'), () => withdraw(c));
  });
  return app;

  /** Withdraws the citizen's own melding: checked against its status as stored now, logged, then stored. */
  async function withdraw(c: Context<GatewayEnv>) {
    const citizen = citizenOf(c);
    const stored = await citizensMelding(c, citizen.bsn);
    const { row } = stored;
    if (row.melder_soort !== 'betrokkene') {
      throw new GatewayRefusal('notMelder', 'Deze melding deed een organisatie. Alleen die kan hem intrekken.');
    }
    if (!terugmeldingTransition(row.status as TerugmeldingStatus, 'Ingetrokken', 'melder')) {
      throw new GatewayRefusal(
        'terugmeldingConflict',
        `Deze melding is ${row.status.toLowerCase()}. U kunt hem niet meer intrekken.`,
      );
    }
    const directory = c.var.directory;
    const service = terugmeldingService(directory, serviceId, providerKid);
    const at = options.now();
    const activity = terugmeldingActivity(directory, service, at);
    const after = purgeAfter(at, activity.bewaartermijn);
    const changed: StoredTerugmelding = {
      row: { ...row, status: 'Ingetrokken', updated_at: at, purge_after: after ?? null },
      statussen: [...stored.statussen, { terugmelding_id: row.id, at, status: 'Ingetrokken', by_oin: null }],
    };
    return logThenStore(
      c,
      options,
      {
        terugmeldingId: row.id,
        status: 'Ingetrokken',
        serviceId,
        bsn: citizen.bsn,
        processorOin: service.providerOin,
        activity,
        paths: pathsOf(stored),
        requestDigest: citizen.tokenDigest,
      },
      { status: 200, body: terugmeldingView(changed, directory) },
      () =>
        changeStatus(c.var.reads.db, {
          id: row.id,
          from: row.status,
          to: 'Ingetrokken',
          at,
          byOin: null,
          ...(after === undefined ? {} : { purgeAfter: after }),
        }),
    );
  }

  /**
   * The citizen's melding with this id (their own, or one about them, unless confidential now); else 404, as
   * one that does not exist.
   */
  async function citizensMelding(c: Context<GatewayEnv>, bsn: string): Promise<StoredTerugmelding> {
    const { db, pseudonymsOf } = c.var.reads;
    const stored = await findTerugmelding(db, c.req.param('id') ?? '');
    if (
      !stored ||
      stored.row.service_id !== serviceId ||
      !pseudonymsOf(bsn).includes(stored.row.data_subject_id) ||
      hiddenFromCitizen(c.var.directory, options.now())(stored)
    ) {
      throw new GatewayRefusal('terugmeldingNotFound', 'U heeft geen melding met dit nummer.');
    }
    return stored;
  }
}

/** The citizen `withCitizen` verified for this request. */
function citizenOf(c: Context<GatewayEnv>) {
  const citizen = c.get('citizen');
  if (!citizen) throw new GatewayRefusal('internal', 'De stappen van de gateway liepen niet in volgorde.');
  return citizen;
}
