/**
 * The registry's operator commands (run beside a running registry; no downtime):
 *
 *   rotate-key                     make the next signing key (restart the registry: it signs with both)
 *   retire-key                     make the next key the current one (restart: it signs with the new only)
 *   admin-token add [--out FILE]   make an admin token beside the others (printed, or written 0600 to FILE)
 *   admin-token list               the admin tokens' ids and when they were made (never the tokens)
 *   admin-token revoke ID          revoke one; refused for the last one
 *
 * Environment as the registry: DATA_DIR, DATABASE_URL, REGISTRY_KEY_FILE, REGISTRY_NEXT_KEY_FILE.
 * A wrong command or argument: one line on stderr, exit 2.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { calculateJwkThumbprint } from 'jose';
import { generateAdminToken, hashAdminToken } from '../domain/admin-token.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import { migrateRegistry } from '../storage/migrate.ts';
import { openDatabase } from '../storage/open-database.ts';
import { groupIdOf } from './contract-trust.ts';
import { dataDir } from './data-dir.ts';
import { makeNextRegistryKey, publicJwkOf, retireRegistryKey, writeSecretFile } from './key-files.ts';

const USAGE =
  'usage: admin rotate-key | retire-key | admin-token add [--out FILE] | admin-token list | admin-token revoke ID';

class UsageError extends Error {}

async function withDatabase<T>(run: (db: ReturnType<typeof openDatabase<RegistryDatabase>>['db']) => Promise<T>) {
  const url = process.env.DATABASE_URL || `sqlite:${join(dataDir(), 'registry.db')}`;
  const { db, close } = openDatabase<RegistryDatabase>(url);
  try {
    // An existing registry's autorisaties become contracts in its group (GROUP_ID, as the server reads it).
    const groupId = groupIdOf({
      GROUP_ID: process.env.GROUP_ID || undefined,
      POORTWACHTER_DEMO: process.env.POORTWACHTER_DEMO === 'true',
    });
    await migrateRegistry(db as never, { groupId });
    return await run(db);
  } finally {
    await close();
  }
}

async function adminToken(args: string[]): Promise<string> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' } } });
  const [action, id] = positionals;
  if (action === 'add') {
    const token = generateAdminToken();
    const tokenId = randomUUID();
    await withDatabase((db) =>
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
    const rows = await withDatabase((db) =>
      db.selectFrom('admin_tokens').select(['id', 'created_at']).orderBy('created_at').execute(),
    );
    return rows.map((r) => `${r.id}  made ${r.created_at}`).join('\n');
  }
  if (action === 'revoke' && id) {
    return withDatabase(async (db) => {
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
  const keyFile = process.env.REGISTRY_KEY_FILE || join(dataDir(), 'keys', 'registry.jwk.json');
  const nextKeyFile = process.env.REGISTRY_NEXT_KEY_FILE || join(dataDir(), 'keys', 'registry.next.jwk.json');
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
      return adminToken(args);
    default:
      throw new UsageError(command ? `unknown command ${command}. ${USAGE}` : USAGE);
  }
}

/**
 * Runs one operator command (`args` after `admin`), printing its result; the exit code: 0 done, 2 a
 * wrong command or argument (one line), 1 anything else.
 */
export async function adminCommand(args: string[]): Promise<number> {
  try {
    process.stdout.write(`${await run(args)}\n`);
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return usage ? 2 : 1;
  }
}
