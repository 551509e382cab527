import { join } from 'node:path';
import type { SettingsOf } from '@poortwachter/operations';
import { dataDir } from './data-dir.ts';
import type { registrySettings } from './settings.ts';

type RegistrySettings = SettingsOf<typeof registrySettings>;

/** Where a registry keeps its state, as its settings say: the server and its operator commands read the same places. */
export interface RegistryPlaces {
  readonly data: string;
  readonly databaseUrl: string;
  readonly keyFile: string;
  readonly nextKeyFile: string;
  readonly tokenFile: string;
}

/**
 * The registry's places from its settings (read through `registrySettings`, so `DATABASE_URL_FILE` and
 * every check count): the defaults under `DATA_DIR` where a setting is unset.
 *
 * @example
 * const { databaseUrl } = registryPlaces(readSettings(registrySettings, process.env));
 */
export function registryPlaces(
  settings: Pick<RegistrySettings, 'DATA_DIR' | 'DATABASE_URL' | 'REGISTRY_KEY_FILE' | 'REGISTRY_NEXT_KEY_FILE'>,
): RegistryPlaces {
  const data = dataDir({ DATA_DIR: settings.DATA_DIR });
  return {
    data,
    databaseUrl: settings.DATABASE_URL ?? `sqlite:${join(data, 'registry.db')}`,
    keyFile: settings.REGISTRY_KEY_FILE ?? join(data, 'keys', 'registry.jwk.json'),
    nextKeyFile: settings.REGISTRY_NEXT_KEY_FILE ?? join(data, 'keys', 'registry.next.jwk.json'),
    tokenFile: join(data, 'registry-admin-token'),
  };
}
