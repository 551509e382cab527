import {
  type Autorisatie,
  type CatalogueField,
  type DirectorySnapshot,
  type Grondslag,
  grantsAt,
  type Organisation,
  type OrganisationKey,
  type ProcessingActivity,
  type Quota,
  type SearchParameter,
  type Service,
  versionAt,
} from '@poortwachter/protocol';

/**
 * Lookups over one verified directory snapshot, built once per snapshot so that the hot path does
 * map lookups, not scans.
 */
export class DirectoryIndex {
  readonly keys = new Map<string, { organisation: Organisation; key: OrganisationKey }>();
  readonly organisations = new Map<string, Organisation>();
  readonly services = new Map<string, Service>();
  readonly processingActivities = new Map<string, ProcessingActivity>();
  readonly grondslagen = new Map<string, Grondslag>();
  /** Per service, the paths of its catalogue that can be authorised and asked for (for deciding `fields`). */
  readonly cataloguePaths = new Map<string, readonly string[]>();
  /** Per service, the fields its source delivers unasked, with how. */
  readonly automaticFields = new Map<string, readonly CatalogueField[]>();
  /** Per service, its declared search parameters by name. */
  readonly searchParameters = new Map<string, ReadonlyMap<string, SearchParameter>>();
  readonly #autorisaties = new Map<string, Autorisatie[]>();
  /** Per service, per afnemer, the unrevoked autorisaties that carry a quota (two lookups, no key to build). */
  readonly #quotas = new Map<string, Map<string, Autorisatie[]>>();

  constructor(readonly snapshot: DirectorySnapshot) {
    for (const organisation of snapshot.organisations) {
      this.organisations.set(organisation.oin, organisation);
      for (const key of organisation.keys) this.keys.set(key.kid, { organisation, key });
    }
    for (const service of snapshot.services) {
      this.services.set(service.id, service);
      this.cataloguePaths.set(
        service.id,
        service.fieldCatalogue.filter((f) => !f.automatic).map((f) => f.path),
      );
      this.automaticFields.set(
        service.id,
        service.fieldCatalogue.filter((f) => f.automatic),
      );
      // A directory from before search parameters were declared has none: every parameter is then refused.
      this.searchParameters.set(service.id, new Map((service.searchParameters ?? []).map((p) => [p.name, p])));
    }
    for (const activity of snapshot.processing_activities) this.processingActivities.set(activity.id, activity);
    for (const grondslag of snapshot.grondslagen) this.grondslagen.set(grondslag.id, grondslag);
    for (const autorisatie of snapshot.autorisaties) {
      const key = autorisatieKey(autorisatie.afnemerOin, autorisatie.serviceId, autorisatie.processingActivityId);
      this.#autorisaties.set(key, [...(this.#autorisaties.get(key) ?? []), autorisatie]);
      if (autorisatie.quota && autorisatie.revokedAt === null) {
        const byAfnemer = this.#quotas.get(autorisatie.serviceId) ?? new Map<string, Autorisatie[]>();
        this.#quotas.set(
          autorisatie.serviceId,
          byAfnemer.set(autorisatie.afnemerOin, [...(byAfnemer.get(autorisatie.afnemerOin) ?? []), autorisatie]),
        );
      }
    }
  }

  /**
   * The quota the bronhouder granted `afnemerOin` at `serviceId` on the contracts that grant at `at`
   * (`grantsAt`: a contract not yet valid, expired or signed for another version of its activity grants
   * no access, so no quota either), the largest of each; else undefined (the gateway's default). Runs per
   * call: a map lookup and a check of the few contracts with a quota of one afnemer at one service.
   *
   * @example directory.quota('brp-personen', afnemerOin, new Date().toISOString()) // { requestsPerSecond: 5, burst: 10 }
   */
  quota(serviceId: string, afnemerOin: string, at: string): Quota | undefined {
    let granted: Quota | undefined;
    for (const autorisatie of this.#quotas.get(serviceId)?.get(afnemerOin) ?? []) {
      const activity = this.processingActivities.get(autorisatie.processingActivityId);
      const version = activity && versionAt(activity, at);
      if (!autorisatie.quota || !version || !grantsAt(autorisatie, version, at)) continue;
      granted = {
        requestsPerSecond: Math.max(autorisatie.quota.requestsPerSecond, granted?.requestsPerSecond ?? 0),
        burst: Math.max(autorisatie.quota.burst, granted?.burst ?? 0),
      };
    }
    return granted;
  }

  get serial(): number {
    return this.snapshot.serial;
  }

  /**
   * Whether `delegateOin` may call under `delegatorOin`'s activity: an unrevoked autorisatie of a delegated
   * contract (which the delegator signed too) names them both. Scans: for binding, not for the hot path.
   */
  delegates(delegateOin: string, activityId: string, delegatorOin: string): boolean {
    return this.snapshot.autorisaties.some(
      (a) =>
        a.afnemerOin === delegateOin &&
        a.processingActivityId === activityId &&
        a.delegatorOin === delegatorOin &&
        a.revokedAt === null,
    );
  }

  /** All autorisaties (any validity) for one afnemer, service and processing activity. */
  autorisaties(afnemerOin: string, serviceId: string, processingActivityId: string): readonly Autorisatie[] {
    return this.#autorisaties.get(autorisatieKey(afnemerOin, serviceId, processingActivityId)) ?? [];
  }
}

const autorisatieKey = (afnemer: string, service: string, activity: string) => `${afnemer}\n${service}\n${activity}`;
