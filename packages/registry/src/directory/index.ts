export type {
  AutomaticDelivery,
  Autorisatie,
  CatalogueField,
  Grondslag,
  IdentityProvider,
  Organisation,
  OrganisationKey,
  ProcessingActivity,
  ProcessingActivityVersion,
  SearchParameter,
  Service,
} from '../domain/model.ts';
export type { PublicJwk } from '../domain/public-jwk.ts';
export { isInForce } from '../domain/time.ts';
export { versionAt } from '../domain/versions.ts';
export { ASSURANCE_LEVELS, type AssuranceLevel, type Vertrouwelijkheid } from '../domain/vocabulary.ts';
export { CHANGES_TYP, DIRECTORY_ALGS, DIRECTORY_TYP, type DirectorySnapshot } from './types.ts';
export {
  DirectoryVerificationError,
  type SignedChangesPage,
  type VerifySnapshotOptions,
  verifyChangesPage,
  verifyDirectorySnapshot,
} from './verify-snapshot.ts';
