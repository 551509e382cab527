import {
  GatewayRefusal,
  type InvalidParam,
  TERUGMELDING_LIMITS,
  TERUGMELDING_OUTCOMES,
  TERUGMELDING_STATUSES,
  type TerugmeldingOutcome,
  type TerugmeldingStatus,
  terugmeldingTextProblem,
} from '@poortwachter/protocol';
import { parseJsonBody } from '../reads/read-params.ts';

/** What the bronhouder sends to move a terugmelding on. */
export interface StatusChangeRequest {
  readonly status: TerugmeldingStatus;
  readonly uitkomst?: TerugmeldingOutcome;
  readonly bericht?: string;
}

const MEMBERS = new Set(['status', 'uitkomst', 'bericht']);

/**
 * Parses `{status, uitkomst?, bericht?}`: a known status; `Afgehandeld` needs an uitkomst and a bericht
 * for the melder, and only `Afgehandeld` has an uitkomst; the bericht follows the melding's rule for
 * free texts (`terugmeldingTextProblem`). A 400 names every member that is wrong or unknown.
 *
 * @example
 * parseStatusChange(c.get('body')); // { status: 'Afgehandeld', uitkomst: 'gecorrigeerd', bericht: '…' }
 */
export function parseStatusChange(bytes: Uint8Array): StatusChangeRequest {
  const body = parseJsonBody(bytes);
  const problems: InvalidParam[] = Object.keys(body)
    .filter((k) => !MEMBERS.has(k))
    .map((name) => ({ name, code: 'unknownParam', reason: 'Dit veld bestaat niet.' }));
  const { status, uitkomst, bericht } = body;
  const isStatus = typeof status === 'string' && (TERUGMELDING_STATUSES as readonly string[]).includes(status);
  if (!isStatus) {
    problems.push({ name: 'status', code: 'enum', reason: `Kies uit ${TERUGMELDING_STATUSES.join(', ')}.` });
  }
  const final = status === 'Afgehandeld';
  if (uitkomst !== undefined || final) {
    if (!final) {
      problems.push({ name: 'uitkomst', code: 'unknownParam', reason: 'Alleen bij Afgehandeld is er een uitkomst.' });
    } else if (typeof uitkomst !== 'string' || !(TERUGMELDING_OUTCOMES as readonly string[]).includes(uitkomst)) {
      problems.push({ name: 'uitkomst', code: 'enum', reason: `Kies uit ${TERUGMELDING_OUTCOMES.join(', ')}.` });
    }
  }
  if (bericht !== undefined || final) {
    const wrong = terugmeldingTextProblem(bericht, TERUGMELDING_LIMITS.textChars, true);
    if (wrong) problems.push({ name: 'bericht', ...wrong });
  }
  if (problems.length > 0) {
    throw new GatewayRefusal('invalidRequest', 'De statuswijziging klopt niet.', { invalidParams: problems });
  }
  return {
    status: status as TerugmeldingStatus,
    ...(final ? { uitkomst: uitkomst as TerugmeldingOutcome } : {}),
    ...(typeof bericht === 'string' ? { bericht } : {}),
  };
}
