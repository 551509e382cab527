import { randomUUID, type X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { createDirectoryPublisher, type DirectoryPublisher } from '../directory/publisher.ts';
import { generateAdminToken, hashAdminToken } from '../domain/admin-token.ts';
import { DEMO_GROUP_ID } from '../domain/contract-terms.ts';
import { createRegistryApp } from '../http/app.ts';
import { loadOrCreateDemoCa } from '../server/demo-certificates.ts';
import { generatePrivateJwk, publicJwkOf } from '../server/key-files.ts';
import { seedDemoRegistry } from '../server/seed-demo.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import { migrateRegistry } from '../storage/migrate.ts';
import type { Dialect } from '../storage/open-database.ts';
import { demoPrivateKey, signAsOrganisation } from './sign-as-organisation.ts';
import { openTestDatabase } from './test-database.ts';

export interface TestRegistry {
  readonly app: ReturnType<typeof createRegistryApp>;
  readonly db: Kysely<RegistryDatabase>;
  readonly publisher: DirectoryPublisher;
  readonly adminToken: string;
  /** The registry's public signing key, to pin. */
  readonly registryPublicKey: JWK;
  /** Folder holding the demo organisations' private keys (`<OIN>.jwk.json`) and the demo CA (`demo-ca.pem`). */
  readonly keyDir: string;
  /** The demo CA's certificate, the trust anchor of the demo keys' certificates. */
  readonly trustAnchors: readonly X509Certificate[];
  /** The file holding it (PEM), for a server's TRUST_ANCHORS_FILE. */
  readonly trustAnchorsFile: string;
  /** Sends an admin request with a JSON body. */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  /**
   * Sends a change request signed as organisation `oin` with its demo key (or `privateKey`), as an
   * organisation administers its own records.
   */
  asOrganisation(oin: string, method: string, path: string, body?: unknown, privateKey?: JWK): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A migrated, demo-seeded registry on a fresh database of the dialect, with a known admin token, in
 * the demo group, trusting the demo CA (whose certificates the demo keys carry).
 *
 * @example
 * const registry = await startTestRegistry('sqlite');
 * const res = await registry.app.request('/v1/directory');
 */
export async function startTestRegistry(
  dialect: Dialect,
  /** `brkGatewayUrl`: seed Kadaster's BRK service too, published at that URL (left out by default). */
  options: { seed?: boolean; now?: Date; brkGatewayUrl?: string } = {},
): Promise<TestRegistry> {
  const opened = await openTestDatabase<RegistryDatabase>(dialect);
  const { db } = opened;
  await migrateRegistry(db as Kysely<unknown>, { groupId: DEMO_GROUP_ID });
  const adminToken = generateAdminToken();
  await db
    .insertInto('admin_tokens')
    .values({ id: randomUUID(), token_hash: hashAdminToken(adminToken), created_at: new Date().toISOString() })
    .execute();
  const keyDir = mkdtempSync(join(tmpdir(), 'poortwachter-keys-'));
  if (options.seed !== false) {
    await seedDemoRegistry(db, {
      keyDir,
      gatewayUrl: 'https://brp.gateway.test',
      ...(options.brkGatewayUrl ? { brkGatewayUrl: options.brkGatewayUrl } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }
  const ca = await loadOrCreateDemoCa(keyDir, options.now ?? new Date());
  const registryKey = await generatePrivateJwk('P-256');
  const publisher = await createDirectoryPublisher(db, registryKey);
  const app = createRegistryApp({ db, publisher, trust: { anchors: [ca.certificate], groupId: DEMO_GROUP_ID } });
  return {
    app,
    db,
    publisher,
    adminToken,
    registryPublicKey: publicJwkOf(registryKey),
    keyDir,
    trustAnchors: [ca.certificate],
    trustAnchorsFile: join(keyDir, 'demo-ca.pem'),
    admin: (method, path, body) =>
      Promise.resolve(
        app.request(path, {
          method,
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      ),
    async asOrganisation(oin, method, path, body, privateKey) {
      const key = privateKey ?? demoPrivateKey(keyDir, oin);
      const { url, init } = await signAsOrganisation({
        registryUrl: 'http://localhost',
        method,
        path,
        body,
        privateKey: key,
      });
      return app.request(url, init);
    },
    async close() {
      await opened.close();
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}
