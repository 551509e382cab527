import { sha256 } from '#platform';

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

/** RFC 9162 §2.1.1: leaf hash = SHA-256(0x00 ‖ leaf), node hash = SHA-256(0x01 ‖ left ‖ right). */
export const leafHash = (leaf: Uint8Array | string): Uint8Array => sha256(LEAF, leaf);

export const nodeHash = (left: Uint8Array, right: Uint8Array): Uint8Array => sha256(NODE, left, right);

/** The hash of the empty tree: SHA-256 of nothing. */
export const emptyRoot = (): Uint8Array => sha256();

/**
 * The hash of perfect subtrees side by side, largest first (RFC 9162 MTH of their range):
 * node(h0, node(h1, … node(hn-2, hn-1))); the empty tree's hash for none.
 */
export function rightFold(hashes: readonly Uint8Array[]): Uint8Array {
  let r = hashes[hashes.length - 1];
  if (r === undefined) return emptyRoot();
  for (let i = hashes.length - 2; i >= 0; i--) r = nodeHash(hashes[i] as Uint8Array, r);
  return r;
}

/**
 * RFC 8785 (JSON Canonicalization Scheme) for the JSON the log holds: objects with keys sorted by
 * UTF-16 code units, no whitespace, strings and numbers as ECMAScript serialises them.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('JSON has no NaN or Infinity.');
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      throw new TypeError(`Not JSON: ${typeof value}.`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  // Keys sorted by UTF-16 code units (the default sort); members whose value is undefined left out.
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  let out = '{';
  for (const key of keys) {
    const member = object[key];
    if (member === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(member)}`;
  }
  return `${out}}`;
}

/** The leaf of an access record: its id as the citizen sees it and the record as stored. */
export const accessLeafHash = (entry: { id: string; record: unknown }): Uint8Array =>
  leafHash(canonicalJson({ id: entry.id, record: entry.record }));

/** The content of a refusal as the log holds it: who asked what and why it was refused, no personal data. */
export interface LoggedRefusal {
  readonly at: number;
  readonly transaction_id: string;
  readonly trace_id: string;
  readonly caller_oin: string | null;
  readonly keyid: string | null;
  readonly service_id: string;
  readonly processing_activity_id: string | null;
  readonly reason: string;
  readonly status: number;
  readonly fsc_error_code: string;
  readonly detail: string;
  /** How many refusals this entry stands for: 1, or more for unidentified callers counted per minute. */
  readonly count: number;
}

/** The members of a logged refusal (its columns, in the order the gateway stores them). */
export const LOGGED_REFUSAL_FIELDS = [
  'at',
  'transaction_id',
  'trace_id',
  'caller_oin',
  'keyid',
  'service_id',
  'processing_activity_id',
  'reason',
  'status',
  'fsc_error_code',
  'detail',
  'count',
] as const satisfies readonly (keyof LoggedRefusal)[];

/** One entry of a gateway's verifiable log: an access record, or the record of a refusal. */
export type LogEntry =
  | { readonly id: string; readonly record: unknown }
  | { readonly id: string; readonly refusal: LoggedRefusal };

/**
 * The leaf of any log entry: SHA-256(0x00 ‖ RFC 8785 JSON of `{ id, record }` or `{ id, refusal }`).
 * Refusals are in the tree too, so that the refusals an auditor's report counts are proven as well.
 */
export const logLeafHash = (entry: LogEntry): Uint8Array =>
  leafHash(
    canonicalJson(
      'record' in entry ? { id: entry.id, record: entry.record } : { id: entry.id, refusal: entry.refusal },
    ),
  );
