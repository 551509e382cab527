import type { Dialect } from '@poortwachter/registry/testing';
import { openTestDatabase } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { type DirectoryProvider, demoTrustAnchors, registryDirectory } from '../directory/directory-provider.ts';
import type { WitnessingOptions } from '../log/witnessing.ts';
import { adminTokenHash } from '../outway/admin-token.ts';
import { registerApplication } from '../outway/applications.ts';
import { createOutway, type Outway } from '../outway/outway.ts';
import type { OutwayDatabase } from '../outway/tables.ts';
import type { CallerQuotas } from '../pipeline/quota.ts';
import { testLogger } from './log-capture.ts';
import { startTestGateway, type TestGateway } from './test-gateway.ts';

export const OUTWAY_URL = 'http://outway.utrecht.test';
export const OUTWAY_ADMIN_TOKEN = 'test-outway-admin-token';

export interface TestOutway {
  /** The provider's inway (in-process) with its registry and fake source. */
  readonly gateway: TestGateway;
  readonly outway: Outway;
  /** The demo application's API key: bound to Utrecht's Wmo activity (its default) and jeugdhulp. */
  readonly apiKey: string;
  /** What the outway's calls to the inway go through: replace it to make the provider misbehave. */
  provider: (request: Request) => Response | Promise<Response>;
  /** Posts a body as an application does, to `/brp-personen/personen` unless `path` says otherwise. */
  send(body: unknown, headers?: Record<string, string>, path?: string): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Gemeente Utrecht's outway in front of a test inway, both in-process: the outway's calls reach the
 * inway through `provider`, which tests replace to tamper with answers or take the provider down.
 */
export async function startTestOutway(
  dialect: Dialect,
  options: {
    now?: () => number;
    directoryMaxAgeSeconds?: number;
    registryDown?: () => boolean;
    /** The outway's per-caller quotas (`callerQuotas`); none: nothing is limited. */
    quotas?: CallerQuotas;
    /** Changes what the outway reads from the verified directory (tests add witnesses to it). */
    directory?: (verified: DirectoryProvider) => DirectoryProvider;
    /** How the witnesses are reached and retried. */
    witnesses?: Omit<WitnessingOptions, 'directory' | 'logger'>;
  } = {},
): Promise<TestOutway> {
  const gateway = await startTestGateway(dialect);
  const registry = gateway.registry;
  const directory = registryDirectory({
    registryUrl: 'http://registry.test',
    registryKey: registry.registryPublicKey,
    trustAnchors: demoTrustAnchors(registry.keyDir),
    fetch: async (input, init) => {
      if (options.registryDown?.()) throw new TypeError('fetch failed');
      return registry.app.request(String(input), init);
    },
    refreshIntervalMs: 3_600_000,
    ...(options.directoryMaxAgeSeconds ? { maxAgeSeconds: options.directoryMaxAgeSeconds } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  await directory.start();
  const database = await openTestDatabase<OutwayDatabase>(dialect);
  const harness = {
    provider: (request: Request): Response | Promise<Response> => gateway.app.request(request),
  };
  const outway = await createOutway({
    organisationOin: DEMO_OIN.utrecht,
    privateKey: gateway.key(DEMO_OIN.utrecht),
    publicUrl: OUTWAY_URL,
    instanceId: 'outway-1',
    logger: testLogger,
    database,
    directory: options.directory ? options.directory(directory) : directory,
    logKey: new Uint8Array(32).fill(9),
    adminTokenHashes: [adminTokenHash(OUTWAY_ADMIN_TOKEN)],
    fetch: async (input, init) => harness.provider(new Request(String(input), init)),
    timeoutMs: 2000,
    headIntervalMs: 3_600_000,
    ...(options.now ? { now: options.now } : {}),
    ...(options.quotas ? { quotas: options.quotas } : {}),
    ...(options.witnesses ? { witnesses: options.witnesses } : {}),
  });
  const { apiKey } = await registerApplication(database.db, {
    name: 'Wmo-zaaksysteem',
    processingActivities: [DEMO_PROCESSING_ACTIVITY.utrechtWmo, DEMO_PROCESSING_ACTIVITY.utrechtJeugd],
    defaultProcessingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
  });
  return Object.assign(harness, {
    gateway,
    outway,
    apiKey,
    send: async (body: unknown, headers: Record<string, string> = {}, path = '/brp-personen/personen') =>
      outway.app.request(`${OUTWAY_URL}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async close() {
      directory.stop();
      await outway.close();
      await database.close();
      await gateway.close();
    },
  });
}
