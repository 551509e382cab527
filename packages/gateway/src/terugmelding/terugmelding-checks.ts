import {
  GatewayRefusal,
  type InvalidParam,
  isAtOrBelow,
  parseFieldUrn,
  parseTerugmelding,
  retentionCutoff,
  type Service,
  type ServiceBetrokkene,
  type TerugMelding,
  terugmeldingSubject,
} from '@poortwachter/protocol';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import { activityInForce, servedService } from '../pipeline/authorise.ts';
import type { GatewayEnv } from '../pipeline/context.ts';
import { parseJsonBody } from '../reads/read-params.ts';
import { confidentialActivities } from '../repositories/citizen-records.ts';
import type { StoredTerugmelding } from './terugmelding-store.ts';

/**
 * The largest melding body the inway reads: a few attachments of 1 MB (base64 makes 4 bytes of 3) and
 * their texts. The parser's limits per item decide the rest; a body past this is 413 before it is parsed.
 */
export const TERUGMELDING_BODY_BYTES = 8 * 1024 * 1024;

/** The terugmeldingen API names members as Logius' draft does, longer than the BRP's 30 characters. */
export const TERUGMELDING_PROBLEM_LIMITS = { nameMaxLength: 100 } as const;

/** Sets the problem limits of the terugmelding routes for whatever they refuse. */
export const terugmeldingProblems = createMiddleware<GatewayEnv>(async function terugmeldingProblems(c, next) {
  c.set('problemLimits', TERUGMELDING_PROBLEM_LIMITS);
  await next();
});

/** A service that takes terugmeldingen: it has `betrokkene`. */
export type TerugmeldingService = Service & { readonly betrokkene: ServiceBetrokkene };

/**
 * The service this inway serves, when it offers terugmeldingen (`betrokkene` in the registry) and this
 * inway signs for its bronhouder; else 404, as a path that does not exist.
 */
export function terugmeldingService(
  directory: DirectoryIndex,
  serviceId: string,
  providerKid: string | undefined,
): TerugmeldingService {
  const service = servedService(directory, serviceId, providerKid);
  if (!service.betrokkene)
    throw new GatewayRefusal('operationNotFound', `De dienst ${serviceId} neemt geen terugmeldingen aan.`);
  return service as TerugmeldingService;
}

/**
 * The version of the service's terugmelding activity in force now (with its grondslagen), which must be
 * its bronhouder's own; else the refusal, and nothing is stored (the registry is wrong).
 */
export function terugmeldingActivity(directory: DirectoryIndex, service: TerugmeldingService, now: number) {
  const at = new Date(now).toISOString();
  const { version } = activityInForce(directory, service.betrokkene.terugmeldingActivityId, at, 'voor terugmeldingen');
  if (version.responsibleOin !== service.providerOin) {
    throw new GatewayRefusal(
      'foreignProcessingActivity',
      'De verwerkingsactiviteit voor terugmeldingen is niet van deze bronhouder.',
    );
  }
  return version;
}

/**
 * When a final terugmelding's row goes: `bewaartermijn` after `finalAt` (the same term arithmetic as
 * the log's retention, counted forward); undefined (kept) when the term cannot be read.
 */
export function purgeAfter(finalAt: number, bewaartermijn: string): number | undefined {
  const cutoff = retentionCutoff(finalAt, bewaartermijn);
  return cutoff === undefined ? undefined : finalAt + (finalAt - cutoff);
}

/** What the inway checks of a parsed melding beyond its shape: whose it is and which fields it names. */
export interface MeldingScope {
  /** The citizen's own BSN: the melding must be about them. Absent for an afnemer. */
  readonly bsn?: string;
  /** Whether the melding may name this catalogue path (a citizen's own fields, an afnemer's autorisatie). */
  readonly mayName: (path: string) => boolean;
  /** Why a path it may not name is refused (the refusal's detail). */
  readonly refusedField: string;
}

/**
 * Parses the body as a TerugMelding (the one parser, 400/413 naming each member) and checks what only
 * the inway knows: the person is the citizen themselves (403 naming `idWaarde`), and each attribuutUrn
 * is of this service and a field the melder may name (403 naming the urn). Returns the melding, its
 * BSN and the catalogue paths it names.
 */
export function checkedMelding(c: Context<GatewayEnv>, serviceId: string, scope: MeldingScope) {
  const melding: TerugMelding = parseTerugmelding(parseJsonBody(c.get('body')));
  const body = melding.terugMeldingBody;
  const bsn = terugmeldingSubject(melding);
  if (scope.bsn !== undefined && bsn !== scope.bsn) {
    throw new GatewayRefusal('unauthorizedParameter', 'U kunt alleen een melding doen over uw eigen gegevens.', {
      invalidParams: [
        {
          name: 'terugMeldingBody.objectIdentificatie[0].idWaarde',
          code: 'unauthorized',
          reason: 'Dit is niet uw burgerservicenummer.',
        },
      ],
    });
  }
  const paths: string[] = [];
  const refused: InvalidParam[] = [];
  body.terugMeldingGegevens.forEach((gegeven, i) => {
    const urn = parseFieldUrn(gegeven.attribuutUrn);
    if (urn && urn.serviceId === serviceId && scope.mayName(urn.path)) paths.push(urn.path);
    else {
      refused.push({
        name: `terugMeldingBody.terugMeldingGegevens[${i}].attribuutUrn`,
        code: 'unauthorized',
        reason: urn?.serviceId === serviceId ? scope.refusedField : 'Dit gegeven hoort niet bij deze dienst.',
      });
    }
  });
  if (refused.length > 0) {
    throw new GatewayRefusal('unauthorizedField', 'De melding noemt gegevens waarover u niet kunt melden.', {
      invalidParams: refused,
    });
  }
  return { melding, bsn, paths };
}

/** Whether autorisatie paths cover a path: the path itself, or a path it lies below. */
export const coveredBy = (authorised: readonly string[]) => (path: string) =>
  authorised.some((a) => isAtOrBelow(path, a));

/** The catalogue paths a stored melding names (for the records of its later status changes). */
export function pathsOf(stored: StoredTerugmelding): string[] {
  const melding = JSON.parse(stored.row.body) as TerugMelding;
  return melding.terugMeldingBody.terugMeldingGegevens.flatMap((g) => {
    const urn = parseFieldUrn(g.attribuutUrn);
    return urn ? [urn.path] : [];
  });
}

/** The BSN a stored melding is about (the records of its later status changes name its pseudonym). */
export const bsnOf = (stored: StoredTerugmelding): string =>
  terugmeldingSubject(JSON.parse(stored.row.body) as TerugMelding);

/**
 * Which meldingen are hidden from the citizen they are about now, the rule made once per request: those
 * an organisation filed under a verwerkingsactiviteit that is confidential now (an investigation the
 * timeline hides too). Decided at read time, as the timeline's rule, so that lifting it shows them.
 */
export function hiddenFromCitizen(directory: DirectoryIndex, now: number): (stored: StoredTerugmelding) => boolean {
  const confidential = new Set(confidentialActivities(directory, now));
  return (stored) => stored.row.processing_activity_id !== null && confidential.has(stored.row.processing_activity_id);
}
