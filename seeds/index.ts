export {
  BRK_FIXTURES_PATH,
  type BrkFixtures,
  type BrkPersoonRef,
  type BrkResource,
  type BrkZakelijkGerechtigde,
  loadBrkFixtures,
} from './brk/brk-fixtures.ts';
export { generateBrkFixtures } from './brk/generate-brk.ts';
export { BRK_OPENAPI_PATH, brkFieldPaths, createBrkValidator, loadBrkOpenApi } from './openapi/brk-openapi.ts';
export {
  BRP_AUTOMATIC_FIELDS,
  BRP_OPENAPI_PATH,
  type BrpSearchType,
  type BrpValidator,
  brpFieldPaths,
  brpSearchTypes,
  createBrpValidator,
  isBrpAutomaticPath,
  loadBrpOpenApi,
} from './openapi/brp-openapi.ts';
export {
  createOpenApiValidator,
  loadOpenApi,
  type OpenApiDocument,
  type OpenApiOperation,
  type OpenApiValidator,
  type Schema,
  type SchemaValidation,
  schemaFieldPaths,
} from './openapi/openapi-validator.ts';
export { loadPersonen, type Persoon } from './personen.ts';
export { BRK_FIELD_CATALOGUE } from './registry/brk-field-catalogue.ts';
export { brkAutorisaties, brkService } from './registry/brk-registry.ts';
export { BRK_SERVICE_DESCRIPTION, BRK_SERVICE_ID } from './registry/brk-service.ts';
export { BRP_FIELD_CATALOGUE, BRP_SEARCH_PARAMETERS, type SeedCatalogueField } from './registry/brp-field-catalogue.ts';
export {
  BRP_SERVICE_ID,
  brpService,
  DEMO_GRONDSLAGEN,
  DEMO_OIN,
  DEMO_ORGANISATIONS,
  DEMO_PROCESSING_ACTIVITIES,
  DEMO_PROCESSING_ACTIVITY,
  DEV_IDENTITY_PROVIDER,
  demoAutorisaties,
  type SeedOrganisation,
} from './registry/demo-registry.ts';
export { DEMO_WITNESS_QUORUM, DEMO_WITNESSES } from './registry/demo-witnesses.ts';
