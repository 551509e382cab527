import { type DirectorySnapshot, type SignedChangesPage, verifyChangesPage } from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { type CallControl, type CallDefaults, controlledCall } from '../call-control.ts';

/** One entry of the registry's change log (`GET /v1/changes`): the record as written by that change. */
export type RegistryChange = SignedChangesPage['changes'][number];

/** Where the auditor's report gets the registry's history from. */
export interface RegistryHistory {
  /** Every change, oldest first. */
  changes(control?: CallControl): Promise<readonly RegistryChange[]>;
  /** Where the history came from, as the report states it. */
  readonly source: string;
}

/**
 * The registry's change log over HTTP, paged by serial. With the pinned `registryKey` every page is
 * asked for signed (`Accept: application/jose`) and verified like the directory, so the history a
 * report replays is the registry's own. The report asks for it on every run: it is small (one entry
 * per registry change, not per access) and must be current.
 */
export function registryHistory(
  options: CallDefaults & {
    registryUrl: string;
    registryKey?: JWK | { keys: JWK[] };
  },
): RegistryHistory {
  const base = options.registryUrl.replace(/\/+$/, '');
  const key = options.registryKey;
  return {
    source: `${base}/v1/changes${key ? ' (signed by the registry, verified)' : ' (unsigned)'}`,
    changes: (control) =>
      controlledCall('registryHistory.changes', options, control, (fetchImpl) => changesWith(fetchImpl)),
  };
  async function changesWith(fetchImpl: typeof globalThis.fetch): Promise<RegistryChange[]> {
    const all: RegistryChange[] = [];
    for (let after = 0; ; ) {
      const res = await fetchImpl(`${base}/v1/changes?afterSerial=${after}`, {
        headers: { accept: key ? 'application/jose' : 'application/json' },
      });
      if (!res.ok) throw new Error(`The registry's change log answered ${res.status}.`);
      const page = key
        ? (await verifyChangesPage(await res.text(), key)).changes
        : ((await res.json()) as RegistryChange[]);
      all.push(...page);
      const last = page.at(-1);
      if (!last || page.length < 1000) return all;
      after = last.serial;
    }
  }
}

/**
 * A history made of the snapshot alone (every record as if it had always been as it is now), for a
 * gateway without a registry URL (tests, a static directory). The report says so.
 */
export function snapshotHistory(snapshot: () => DirectorySnapshot): RegistryHistory {
  return {
    source: 'directory snapshot only (no registry history configured)',
    async changes() {
      const s = snapshot();
      const since = '0000-01-01T00:00:00.000Z';
      return [
        ...s.autorisaties.map((a, i) => ({
          serial: i,
          changedAt: since,
          entity: 'autorisatie',
          entityId: a.id,
          action: 'create',
          record: { ...a },
        })),
        ...s.grondslagen.map((g, i) => ({
          serial: i,
          changedAt: since,
          entity: 'grondslag',
          entityId: g.id,
          action: 'create',
          record: { ...g },
        })),
      ];
    },
  };
}

/** The validity fields of an autorisatie or grondslag, as a change wrote them. */
export interface ValidityState {
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly revokedAt: string | null;
  readonly [key: string]: unknown;
}

/**
 * Per record, its states in the order the registry knew them: `knownAt(id, t)` is the record as the
 * registry showed it at moment t (the last change at or before t), which is what a gateway decided on.
 */
export class StateTimeline {
  readonly #states = new Map<string, { at: number; state: ValidityState }[]>();

  constructor(changes: readonly RegistryChange[], entity: string) {
    for (const change of changes) {
      if (change.entity !== entity) continue;
      const states = this.#states.get(change.entityId) ?? [];
      const previous = states.at(-1)?.state;
      const { previous: _p, ...record } = change.record;
      // Create and update write the whole record; a revocation writes only `revokedAt`.
      const state =
        change.action === 'revoke' && previous
          ? { ...previous, ...record }
          : ({ validTo: null, revokedAt: null, ...record } as ValidityState);
      states.push({ at: Date.parse(change.changedAt), state });
      this.#states.set(change.entityId, states);
    }
  }

  ids(): IterableIterator<string> {
    return this.#states.keys();
  }

  knownAt(id: string, t: number): ValidityState | undefined {
    return this.#states
      .get(id)
      ?.filter((s) => s.at <= t)
      .at(-1)?.state;
  }

  /** Every moment at which anything about the record changed or its validity starts or ends. */
  moments(id: string): number[] {
    return (this.#states.get(id) ?? []).flatMap(({ at, state }) =>
      [at, state.validFrom, state.validTo, state.revokedAt].flatMap((m) =>
        typeof m === 'number' ? [m] : typeof m === 'string' ? [Date.parse(m)] : [],
      ),
    );
  }
}
