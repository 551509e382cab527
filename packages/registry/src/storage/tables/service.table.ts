import type { Selectable } from 'kysely';

/** A service a bronhouder offers through its gateway. JSON columns hold the field catalogue. */
export interface ServiceTable {
  id: string;
  provider_oin: string;
  name: string;
  gateway_url: string;
  protocol: string;
  field_catalogue: string;
  data_subject_paths: string;
  /** JSON: the search parameters and the fields each selects on. */
  search_parameters: string;
  /** JSON: the service's description (operations, resources), or null for a service without one. */
  description: string | null;
  /** JSON: the OpenAPI document the description was checked against, or null. */
  open_api: string | null;
  /** JSON: what the service offers the citizen the data is about (`ServiceBetrokkene`), or null. */
  betrokkene: string | null;
  created_at: string;
  updated_at: string;
  revoked_at: string | null;
}
export type ServiceRow = Selectable<ServiceTable>;
