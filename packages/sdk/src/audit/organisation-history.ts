import type { Organisation, OrganisationKey } from '@poortwachter/protocol';
import type { RegistryChange } from './registry-history.ts';

/** When a key, or every key of an organisation, was revoked: the change and the moment it took effect. */
export interface Revocation {
  readonly serial: number;
  readonly from: number;
}

/**
 * A key as the change log recorded it. `known` holds the members a record stated in full (a `create` or
 * `update` record lists the keys; an `add-key` record of a registry before issue 28 holds only the kid).
 */
interface LoggedKey {
  readonly oin: string;
  readonly serial: number;
  known?: KeyFields;
  revoked?: Revocation;
}

interface LoggedOrganisation {
  readonly serial: number;
  /** What the last `create` or `update` wrote: the fields an organisation's own change sets. */
  fields: Record<string, unknown>;
  revoked?: Revocation;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** JSON with object members sorted, so that two records compare by content, not by member order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  return JSON.stringify(value ?? null);
}

/** The members of an organisation that its `create` and `update` set (keys and revocation have their own changes). */
const ORGANISATION_FIELDS = ['name', 'kind', 'roles', 'privacyContact', 'webOrigins'] as const;

/**
 * The members of `logged` that differ in `published`. Only members the logged record holds: a record
 * of a registry from before a member existed says nothing about it.
 */
export function differingMembers(published: object, logged: object, members: readonly string[]): string[] {
  const read = (o: object, m: string) => (o as Record<string, unknown>)[m];
  return members.filter((m) => m in logged && canonical(read(published, m)) !== canonical(read(logged, m)));
}

/** The members of a key the log can state: set when it is added, its certificate also by `certify-key`. */
interface KeyFields {
  validFrom?: string | undefined;
  validTo?: string | null;
  x5c?: readonly string[] | null;
}
const KEY_FIELDS = ['validFrom', 'validTo', 'x5c'] as const;

const keyFields = (key: Partial<OrganisationKey>): KeyFields => ({
  validFrom: key.validFrom,
  validTo: key.validTo ?? null,
  x5c: key.x5c ?? null,
});

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The organisations and their keys as the change log built them (`create`: the organisation with its
 * keys; `add-key`; `certify-key`; `revoke-key`; `revoke` of the whole organisation; `update`: the
 * organisation as it then was), fed change by change in the log's order.
 *
 * @example
 * const replay = new OrganisationReplay();
 * for (const change of changes) replay.apply(change);
 * findings.push(...replay.differences(directory.organisations, who));
 */
export class OrganisationReplay {
  readonly #organisations = new Map<string, LoggedOrganisation>();
  readonly #keys = new Map<string, LoggedKey>();

  apply(change: RegistryChange): void {
    if (change.entity !== 'organisation') return;
    const { record, serial, entityId: oin } = change;
    const kid = text(record.kid);
    const from = Date.parse(text(record.revokedAt) ?? change.changedAt);
    switch (change.action) {
      case 'create':
      case 'update': {
        const organisation = record as Partial<Organisation>;
        const logged = this.#organisations.get(oin);
        if (logged) logged.fields = record;
        else this.#organisations.set(oin, { serial, fields: record });
        for (const key of Array.isArray(organisation.keys) ? organisation.keys : []) {
          const known = this.#keys.get(key.kid);
          // An update lists the keys as the database then held them: it tells their members, but adds none.
          if (known) known.known = keyFields(key);
          else if (change.action === 'create') this.#keys.set(key.kid, { oin, serial, known: keyFields(key) });
        }
        return;
      }
      case 'add-key':
        if (kid)
          this.#keys.set(kid, {
            oin,
            serial,
            ...('validFrom' in record ? { known: keyFields(record as Partial<OrganisationKey>) } : {}),
          });
        return;
      case 'certify-key': {
        const key = kid ? this.#keys.get(kid) : undefined;
        if (key && Array.isArray(record.x5c)) key.known = { ...key.known, x5c: record.x5c as string[] };
        return;
      }
      case 'revoke-key': {
        const key = kid ? this.#keys.get(kid) : undefined;
        if (key && !key.revoked) key.revoked = { serial, from };
        return;
      }
      case 'revoke': {
        const organisation = this.#organisations.get(oin);
        if (organisation && !organisation.revoked) organisation.revoked = { serial, from };
        for (const key of this.#keys.values()) if (key.oin === oin && !key.revoked) key.revoked = { serial, from };
        return;
      }
    }
  }

  /** When the log says a key stopped signing (its own revocation, or its organisation's), if it did. */
  keyRevocation(kid: string): Revocation | undefined {
    return this.#keys.get(kid)?.revoked;
  }

  organisationRevocation(oin: string): Revocation | undefined {
    return this.#organisations.get(oin)?.revoked;
  }

  /** The key's end (validTo) as the log recorded it, in ms; undefined when open or not stated. */
  keyValidTo(kid: string): number | undefined {
    const validTo = this.#keys.get(kid)?.known?.validTo;
    return typeof validTo === 'string' ? Date.parse(validTo) : undefined;
  }

  /**
   * Each way the directory's organisations differ from the replayed log, in words: an organisation or
   * key no change created, one the log holds that is gone, a revocation undone, moved later or made by
   * no change, a key's validity or certificate that is not the one recorded, an organisation's name,
   * kind, roles or contact that no change wrote.
   */
  differences(organisations: readonly Organisation[], who: (oin: string) => string): string[] {
    const findings: string[] = [];
    const listed = new Set<string>();
    for (const organisation of organisations) {
      const name = `${organisation.name} (${organisation.oin})`;
      const logged = this.#organisations.get(organisation.oin);
      if (!logged) {
        findings.push(
          `organisation ${name} is in the directory, but no change of the change log created it: it was written past the registry's API.`,
        );
      } else {
        const differ = differingMembers(organisation, logged.fields, ORGANISATION_FIELDS);
        if (differ.length > 0)
          findings.push(
            `organisation ${name} has another ${differ.join(' and ')} in the directory than its last create or update in the change log wrote: it was changed past the registry's API.`,
          );
        if (!logged.revoked && organisation.revokedAt)
          findings.push(
            `organisation ${name} is revoked from ${organisation.revokedAt} in the directory, but no change of the change log revoked it: it was revoked past the registry's API.`,
          );
        if (logged.revoked && !(organisation.revokedAt && Date.parse(organisation.revokedAt) <= logged.revoked.from))
          findings.push(
            `organisation ${name} is ${organisation.revokedAt ? `revoked from ${organisation.revokedAt}` : 'not revoked'} in the directory, but change ${logged.revoked.serial} revoked it from ${iso(logged.revoked.from)}: the revocation was undone past the registry's API.`,
          );
      }
      for (const key of organisation.keys ?? []) {
        listed.add(key.kid);
        const recorded = this.#keys.get(key.kid);
        if (!recorded) {
          findings.push(
            `key ${key.kid} of ${name} is in the directory, but no change of the change log added it: it was written past the registry's API.`,
          );
          continue;
        }
        if (recorded.oin !== organisation.oin)
          findings.push(
            `key ${key.kid} is listed under ${name} in the directory, but change ${recorded.serial} added it to ${who(recorded.oin)}.`,
          );
        const revoked = recorded.revoked;
        // Its own `revoke-key` (by the organisation or the operator alike) or its organisation's `revoke`.
        if (!revoked && (key.status === 'revoked' || key.revokedAt))
          findings.push(
            `key ${key.kid} of ${name} is revoked${key.revokedAt ? ` from ${key.revokedAt}` : ''} in the directory, but no change of the change log revoked it: it was revoked past the registry's API.`,
          );
        if (revoked && !(key.status === 'revoked' && key.revokedAt && Date.parse(key.revokedAt) <= revoked.from))
          findings.push(
            `key ${key.kid} of ${name} is ${key.status === 'revoked' ? `revoked only from ${key.revokedAt}` : 'active'} in the directory, but change ${revoked.serial} revoked it from ${iso(revoked.from)}: the revocation was undone past the registry's API.`,
          );
        // Earlier than recorded is no less an edit: it would make the key's signatures since then stop
        // counting, which `registry verify` shows only as information (discounted by a revoke).
        else if (revoked && key.revokedAt && Date.parse(key.revokedAt) < revoked.from)
          findings.push(
            `key ${key.kid} of ${name} is revoked from ${key.revokedAt} in the directory, but change ${revoked.serial} revoked it from ${iso(revoked.from)}: the revocation was moved earlier past the registry's API.`,
          );
        const what = differingMembers(keyFields(key), recorded.known ?? {}, KEY_FIELDS);
        if (what.length > 0)
          findings.push(
            `key ${key.kid} of ${name} has another ${what.join(' and ')} in the directory than the change log recorded (change ${recorded.serial} and later): it was changed past the registry's API.`,
          );
      }
    }
    for (const [kid, key] of this.#keys)
      if (!listed.has(kid))
        findings.push(
          `key ${kid} of ${who(key.oin)} (added in change ${key.serial}) is not in the directory: it was deleted past the registry's API.`,
        );
    for (const [oin, organisation] of this.#organisations)
      if (!organisations.some((o) => o.oin === oin))
        findings.push(
          `organisation ${who(oin)} (created in change ${organisation.serial}) is not in the directory: it was deleted past the registry's API.`,
        );
    return findings;
  }
}
