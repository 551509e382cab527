export type { Dialect } from '../storage/open-database.ts';
export {
  findContractHash,
  type GrantTerms,
  grantByContract,
  type RegistryTarget,
  signContractAs,
} from './contract-grants.ts';
export { REQUEST_SAMPLES, type RequestSample, textMembers } from './request-samples.ts';
export {
  certifiedKey,
  demoCertificate,
  demoPrivateKey,
  type OrganisationRequest,
  signAsOrganisation,
} from './sign-as-organisation.ts';
export { DIALECTS, describeDialect, openTestDatabase } from './test-database.ts';
export { startTestRegistry, type TestRegistry } from './test-registry.ts';
