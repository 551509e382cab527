import type { AutorisatieTable } from './tables/autorisatie.table.ts';
import type { ChangeCosignatureTable, ChangeHeadTable } from './tables/change-head.table.ts';
import type { ContractSignatureTable, ContractTable } from './tables/contract.table.ts';
import type { GrondslagTable } from './tables/grondslag.table.ts';
import type { IdentityProviderTable } from './tables/identity-provider.table.ts';
import type { OrganisationKeyTable, OrganisationTable } from './tables/organisation.table.ts';
import type { ProcessingActivityVersionTable } from './tables/processing-activity.table.ts';
import type {
  AdminTokenTable,
  ChangeTable,
  DirectoryStateTable,
  RequestNonceTable,
} from './tables/registry-state.table.ts';
import type { ServiceTable } from './tables/service.table.ts';
import type { WitnessPolicyTable, WitnessTable } from './tables/witness.table.ts';

/**
 * The registry's tables. Timestamps are ISO 8601 UTC strings with milliseconds (they sort as text
 * in both dialects) and structured values are JSON text, so that SQLite and PostgreSQL share one
 * schema and one set of queries.
 */
export interface RegistryDatabase {
  organisations: OrganisationTable;
  organisation_keys: OrganisationKeyTable;
  services: ServiceTable;
  grondslagen: GrondslagTable;
  processing_activity_versions: ProcessingActivityVersionTable;
  autorisaties: AutorisatieTable;
  contracts: ContractTable;
  contract_signatures: ContractSignatureTable;
  identity_providers: IdentityProviderTable;
  witnesses: WitnessTable;
  witness_policy: WitnessPolicyTable;
  directory_state: DirectoryStateTable;
  registry_changes: ChangeTable;
  registry_change_heads: ChangeHeadTable;
  registry_change_cosignatures: ChangeCosignatureTable;
  admin_tokens: AdminTokenTable;
  registry_request_nonces: RequestNonceTable;
}
