/**
 * What a gateway needs to know of a service's API, as data in the registry (issue 26): the operations
 * an afnemer may call, their parameters and what each selects on, where the resources sit in an
 * answer, which links and relations they carry and where the data subjects are. The conventions an API
 * family shares (how `fields`, `expand`, errors and collections are written) are not here: they are the
 * family's profile, named by `Service.protocol`.
 *
 * Catalogue paths of a service with more than one kind of resource start with the resource's name
 * (`kadastraalOnroerendeZaak.koopsom.koopsom`, `zakelijkGerechtigde.tenaamstelling.aandeel`); a service
 * with one kind (the BRP's persons) has `resource: ''` and bare paths (`naam.voornamen`).
 */

/** Where an operation reads a parameter from. */
export const PARAMETER_LOCATIONS = ['path', 'query', 'body'] as const;
export type ParameterLocation = (typeof PARAMETER_LOCATIONS)[number];

/** HTTP methods an operation may have: reads only. */
export const OPERATION_METHODS = ['GET', 'POST'] as const;
export type OperationMethod = (typeof OPERATION_METHODS)[number];

/**
 * One parameter of an operation and the data it selects on: a search that filters on a datum reveals
 * that datum through its hits, so an afnemer may use it only when its autorisatie covers every path in
 * `selects` (catalogue paths, with the resource prefix).
 */
export interface OperationParameter {
  /** Its name on the wire (`postcode`, `kadastraalOnroerendeZaakIdentificatie`, `burgerservicenummer`). */
  readonly name: string;
  readonly in: ParameterLocation;
  readonly required?: boolean;
  /** Catalogue paths it filters on; a parameter that filters on nothing is not declared (fail closed). */
  readonly selects: readonly string[];
  /** A value that filters nothing (the protocol's default): allowed to anyone. */
  readonly neutral?: string | number | boolean;
  /** A regular expression (without flags) every value must match: path parameters always have one. */
  readonly pattern?: string;
  /** When it holds a data subject's identifier: its type (`BSN`), so that the record names the subject. */
  readonly subjectType?: string;
  /**
   * The API takes no `expand` beside this parameter (the BRK's search by a person: "geeft geen
   * informatie over zakelijk gerechtigden"): the caller's `expand` is refused, and the gateway asks for
   * no `subjectExpand` either; the subjects are the parameter's (`subjectType`).
   */
  readonly withoutExpand?: boolean;
}

/**
 * A link relation a resource carries in `_links` (HAL). Its `href` names identifiers, so a link is
 * released only when the autorisatie covers every path in `reveals`, and those paths are then logged
 * as released. A relation the description does not name never leaves the gateway.
 */
export interface ResourceLink {
  /** The member of `_links` (`self`, `zakelijkGerechtigden`, `persoon`). */
  readonly rel: string;
  /** Catalogue paths whose values the href carries. */
  readonly reveals: readonly string[];
}

/** A relation `expand` can embed (HAL `_embedded.<name>`): the resource it embeds. */
export interface ResourceRelation {
  /** Its name in `expand` and in `_embedded` (`zakelijkGerechtigden`). */
  readonly name: string;
  /** The resource it embeds (a key of `ServiceDescription.resources`). */
  readonly resource: string;
}

/**
 * Where the data subjects of a resource sit: the path of an identifier and either its fixed type or the
 * path of a member whose value tells the type (the BRK's `persoon.type`), mapped to identifier types.
 * A value whose type maps to nothing is still a subject (type `onbekend`): fail closed, logged.
 */
export interface SubjectPlace {
  /** Catalogue path of the identifier (with the resource prefix). */
  readonly path: string;
  /** The identifier type when it is always the same (`BSN`). */
  readonly idType?: string;
  /** Catalogue path, beside `path`, of the member that tells the type. */
  readonly typePath?: string;
  /** Values of `typePath` → identifier types (`ingeschreven_natuurlijk_persoon` → `BSN`). */
  readonly idTypes?: Readonly<Record<string, string>>;
}

/** One kind of resource of a service: its links, the relations `expand` may embed, its subjects. */
export interface ResourceDescription {
  readonly links?: readonly ResourceLink[];
  readonly relations?: readonly ResourceRelation[];
  readonly subjects?: readonly SubjectPlace[];
}

/** One operation an afnemer may call, named in autorisaties (`searchTypes`) and records by its id. */
export interface ServiceOperation {
  /** The spec's operationId (`GetKadastraalOnroerendeZaak`), or the BRP's search type. */
  readonly id: string;
  readonly method: OperationMethod;
  /** The path template below the service root, `{name}` for a path parameter (`/kadastraalonroerendezaken/{kadastraalOnroerendeZaakIdentificatie}`). */
  readonly path: string;
  /** The resource it returns (a key of `resources`; `''` for a service with one kind of resource). */
  readonly resource: string;
  /** Whether the answer is a collection of resources (HAL `_embedded.<items>`) or one resource. */
  readonly items?: string;
  readonly parameters: readonly OperationParameter[];
  /** Relations the gateway asks the source to embed so that it can see the subjects (stripped unless asked). */
  readonly subjectExpand?: readonly string[];
  /**
   * For an answer that does not show its subjects (a parcel's mortgages concern its owners): the
   * operation, with the same path parameters, whose answer does; the gateway asks it for the subjects'
   * identifiers before it releases anything, and logs them as this answer's subjects.
   */
  readonly subjectsFrom?: string;
}

/** A service's API as data: what the gateway core reads, besides the catalogue. */
export interface ServiceDescription {
  readonly operations: readonly ServiceOperation[];
  readonly resources: Readonly<Record<string, ResourceDescription>>;
}
