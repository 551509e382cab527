import type { DirectorySnapshot, ExchangeEvidence } from '@poortwachter/protocol';
import { HttpSignatureError, verifyExchange } from '@poortwachter/protocol';

/** A record as a Logboek read API returns it (the fields reconciliation reads). */
export interface LoggedRecord {
  readonly id: string;
  readonly trace_id?: string;
  readonly start_time?: number;
  readonly end_time?: number;
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** One exchange (a signed request and its answer) as one side logged it: its records. */
export interface LoggedExchange {
  readonly transactionId: string;
  /** `sha-256=:…:` of the signature base of the signed request: both sides name the exchange by it. */
  readonly requestDigest: string;
  readonly at: string;
  readonly processingActivity: string;
  readonly records: readonly LoggedRecord[];
}

export interface Reconciliation {
  readonly period: { readonly from: string; readonly to: string };
  readonly afnemer: string;
  readonly provider: string;
  /** Exchanges both sides logged. */
  readonly matched: number;
  /**
   * Logged by the provider's inway, not by the afnemer's outway: an access the afnemer never made
   * through its outway (a stolen key, a forged record, an application around the outway).
   */
  readonly onlyAtProvider: readonly LoggedExchange[];
  /**
   * Logged by the outway with the provider's signed answer as evidence, not by the provider: a lost
   * record on the provider's side. Each carries its evidence, which verified.
   */
  readonly onlyAtAfnemer: readonly (LoggedExchange & { readonly evidence: ExchangeEvidence })[];
  /** Outway records whose evidence does not verify against the provider's keys (forged or edited). */
  readonly unverifiedEvidence: readonly (LoggedExchange & { readonly reason: string })[];
  /** Whether both logs agree and every piece of evidence verified. */
  readonly consistent: boolean;
}

const attr = (r: LoggedRecord, name: string) => r.attributes?.[name];

/** The records of a log grouped by exchange (transaction id and request digest). */
function exchanges(records: readonly LoggedRecord[]): Map<string, LoggedExchange> {
  const byKey = new Map<string, LoggedExchange>();
  for (const record of records) {
    const transactionId = String(attr(record, 'poortwachter.fsc_transaction_id') ?? '');
    const requestDigest = String(attr(record, 'poortwachter.request_digest') ?? '');
    const key = `${transactionId}\n${requestDigest}`;
    const known = byKey.get(key);
    if (known) byKey.set(key, { ...known, records: [...known.records, record] });
    else
      byKey.set(key, {
        transactionId,
        requestDigest,
        at: new Date(Number(record.start_time ?? 0)).toISOString(),
        processingActivity: String(attr(record, 'dpl.core.processing_activity_id') ?? ''),
        records: [record],
      });
  }
  return byKey;
}

/**
 * Compares an afnemer's outway log with the provider's inway log for one period: every exchange on
 * one side only is a finding, and every outway record's evidence (the provider's signature over its
 * answer, bound to our signed request) is checked against the provider's keys in the directory, as of
 * the moment of the exchange. `provider` holds the inway's records of this afnemer for a period wider
 * than `[from, to)` (so an exchange at the border is not taken for missing); only exchanges that
 * started within the period are reported.
 */
export async function reconcileLogs(input: {
  readonly directory: DirectorySnapshot;
  readonly afnemerOin: string;
  readonly serviceId: string;
  readonly from: number;
  readonly to: number;
  readonly outway: readonly LoggedRecord[];
  readonly provider: readonly LoggedRecord[];
}): Promise<Reconciliation> {
  const service = input.directory.services.find((s) => s.id === input.serviceId);
  const providerOrg = input.directory.organisations.find((o) => o.oin === service?.providerOin);
  const ours = exchanges(
    input.outway.filter(
      (r) =>
        attr(r, 'poortwachter.service_id') === input.serviceId &&
        attr(r, 'dpl.core.foreign_operation.processor') === service?.providerOin,
    ),
  );
  const theirs = exchanges(
    input.provider.filter((r) => attr(r, 'dpl.core.foreign_operation.processor') === input.afnemerOin),
  );
  const within = (e: LoggedExchange) => {
    const at = Date.parse(e.at);
    return at >= input.from && at < input.to;
  };
  const onlyAtAfnemer: (LoggedExchange & { evidence: ExchangeEvidence })[] = [];
  const unverifiedEvidence: (LoggedExchange & { reason: string })[] = [];
  let matched = 0;
  for (const [key, exchange] of ours) {
    if (!within(exchange)) continue;
    const record = exchange.records[0];
    const evidence = record && (attr(record, 'poortwachter.evidence') as ExchangeEvidence | undefined);
    try {
      if (!evidence) throw new HttpSignatureError('missing', 'The record holds no evidence.');
      if (evidence.request.headers['fsc-transaction-id'] !== exchange.transactionId)
        throw new HttpSignatureError('malformed', 'The evidence is of another transaction.');
      await verifyExchange(evidence, {
        // Any key the provider has had: a signature made before a key was revoked still proves the answer.
        publicKeyFor: (kid) => providerOrg?.keys.find((k) => k.kid === kid)?.jwk,
        at: Math.floor(Number(record?.end_time ?? record?.start_time ?? 0) / 1000),
      });
    } catch (error) {
      unverifiedEvidence.push({ ...exchange, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    if (theirs.has(key)) matched++;
    else onlyAtAfnemer.push({ ...exchange, evidence });
  }
  const onlyAtProvider = [...theirs].filter(([key, e]) => within(e) && !ours.has(key)).map(([, e]) => e);
  return {
    period: { from: new Date(input.from).toISOString(), to: new Date(input.to).toISOString() },
    afnemer: input.afnemerOin,
    provider: service?.providerOin ?? 'unknown',
    matched,
    onlyAtProvider,
    onlyAtAfnemer,
    unverifiedEvidence,
    consistent: onlyAtProvider.length === 0 && onlyAtAfnemer.length === 0 && unverifiedEvidence.length === 0,
  };
}
