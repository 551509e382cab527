import type { PublicJwk } from './public-jwk.ts';
import type { ServiceDescription } from './service-description.ts';
import type {
  AssuranceLevel,
  AvgBasis,
  AvgCategory,
  BioLevel,
  OrganisationKind,
  OrganisationRole,
  Protocol,
  Vertrouwelijkheid,
} from './vocabulary.ts';

/** The registry's records as the API and the directory show them (camelCase, ISO timestamps). */

export interface OrganisationKey {
  readonly kid: string;
  readonly jwk: PublicJwk;
  readonly status: 'active' | 'revoked';
  readonly revokedAt: string | null;
  readonly validFrom: string;
  readonly validTo: string | null;
  /**
   * The key's X.509 certificate chain (base64 DER, leaf first, RFC 7517 `x5c`): the leaf holds this key
   * and names the organisation's OIN in its subject's serialNumber; the chain leads to a trust anchor.
   */
  readonly x5c?: readonly string[];
  /** A compact JWS by another anchored key of the organisation vouching for this one (key continuity). */
  readonly endorsement?: string;
}

/**
 * Whom a citizen contacts about what an organisation did with their data (the functionaris
 * gegevensbescherming or privacy desk), and where to ask for a correction. At least one way to reach it.
 */
export interface PrivacyContact {
  /** Who it is, in words: "Functionaris gegevensbescherming van de gemeente Utrecht". */
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
  /** A page with the form or the steps to ask a question or a correction. */
  readonly url?: string;
}

export interface Organisation {
  readonly oin: string;
  readonly name: string;
  readonly kind: OrganisationKind;
  readonly roles: readonly OrganisationRole[];
  readonly keys: readonly OrganisationKey[];
  readonly revokedAt: string | null;
  /** Absent in snapshots of registries before issue 14; null when none is registered. */
  readonly privacyContact?: PrivacyContact | null;
  /**
   * Origins (`https://mijn.example.nl`) of the web pages this organisation runs that may call the
   * gateways' citizen endpoints from a browser: the gateways allow CORS for these origins only.
   */
  readonly webOrigins?: readonly string[];
}

/**
 * How the source delivers a field that is never asked for (the BRP's "automatisch geleverd"), and so
 * how the gateway decides whether it belongs to an answer:
 * - `always`: with every person that has it (geheimhoudingPersoonsgegevens, opschortingBijhouding);
 * - `besideRequested`: an object of that name beside released fields, holding a flag per field
 *   (`naam.inOnderzoek.voornamen`): only the flags of released fields, and its dates when one is;
 * - `byCategory`: entries of a list whose `member` names a category, delivered when a released
 *   field lies under one of that category's paths (`rni`, by `categorie`).
 */
export type AutomaticDelivery =
  | { readonly rule: 'always' }
  | { readonly rule: 'besideRequested' }
  | {
      readonly rule: 'byCategory';
      readonly member: string;
      readonly categories: Readonly<Record<string, readonly string[]>>;
    };

/** One releasable field of a service, with its classification and a label a citizen understands. */
export interface CatalogueField {
  readonly path: string;
  readonly label: string;
  /** A word that groups fields for a citizen ("naam", "adres", "geboorte"). */
  readonly group: string;
  readonly avgCategory: AvgCategory;
  readonly bioLevel: BioLevel;
  /** Set for a field the source delivers unasked: it cannot be authorised or asked for, only delivered. */
  readonly automatic?: AutomaticDelivery;
}

/**
 * A search parameter of a service and the data it selects on: a search that filters on a datum
 * reveals that datum through its hits, so an afnemer may use the parameter only when its autorisatie
 * covers every path in `selects`.
 */
export interface SearchParameter {
  /** The body member (`geslacht`, `inclusiefOverledenPersonen`). */
  readonly name: string;
  /** Catalogue paths the parameter filters on. */
  readonly selects: readonly string[];
  /** A value that filters nothing (the protocol's default, `false` for inclusiefOverledenPersonen): allowed to anyone. */
  readonly neutral?: string | number | boolean;
}

export interface Service {
  readonly id: string;
  readonly providerOin: string;
  readonly name: string;
  readonly gatewayUrl: string;
  readonly protocol: Protocol;
  readonly fieldCatalogue: readonly CatalogueField[];
  /** Dot paths in a response where data-subject ids (BSNs) sit, e.g. `personen.burgerservicenummer`. */
  readonly dataSubjectPaths: readonly string[];
  /** Every search parameter the service accepts, with what it selects on; an undeclared one is refused. */
  readonly searchParameters: readonly SearchParameter[];
  /**
   * The service's API as data (operations, parameters, links, relations, subjects): required for a
   * `haal-centraal-hal` service; absent for a `brp-personen-v2` one, whose profile knows its operations.
   */
  readonly description?: ServiceDescription;
  /** What the service offers the citizen the data is about: their own data, and corrections (issue 29). */
  readonly betrokkene?: ServiceBetrokkene;
  readonly revokedAt: string | null;
}

/**
 * What a service offers the betrokkene (the citizen the data is about) themselves. Both activities are
 * the bronhouder's own (`responsibleOin` is the service's provider): the registry checks it, and the
 * gateway checks it again before it serves the citizen.
 */
export interface ServiceBetrokkene {
  /** The verwerkingsactiviteit "Inzage door de betrokkene" (AVG art. 15): the citizen's own reads are logged under it. */
  readonly inzageActivityId: string;
  /** The operation that finds the citizen's own data by their BSN (`RaadpleegMetBurgerservicenummer`, `ZoekKadastraalOnroerendeZakenMetBsn`). */
  readonly operation: string;
  /** The verwerkingsactiviteit for handling terugmeldingen and correctieverzoeken (AVG art. 16, Wet BRP art. 2.34). */
  readonly terugmeldingActivityId: string;
  /**
   * Catalogue paths (or the groups above them) whose data is about another person than the betrokkene,
   * where the answer holds no data-subject id of its own for them (the BRP's `partners`, `ouders`,
   * `kinderen`): `ownFields` leaves them out, so a citizen's own data never holds them.
   */
  readonly anderePersonen?: readonly string[];
}

export interface Grondslag {
  readonly id: string;
  readonly title: string;
  readonly lawName: string;
  readonly article: string;
  readonly bwbId: string;
  readonly url: string;
  readonly avgBasis: AvgBasis;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly revokedAt: string | null;
}

export interface ProcessingActivityVersion {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly doel: string;
  readonly grondslagIds: readonly string[];
  readonly responsibleOin: string;
  readonly bewaartermijn: string;
  readonly vertrouwelijkheid: Vertrouwelijkheid;
  readonly validFrom: string;
  readonly revokedAt: string | null;
  readonly recordedAt: string;
}

export interface ProcessingActivity {
  readonly id: string;
  /** All versions, oldest first; each is in force from its `validFrom` until the next one's. */
  readonly versions: readonly ProcessingActivityVersion[];
}

/** An organisation as an answer names it. */
export interface PartyName {
  readonly oin: string;
  readonly name: string;
}

/**
 * A contract that a new version of its verwerkingsactiviteit stopped: it granted just before the
 * version took effect and no longer does after it (`grantsAt`), since it was signed for an earlier one.
 */
export interface ContractNoLongerBinding {
  /** The contract's content hash (as `GET /v1/contracts/{hash}` names it). */
  readonly hash: string;
  readonly serviceId: string;
  /** The version of the verwerkingsactiviteit it was signed for. */
  readonly processingActivityVersion: number;
  readonly grondslagId: string;
  /** The other party, whose acceptance a new contract needs. */
  readonly bronhouder: PartyName;
  /** For a delegated contract: the organisation that calls on it for the activity's organisation. */
  readonly delegate?: PartyName;
}

/**
 * The registry's answer to a new version of a verwerkingsactiviteit (`PUT /v1/processing-activities/{id}`):
 * the activity with all its versions, and the contracts that stopped holding because of the new one
 * (empty when none).
 */
export interface ProcessingActivityChange extends ProcessingActivity {
  readonly contractsNoLongerBinding: readonly ContractNoLongerBinding[];
}

/**
 * How much an afnemer may ask of a service: a steady rate and the burst it may spend at once (a token
 * bucket per afnemer at each gateway instance). The bronhouder's decision, so it sits on the autorisatie.
 */
export interface Quota {
  readonly requestsPerSecond: number;
  readonly burst: number;
}

export interface Autorisatie {
  readonly id: string;
  readonly afnemerOin: string;
  readonly serviceId: string;
  readonly processingActivityId: string;
  /**
   * The version of the verwerkingsactiviteit the parties signed for: it grants only while that version
   * is the one in force (`bindsVersion`). A new version, even by the afnemer alone, needs a new contract.
   */
  readonly processingActivityVersion: number;
  /** The grondslag the parties signed for: one of that version's grondslagen. */
  readonly grondslagId: string;
  readonly fields: readonly string[];
  readonly searchTypes: readonly string[];
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly revokedAt: string | null;
  /**
   * The afnemer's quota at the service's gateways, when the bronhouder granted one (absent: the
   * gateway's default). Of several autorisaties of one afnemer for one service, the largest counts.
   */
  readonly quota?: Quota;
  /** For a delegated contract: the organisation responsible for the calls (the afnemer is its delegate). */
  readonly delegatorOin?: string;
  /** Who accepted the contract this autorisatie comes from, and when (set by `trustDirectory`). */
  readonly acceptedBy?: readonly { readonly oin: string; readonly signedAt: string }[];
}

export interface IdentityProvider {
  readonly issuer: string;
  readonly name: string;
  readonly jwks: { readonly keys: readonly PublicJwk[] };
  readonly audience: string;
  readonly minimumAssurance: AssuranceLevel;
  /**
   * Its token introspection endpoint (RFC 7662), when it has one: a gateway asks it for every citizen
   * token, so that a token whose session ended (the citizen logged out) is refused at once. Without it
   * a token is good until it expires.
   */
  readonly introspectionEndpoint?: string;
  readonly revokedAt: string | null;
}
