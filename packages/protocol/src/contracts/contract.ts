import { createHash } from 'node:crypto';
import { toBase64Url } from '../bytes.ts';
import type { Quota } from '../domain/model.ts';
import { canonicalJson } from '../merkle/hashes.ts';

/**
 * An autorisatie as a contract both sides sign, in the shape of FSC's contracts (Core, "Contract"): the
 * content is immutable and named by its hash; a change is a new contract. One grant per contract, a
 * ServiceConnectionGrant or a DelegatedServiceConnectionGrant, whose `properties` (FSC's extension point)
 * carry what the afnemer may ask: the verwerkingsactiviteit, the grondslag, the fields and search types.
 */

/** What the afnemer may ask under a contract: FSC's `grant.data.properties`. */
export interface ContractProperties {
  /** The verwerkingsactiviteit: the afnemer's own, or the delegator's when the grant is delegated. */
  readonly processing_activity_id: string;
  readonly processing_activity_version: number;
  readonly grondslag_id: string;
  /** Catalogue paths of the service. */
  readonly fields: readonly string[];
  readonly search_types: readonly string[];
  /** The afnemer's quota at the service's gateways, the bronhouder's grant (absent: the gateway's default). */
  readonly quota?: Quota;
}

export const GRANT_TYPES = ['GRANT_TYPE_SERVICE_CONNECTION', 'GRANT_TYPE_DELEGATED_SERVICE_CONNECTION'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

export interface ServiceConnectionGrant {
  readonly data: {
    readonly type: GrantType;
    /** The service and its bronhouder (FSC: the service's peer). */
    readonly service: { readonly peer_id: string; readonly name: string };
    /** Who calls: the afnemer, or the delegate that calls for the delegator. */
    readonly outway: { readonly peer_id: string };
    /** The organisation responsible for the calls a delegate makes (delegated grants only). */
    readonly delegator?: { readonly peer_id: string };
    readonly properties: ContractProperties;
  };
}

export const HASH_ALGORITHM = 'HASH_ALGORITHM_SHA3_512';

export interface ContractContent {
  /** A UUID: two contracts with the same terms still have different hashes. */
  readonly iv: string;
  /** The FSC group: the registry's. */
  readonly group_id: string;
  /** Unix seconds; `not_before < not_after`. */
  readonly validity: { readonly not_before: number; readonly not_after: number };
  readonly grants: readonly [ServiceConnectionGrant];
  readonly hash_algorithm: typeof HASH_ALGORITHM;
  /** Unix seconds. */
  readonly created_at: number;
}

/** A contract as the registry stores and serves it and the directory carries it: content, hash, signatures. */
export interface SignedContract {
  readonly hash: string;
  readonly content: ContractContent;
  /** Compact JWS, one per signature (accept, reject, revoke), in any order. */
  readonly signatures: readonly string[];
}

/**
 * The content hash as FSC defines it: `$1$1$` (SHA3-512, HASH_TYPE_CONTRACT) and the base64url of the
 * hash of the content's RFC 8785 canonical JSON.
 *
 * @example
 * contentHash(content); // '$1$1$3kQ…'
 */
export function contentHash(content: ContractContent): string {
  const digest = createHash('sha3-512').update(canonicalJson(content)).digest();
  return `$1$1$${toBase64Url(digest)}`;
}

/** FSC's hash types of the grants a contract here holds (Core, "Type mappings": HashType). */
const GRANT_HASH_TYPES: Record<GrantType, number> = {
  GRANT_TYPE_SERVICE_CONNECTION: 3,
  GRANT_TYPE_DELEGATED_SERVICE_CONNECTION: 4,
};

/**
 * The grant hash of the contract's one grant as FSC defines it (Core, "Grant hash"), what an
 * application names a grant with (`Fsc-Grant-Hash`): `$1$` (SHA3-512), the grant's hash type (`3$` a
 * ServiceConnectionGrant, `4$` a DelegatedServiceConnectionGrant) and the base64url SHA3-512 of the
 * content hash (`$1$1$…`, so the `iv` ties it to this one contract) followed by the RFC 8785 canonical
 * JSON of `grant.data`.
 *
 * @example
 * contractGrantHash(content); // '$1$3$Wm9…'
 */
export function contractGrantHash(content: ContractContent): string {
  const { data } = content.grants[0];
  const digest = createHash('sha3-512')
    .update(contentHash(content) + canonicalJson(data))
    .digest();
  return `$1$${GRANT_HASH_TYPES[data.type]}$${toBase64Url(digest)}`;
}

/** The parties of a contract: every OIN in `required` must accept it before it is in force. */
export interface ContractParties {
  readonly afnemer: string;
  readonly bronhouder: string;
  readonly delegator?: string;
  readonly required: readonly string[];
}

export function contractParties(content: ContractContent): ContractParties {
  const { data } = content.grants[0];
  const delegator = data.delegator?.peer_id;
  const required = [...new Set([data.outway.peer_id, data.service.peer_id, ...(delegator ? [delegator] : [])])];
  return {
    afnemer: data.outway.peer_id,
    bronhouder: data.service.peer_id,
    ...(delegator ? { delegator } : {}),
    required,
  };
}

/** Why a contract's content or a signature is not acceptable; `member` names the JSON member (dot path). */
export class ContractError extends Error {
  constructor(
    readonly member: string,
    message: string,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

const OIN = /^[0-9]{20}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

function object(value: unknown, member: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ContractError(member, `${member} must be an object.`);
  return value as Record<string, unknown>;
}

function only(value: Record<string, unknown>, member: string, allowed: readonly string[]) {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      throw new ContractError(
        member ? `${member}.${key}` : key,
        `${key} is not a member of ${member || 'the content'}.`,
      );
  }
}

function string(value: unknown, member: string, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new ContractError(member, `${member} must be ${what}.`);
  return value;
}

function seconds(value: unknown, member: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    throw new ContractError(member, `${member} must be a time in whole seconds since 1970 (Unix time).`);
  return value as number;
}

function strings(value: unknown, member: string, max: number): string[] {
  if (!Array.isArray(value) || value.length > max)
    throw new ContractError(member, `${member} must be a list of at most ${max} texts.`);
  for (const [i, item] of value.entries()) {
    string(item, `${member}.${i}`, /^[A-Za-z0-9._-]{1,200}$/, 'a name of letters, digits, dots, dashes or underscores');
  }
  if (new Set(value).size !== value.length) throw new ContractError(member, `${member} names a value twice.`);
  return value as string[];
}

/**
 * Checks that `value` is contract content of this version, member by member (unknown members refused, so
 * that nothing unsigned-for rides along); throws a ContractError naming the first wrong member. It does
 * not check that the service, activity or fields exist: that is the registry's check against its records.
 */
export function checkContentShape(value: unknown): ContractContent {
  const content = object(value, 'content');
  only(content, '', ['iv', 'group_id', 'validity', 'grants', 'hash_algorithm', 'created_at']);
  string(content.iv, 'iv', UUID, 'a UUID');
  string(content.group_id, 'group_id', ID, 'the group id');
  const validity = object(content.validity, 'validity');
  only(validity, 'validity', ['not_before', 'not_after']);
  const from = seconds(validity.not_before, 'validity.not_before');
  const to = seconds(validity.not_after, 'validity.not_after');
  if (to <= from)
    throw new ContractError('validity.not_after', 'validity.not_after must be later than validity.not_before.');
  if (content.hash_algorithm !== HASH_ALGORITHM)
    throw new ContractError('hash_algorithm', `hash_algorithm must be ${HASH_ALGORITHM}.`);
  seconds(content.created_at, 'created_at');
  if (!Array.isArray(content.grants) || content.grants.length !== 1)
    throw new ContractError('grants', 'grants must hold exactly one grant.');
  const grant = object(content.grants[0], 'grants.0');
  only(grant, 'grants.0', ['data']);
  const data = object(grant.data, 'grants.0.data');
  const at = (m: string) => `grants.0.data.${m}`;
  only(data, 'grants.0.data', ['type', 'service', 'outway', 'delegator', 'properties']);
  if (!GRANT_TYPES.includes(data.type as GrantType))
    throw new ContractError(at('type'), `type must be one of ${GRANT_TYPES.join(', ')}.`);
  const service = object(data.service, at('service'));
  only(service, at('service'), ['peer_id', 'name']);
  string(service.peer_id, at('service.peer_id'), OIN, 'an OIN (20 digits)');
  string(service.name, at('service.name'), ID, 'a service id');
  const outway = object(data.outway, at('outway'));
  only(outway, at('outway'), ['peer_id']);
  string(outway.peer_id, at('outway.peer_id'), OIN, 'an OIN (20 digits)');
  const delegated = data.type === 'GRANT_TYPE_DELEGATED_SERVICE_CONNECTION';
  if (delegated) {
    const delegator = object(data.delegator, at('delegator'));
    only(delegator, at('delegator'), ['peer_id']);
    string(delegator.peer_id, at('delegator.peer_id'), OIN, 'an OIN (20 digits)');
    if (delegator.peer_id === outway.peer_id)
      throw new ContractError(at('delegator.peer_id'), 'A delegator cannot delegate to itself.');
  } else if (data.delegator !== undefined) {
    throw new ContractError(at('delegator'), 'Only a GRANT_TYPE_DELEGATED_SERVICE_CONNECTION has a delegator.');
  }
  const properties = object(data.properties, at('properties'));
  const p = (m: string) => at(`properties.${m}`);
  only(properties, at('properties'), [
    'processing_activity_id',
    'processing_activity_version',
    'grondslag_id',
    'fields',
    'search_types',
    'quota',
  ]);
  string(properties.processing_activity_id, p('processing_activity_id'), ID, 'a verwerkingsactiviteit id');
  if (
    !Number.isSafeInteger(properties.processing_activity_version) ||
    (properties.processing_activity_version as number) < 1
  )
    throw new ContractError(
      p('processing_activity_version'),
      'processing_activity_version must be a version number (1 or more).',
    );
  string(properties.grondslag_id, p('grondslag_id'), ID, 'a grondslag id');
  const fields = strings(properties.fields, p('fields'), 500);
  if (fields.length === 0) throw new ContractError(p('fields'), 'fields must name at least one field.');
  strings(properties.search_types, p('search_types'), 50);
  if (properties.quota !== undefined) {
    const quota = object(properties.quota, p('quota'));
    only(quota, p('quota'), ['requestsPerSecond', 'burst']);
    for (const m of ['requestsPerSecond', 'burst'] as const) {
      const n = quota[m];
      if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || n > 1_000_000)
        throw new ContractError(p(`quota.${m}`), `quota.${m} must be a positive number.`);
    }
  }
  return content as unknown as ContractContent;
}
