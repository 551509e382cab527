import { GatewayRefusal, isGatewayRefusal, uuidv7Time } from '@poortwachter/protocol';
import { type Context, type Handler, Hono, type MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import { servedHead, withCosignatures, witnessCountOf } from '../log/merkle/checkpoints.ts';
import { headOf, inclusionProof } from '../log/merkle/merkle-store.ts';
import { berichtenApp } from '../notice/berichten-app.ts';
import type { GatewayEnv } from '../pipeline/context.ts';
import { spend } from '../pipeline/quota.ts';
import { underFailureQuota } from '../pipeline/quota-stages.ts';
import { leafOf } from '../repositories/access-log-reads.ts';
import { citizenRecords } from '../repositories/citizen-records.ts';
import { citizenTimeline } from '../repositories/citizen-timeline.ts';
import { decodeCursor } from '../repositories/cursor.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { citizenCors } from './citizen-cors.ts';
import { verifyCitizenToken } from './citizen-token.ts';
import { parsePeriod } from './period.ts';
import { count, onlyParameters, parseLimit, sendJson } from './read-params.ts';

/**
 * The signed head of exactly `size` leaves that a proof of leaf `index` is asked against. A size that
 * can never hold the leaf (≤ its index) is a 400; a size no head was signed at is a 404 (heads are
 * signed at whatever size the log has every second or so, so a given size may never come: asking
 * again would not help). Both name `size`; without it the newest head is taken.
 */
async function signedHeadOfSize(db: Kysely<GatewayDatabase>, logId: string, size: number, index: number) {
  if (size <= index) {
    throw new GatewayRefusal(
      'invalidRequest',
      `Een boomkop van grootte ${size} kan deze verwerking (regel ${index + 1} van het logboek) nooit bevatten.`,
      {
        invalidParams: [
          { name: 'size', code: 'minimum', reason: `Kies een size groter dan ${index}, of laat size weg.` },
        ],
      },
    );
  }
  const head = await headOf(db, logId, { size });
  if (head) return head;
  const newest = await headOf(db, logId, {});
  throw new GatewayRefusal(
    'logEntryNotFound',
    `Er is geen ondertekende boomkop met grootte ${size}. De nieuwste heeft grootte ${newest?.tree_size ?? 0}.`,
    {
      invalidParams: [
        { name: 'size', code: 'notFound', reason: 'Kies de grootte van een ondertekende boomkop, of laat size weg.' },
      ],
    },
  );
}

/** A refusal of the token itself (missing, invalid, expired): what the address's quota for failures counts. */
const TOKEN_FAILURES = new Set(['citizenTokenMissing', 'citizenTokenInvalid', 'citizenTokenExpired']);

/**
 * The citizen whose token this request carries, under the quotas: an address whose bad tokens spent its
 * quota is refused before the token is verified (which may ask the identity provider), and a citizen
 * spends their own quota, by the token's subject (their BSN, held in memory only), once it verified.
 */
export async function verifiedCitizen(c: Context<GatewayEnv>) {
  const { directory, quotas } = c.var;
  const citizen = await underFailureQuota(
    quotas,
    c,
    () => verifyCitizenToken(c.req.header('authorization'), directory, c.var.reads.now()),
    (error) => isGatewayRefusal(error) && TOKEN_FAILURES.has(error.reason),
  );
  if (quotas) spend(quotas.citizens, citizen.bsn);
  return citizen;
}

/** The stages of `GET /gegevens`: the citizen's grant (`ownDataGrant`), the source, minimise, `onlyOwnData`, the log. */
export type OwnDataStages = readonly [
  MiddlewareHandler<GatewayEnv>,
  MiddlewareHandler<GatewayEnv>,
  MiddlewareHandler<GatewayEnv>,
  MiddlewareHandler<GatewayEnv>,
  Handler<GatewayEnv>,
];

/**
 * The citizen's inzage, with a token of an identity provider the registry trusts: the timeline of
 * their own records (`GET /verwerkingen?van=&tot=&limit=&cursor=`, newest first), the proof that
 * one of them is in the verifiable log (`GET /verwerkingen/:id/bewijs`), what this bronhouder holds
 * about them (`GET /gegevens`, through `ownData`: an afnemer's stages with a grant made for the citizen)
 * their notice settings (`/berichten`, see berichtenApp) and their terugmeldingen (`/terugmeldingen`).
 */
export function citizenApp(stages: {
  readonly base: MiddlewareHandler<GatewayEnv>;
  readonly ownData: OwnDataStages;
  /** The citizen's terugmeldingen (`/terugmeldingen`), on an inway whose service takes them. */
  readonly terugmeldingen?: Hono<GatewayEnv>;
}) {
  const app = new Hono<GatewayEnv>();
  app.use(stages.base);
  app.use(citizenCors());
  app.route('/berichten', berichtenApp(verifiedCitizen));
  if (stages.terugmeldingen) app.route('/terugmeldingen', stages.terugmeldingen);

  app.get('/gegevens', ...stages.ownData);

  app.get('/verwerkingen', async (c) => {
    const { db, serviceId, pseudonymsOf, now } = c.var.reads;
    const citizen = await verifiedCitizen(c);
    onlyParameters(c, ['van', 'tot', 'limit', 'cursor']);
    const period = parsePeriod(c.req.query('van'), c.req.query('tot'), { from: 'van', to: 'tot' });
    const cursor = c.req.query('cursor');
    const page = await citizenTimeline(db, c.var.directory, serviceId, {
      subjects: pseudonymsOf(citizen.bsn),
      from: period.from,
      to: period.to,
      limit: parseLimit(c.req.query('limit'), 'limit', 20, 100),
      ...(cursor ? { after: decodeCursor(cursor) } : {}),
      now: now(),
    });
    return sendJson(c, page);
  });

  app.get('/verwerkingen/:id/bewijs', async (c) => {
    const { db, pseudonymsOf, now } = c.var.reads;
    const citizen = await verifiedCitizen(c);
    onlyParameters(c, ['size']);
    const id = c.req.param('id');
    // A record's id is the UUIDv7 of its start_time: with the time the lookup reads one month's partition.
    const startTime = uuidv7Time(id);
    const row =
      startTime === undefined
        ? undefined
        : await citizenRecords(db, c.var.directory, pseudonymsOf(citizen.bsn), now())
            .select(['id', 'record'])
            .where('id', '=', id)
            .where('start_time', '=', startTime)
            .executeTakeFirst();
    // Another citizen's record, or one under a processing activity that is confidential now, is as
    // unknown as one that does not exist.
    if (!row) throw new GatewayRefusal('logEntryNotFound', 'U heeft geen verwerking met dit nummer.');
    const leaf = await leafOf(db, id);
    if (!leaf)
      throw new GatewayRefusal('logEntryNotFound', 'Deze verwerking staat niet in het controleerbare logboek.');
    const wanted = c.req.query('size');
    // The newest head that holds the leaf and has the witnesses' quorum; else the newest head (whose
    // checkpoint then lacks the quorum: the citizen's client says so).
    const head =
      wanted === undefined
        ? await servedHead(db, leaf.logId, witnessCountOf(c.var.directory.snapshot), leaf.index + 1)
        : (
            await withCosignatures(db, [await signedHeadOfSize(db, leaf.logId, count(wanted, 'size', 1), leaf.index)])
          )[0];
    if (!head || head.tree_size <= leaf.index) {
      c.header('retry-after', '1');
      throw new GatewayRefusal(
        'treeHeadPending',
        'Het logboek heeft nog geen boomkop ondertekend met deze verwerking. Probeer het over een seconde opnieuw.',
      );
    }
    return sendJson(c, {
      id,
      record: JSON.parse(row.record) as unknown,
      log_id: leaf.logId,
      leaf_index: leaf.index,
      head,
      proof: await inclusionProof(db, leaf.logId, leaf.index, head.tree_size),
    });
  });
  return app;
}
