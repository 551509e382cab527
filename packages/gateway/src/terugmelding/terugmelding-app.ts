import {
  GatewayRefusal,
  TERUGMELDING_STATUSES,
  type TerugmeldingStatus,
  terugmeldingTransition,
} from '@poortwachter/protocol';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { grantBases } from '../pipeline/authorise.ts';
import type { GatewayEnv } from '../pipeline/context.ts';
import { callerOf, onlyParameters, sendJson } from '../reads/read-params.ts';
import { parseStatusChange, type StatusChangeRequest } from './status-change.ts';
import {
  bsnOf,
  checkedMelding,
  coveredBy,
  hiddenFromCitizen,
  pathsOf,
  purgeAfter,
  type TerugmeldingService,
  terugmeldingActivity,
  terugmeldingProblems,
  terugmeldingService,
} from './terugmelding-checks.ts';
import type { TerugmeldingRoutesOptions } from './terugmelding-citizen-app.ts';
import { fileMelding, logThenStore, oneAtATime } from './terugmelding-log.ts';
import { changeStatus, findTerugmelding, listTerugmeldingen, type StoredTerugmelding } from './terugmelding-store.ts';
import { terugmeldingView } from './terugmelding-view.ts';

/** The stages of signed calls, as the gateway app builds them. */
export interface TerugmeldingStages {
  /** Sign the answer, trace, directory, quotas. */
  readonly base: MiddlewareHandler<GatewayEnv>;
  /** Body read and signature verified as a query's (with `Processing-Activity`). */
  readonly signedQuery: MiddlewareHandler<GatewayEnv>;
  /** Body read and signature verified as a read's (no processing activity). */
  readonly signedPost: MiddlewareHandler<GatewayEnv>;
  readonly signedGet: MiddlewareHandler<GatewayEnv>;
}

/**
 * Terugmeldingen for organisations, signed (RFC 9421): one route set where the caller decides the view.
 * The service's bronhouder (signed with its own organisation's key) reads all of them, attachments
 * included, and moves them on (`POST /:id/status`); any other organisation is an afnemer that files
 * one under its `Processing-Activity` about fields its autorisatie covers (`POST /`) and reads its own.
 */
export function terugmeldingApp(stages: TerugmeldingStages, options: TerugmeldingRoutesOptions) {
  const app = new Hono<GatewayEnv>();
  const { serviceId, providerKid } = options;
  app.use(terugmeldingProblems, stages.base);
  const serviceOf = (c: Context<GatewayEnv>) => terugmeldingService(c.var.directory, serviceId, providerKid);
  const isBronhouder = (c: Context<GatewayEnv>, service: TerugmeldingService) =>
    callerOf(c).organisation.oin === service.providerOin;

  app.post('/', stages.signedQuery, async (c) => {
    onlyParameters(c, []);
    const service = serviceOf(c);
    // Every contract in force under the activity counts (they share the one responsible organisation): a
    // melding reports doubt about values the afnemer may ask for, it releases nothing.
    const [base, ...others] = grantBases(c, { serviceId, providerKid, now: options.now });
    const { melding, bsn, paths } = checkedMelding(c, serviceId, {
      mayName: (path) => [base, ...others].some((b) => coveredBy(b.autorisatie.fields)(path)),
      refusedField: 'Uw autorisatie voor deze verwerkingsactiviteit omvat dit gegeven niet.',
    });
    const caller = callerOf(c);
    const bronhouder = c.var.directory.organisations.get(service.providerOin)?.name ?? 'de bronhouder';
    return fileMelding(
      c,
      { ...options, db: c.var.reads.db },
      {
        serviceId,
        melding,
        bsn,
        paths,
        melder: { soort: 'organisatie', oin: caller.organisation.oin },
        // Responsible for it: the afnemer, or the gemeente a delegate filed for (as for its queries).
        processorOin: base.autorisatie.delegatorOin ?? caller.organisation.oin,
        activity: base.processingActivity,
        requestDigest: caller.requestDigest,
        beschrijving: `De terugmelding is ontvangen door ${bronhouder}.`,
      },
    );
  });

  app.get('/', stages.signedGet, async (c) => {
    onlyParameters(c, ['status']);
    const service = serviceOf(c);
    const status = c.req.query('status');
    if (status !== undefined && !(TERUGMELDING_STATUSES as readonly string[]).includes(status)) {
      throw new GatewayRefusal('invalidRequest', 'Deze status bestaat niet.', {
        invalidParams: [{ name: 'status', code: 'enum', reason: `Kies uit ${TERUGMELDING_STATUSES.join(', ')}.` }],
      });
    }
    const bronhouder = isBronhouder(c, service);
    const stored = await listTerugmeldingen(c.var.reads.db, serviceId, {
      ...(status === undefined ? {} : { status }),
      ...(bronhouder ? {} : { melderOin: callerOf(c).organisation.oin }),
    });
    return sendJson(c, { terugmeldingen: stored.map((s) => terugmeldingView(s, c.var.directory)) });
  });

  app.get('/:id', stages.signedGet, async (c) => {
    onlyParameters(c, []);
    const service = serviceOf(c);
    const bronhouder = isBronhouder(c, service);
    const stored = await visibleMelding(c, bronhouder);
    return sendJson(c, terugmeldingView(stored, c.var.directory, { filed: bronhouder }));
  });

  app.post('/:id/status', stages.signedPost, async (c) => {
    onlyParameters(c, []);
    const service = serviceOf(c);
    if (!isBronhouder(c, service)) {
      throw new GatewayRefusal('notBronhouder', 'Alleen de bronhouder van deze dienst behandelt terugmeldingen.');
    }
    const change = parseStatusChange(c.get('body'));
    return oneAtATime(c.req.param('id'), () => handle(c, service, change));
  });
  return app;

  /** Moves the melding on: checked against its status as stored now, logged, then stored. */
  async function handle(c: Context<GatewayEnv>, service: TerugmeldingService, change: StatusChangeRequest) {
    const stored = await visibleMelding(c, true);
    const { row } = stored;
    if (!terugmeldingTransition(row.status as TerugmeldingStatus, change.status, 'bronhouder')) {
      throw new GatewayRefusal(
        'terugmeldingConflict',
        `Een melding met status ${row.status} kan niet naar ${change.status}.`,
      );
    }
    const directory = c.var.directory;
    const at = options.now();
    const activity = terugmeldingActivity(directory, service, at);
    const final = change.status === 'Afgehandeld' || change.status === 'Ingetrokken';
    const after = final ? purgeAfter(at, activity.bewaartermijn) : undefined;
    const changed: StoredTerugmelding = {
      row: {
        ...row,
        status: change.status,
        updated_at: at,
        ...(change.uitkomst === undefined ? {} : { uitkomst: change.uitkomst }),
        ...(change.bericht === undefined ? {} : { bericht: change.bericht }),
        ...(after === undefined ? {} : { purge_after: after }),
      },
      statussen: [
        ...stored.statussen,
        { terugmelding_id: row.id, at, status: change.status, by_oin: service.providerOin },
      ],
    };
    return logThenStore(
      c,
      options,
      {
        terugmeldingId: row.id,
        status: change.status,
        serviceId,
        // Handling a melding an organisation filed under an activity confidential now names no subject:
        // the citizen's timeline would show what the investigation hides (the melding's own history shows
        // it to them once the confidentiality is lifted).
        bsn: hiddenFromCitizen(directory, at)(stored) ? undefined : bsnOf(stored),
        processorOin: service.providerOin,
        activity,
        paths: pathsOf(stored),
        requestDigest: callerOf(c).requestDigest,
      },
      { status: 200, body: terugmeldingView(changed, directory) },
      () =>
        changeStatus(c.var.reads.db, {
          id: row.id,
          from: row.status,
          to: change.status,
          at,
          byOin: service.providerOin,
          ...(change.uitkomst === undefined ? {} : { uitkomst: change.uitkomst }),
          ...(change.bericht === undefined ? {} : { bericht: change.bericht }),
          ...(after === undefined ? {} : { purgeAfter: after }),
        }),
    );
  }

  /** The melding with this id as the caller may see it: the bronhouder any, an afnemer its own; else 404. */
  async function visibleMelding(c: Context<GatewayEnv>, bronhouder: boolean): Promise<StoredTerugmelding> {
    const stored = await findTerugmelding(c.var.reads.db, c.req.param('id') ?? '');
    const own = bronhouder || stored?.row.melder_oin === callerOf(c).organisation.oin;
    if (!stored || stored.row.service_id !== serviceId || !own) {
      throw new GatewayRefusal('terugmeldingNotFound', 'Er is geen terugmelding met dit nummer die u mag zien.');
    }
    return stored;
  }
}
