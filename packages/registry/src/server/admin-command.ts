/**
 * The registry's operator commands (run beside a running registry; no downtime):
 *
 *   rotate-key                     make the next signing key (restart the registry: it signs with both)
 *   retire-key                     make the next key the current one (restart: it signs with the new only)
 *   admin-token add [--out FILE]   make an admin token beside the others (printed, or written 0600 to FILE)
 *   admin-token list               the admin tokens' ids and when they were made (never the tokens)
 *   admin-token revoke ID          revoke one; refused for the last one
 *
 * Settings as the registry, read through its schema (./settings.ts): DATA_DIR, DATABASE_URL or
 * DATABASE_URL_FILE, REGISTRY_KEY_FILE, REGISTRY_NEXT_KEY_FILE, GROUP_ID. A wrong command, argument or
 * setting: one line on stderr, exit 2. `admin --help`: the usage, exit 0.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { readSettings, SettingError, type SettingsOf } from '@poortwachter/operations';
import { calculateJwkThumbprint } from 'jose';
import { generateAdminToken, hashAdminToken } from '../domain/admin-token.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import { migrateRegistry } from '../storage/migrate.ts';
import { openDatabase } from '../storage/open-database.ts';
import { groupIdOf } from './contract-trust.ts';
import { makeNextRegistryKey, publicJwkOf, retireRegistryKey, writeSecretFile } from './key-files.ts';
import { asksForHelp } from './maintenance-help.ts';
import { registryPlaces } from './places.ts';
import { registrySettings } from './settings.ts';

const USAGE =
  'usage: admin rotate-key | retire-key | admin-token add [--out FILE] | admin-token list | admin-token revoke ID';

/** `admin --help`: what each command does, and the settings it reads (those of the registry). */
const HELP = `usage: admin <command>   (run beside a running registry, with its settings)

  rotate-key                     make the next signing key; restart the registry: it signs with both
  retire-key                     make the next key the current one; restart: it signs with the new only
  admin-token add [--out FILE]   make an admin token beside the others (printed, or written 0600 to FILE)
  admin-token list               the admin tokens' ids and when they were made (never the tokens)
  admin-token revoke ID          revoke one; refused for the last one

Settings as the registry's (README: Configuration): DATA_DIR, DATABASE_URL or DATABASE_URL_FILE,
REGISTRY_KEY_FILE, REGISTRY_NEXT_KEY_FILE, GROUP_ID. README: Key rotation.`;

class UsageError extends Error {}

type RegistrySettings = SettingsOf<typeof registrySettings>;

async function withDatabase<T>(
  settings: RegistrySettings,
  run: (db: ReturnType<typeof openDatabase<RegistryDatabase>>['db']) => Promise<T>,
) {
  const { db, close } = openDatabase<RegistryDatabase>(registryPlaces(settings).databaseUrl);
  try {
    // An existing registry's autorisaties become contracts in its group (GROUP_ID, as the server reads it).
    await migrateRegistry(db as never, { groupId: groupIdOf(settings) });
    return await run(db);
  } finally {
    await close();
  }
}

async function adminToken(settings: RegistrySettings, args: string[]): Promise<string> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' } } });
  const [action, id] = positionals;
  if (action === 'add') {
    const token = generateAdminToken();
    const tokenId = randomUUID();
    await withDatabase(settings, (db) =>
      db
        .insertInto('admin_tokens')
        .values({ id: tokenId, token_hash: hashAdminToken(token), created_at: new Date().toISOString() })
        .execute(),
    );
    if (values.out) {
      writeSecretFile(values.out, `${token}\n`);
      return `added admin token ${tokenId}, written to ${values.out}`;
    }
    return `${token}\n(added admin token ${tokenId}: this is the only time it is shown)`;
  }
  if (action === 'list') {
    const rows = await withDatabase(settings, (db) =>
      db.selectFrom('admin_tokens').select(['id', 'created_at']).orderBy('created_at').execute(),
    );
    return rows.map((r) => `${r.id}  made ${r.created_at}`).join('\n');
  }
  if (action === 'revoke' && id) {
    return withDatabase(settings, async (db) => {
      const ids = (await db.selectFrom('admin_tokens').select('id').execute()).map((r) => r.id);
      if (!ids.includes(id)) throw new UsageError(`admin-token revoke: no admin token ${id} (see admin-token list)`);
      if (ids.length === 1) throw new UsageError('admin-token revoke: it is the last admin token; add a new one first');
      await db.deleteFrom('admin_tokens').where('id', '=', id).execute();
      return `revoked admin token ${id}: it is refused from the next request on`;
    });
  }
  throw new UsageError(`admin-token: expected add, list or revoke ID. ${USAGE}`);
}

async function run([command, ...args]: string[]): Promise<string> {
  if (command === undefined) throw new UsageError(USAGE);
  if (asksForHelp([command, ...args])) return HELP;
  // The registry's one parser of settings: DATABASE_URL_FILE counts, a wrong value stops here.
  const settings = readSettings(registrySettings, process.env);
  const { keyFile, nextKeyFile } = registryPlaces(settings);
  const kid = (jwk: Parameters<typeof publicJwkOf>[0]) => calculateJwkThumbprint(publicJwkOf(jwk), 'sha256');
  switch (command) {
    case 'rotate-key': {
      const next = await makeNextRegistryKey(keyFile, nextKeyFile).catch((e: Error) => {
        throw new UsageError(`rotate-key: ${e.message}`);
      });
      return `made the next registry key ${await kid(next)} at ${nextKeyFile}; restart the registry: it signs with both`;
    }
    case 'retire-key': {
      const current = await Promise.resolve()
        .then(() => retireRegistryKey(keyFile, nextKeyFile))
        .catch((e: Error) => {
          throw new UsageError(`retire-key: ${e.message}`);
        });
      return `the registry key is now ${await kid(current)} (${keyFile}); restart the registry: it signs with it only`;
    }
    case 'admin-token':
      return adminToken(settings, args);
    default:
      throw new UsageError(`unknown command ${command}. ${USAGE}`);
  }
}

/**
 * Runs one operator command (`args` after `admin`), printing its result; the exit code: 0 done (and
 * for `--help`), 2 a wrong command, argument or setting (one line), 1 anything else.
 */
export async function adminCommand(args: string[]): Promise<number> {
  try {
    process.stdout.write(`${await run(args)}\n`);
    return 0;
  } catch (error) {
    const usage =
      error instanceof UsageError ||
      error instanceof SettingError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return usage ? 2 : 1;
  }
}
