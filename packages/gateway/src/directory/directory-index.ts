import type {
  Autorisatie,
  CatalogueField,
  DirectorySnapshot,
  Grondslag,
  Organisation,
  OrganisationKey,
  ProcessingActivity,
  Quota,
  SearchParameter,
  Service,
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
  /** Per service, per afnemer, the largest quota its bronhouder granted (two lookups, no key to build). */
  readonly #quotas = new Map<string, Map<string, Quota>>();

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
      if (autorisatie.quota && autorisatie.revokedAt === null) this.#grantQuota(autorisatie, autorisatie.quota);
    }
  }

  /** The quota the bronhouder granted `afnemerOin` at `serviceId`, if any (else the gateway's default). */
  quota(serviceId: string, afnemerOin: string): Quota | undefined {
    return this.#quotas.get(serviceId)?.get(afnemerOin);
  }

  #grantQuota(autorisatie: Autorisatie, quota: Quota) {
    const byAfnemer = this.#quotas.get(autorisatie.serviceId) ?? new Map<string, Quota>();
    this.#quotas.set(autorisatie.serviceId, byAfnemer);
    const held = byAfnemer.get(autorisatie.afnemerOin);
    if (!held || quota.requestsPerSecond > held.requestsPerSecond || quota.burst > held.burst) {
      byAfnemer.set(autorisatie.afnemerOin, {
        requestsPerSecond: Math.max(quota.requestsPerSecond, held?.requestsPerSecond ?? 0),
        burst: Math.max(quota.burst, held?.burst ?? 0),
      });
    }
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
