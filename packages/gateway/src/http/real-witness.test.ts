import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  logNoteKeys,
  logOrigin,
  NOTE_ED25519,
  noteKeyFromJwk,
  parseVkey,
  verifyCheckpoint,
} from '@poortwachter/protocol';
import { openWitness, startWitnessServer, staticLogKeys } from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryProvider } from '../directory/directory-provider.ts';
import { GATEWAY_URL, startTestGateway, type TestGateway } from '../testing/index.ts';
import { withWitnesses } from '../testing/test-witness.ts';

const raadpleeg = {
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: ['999993653'],
  fields: ['naam.voornamen'],
};

/**
 * The gateway's collector against the project's own witness (`poortwachter witness serve`, the sdk's
 * server on its data folder), not the test helper: cosigned heads, and after the witness restarts on
 * its state, the next head is cosigned from where it was.
 */
describe('the gateway against the real witness', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'poortwachter-real-witness-'));
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: 'rvig-log-ed25519', alg: 'EdDSA' };
  const { d: _d, ...publicJwk } = key;
  const origin = logOrigin(DEMO_OIN.rvig, 'instance-1');
  const logKeys = staticLogKeys(new Map([[origin, [noteKeyFromJwk(origin, NOTE_ED25519, publicJwk)]]]));
  let witness: { url: string; vkey: string; name: string; close(): Promise<void>; release(): void };
  let gw: TestGateway;
  let directory: DirectoryProvider | undefined;

  async function start() {
    const opened = await openWitness({ name: 'poortwachter.example/getuige-real', dataDir, logKeys });
    const server = await startWitnessServer(opened, { port: 0 });
    return {
      url: server.url,
      vkey: opened.key.vkey,
      name: opened.key.name,
      close: server.close,
      release: opened.release,
    };
  }
  const query = async () => {
    const res = await gw.send(DEMO_OIN.utrecht, raadpleeg, { processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo });
    expect(res.status).toBe(200);
    await gw.log.drain();
    await gw.signTreeHead();
    for (let i = 0; i < 3; i++) await gw.collectCosignatures();
  };
  const served = async () => {
    const note = await (await gw.app.request(`${GATEWAY_URL}/log/v1/checkpoint`)).text();
    const provider = directory?.current().organisations.get(DEMO_OIN.rvig);
    return verifyCheckpoint(note, {
      logKeys: logNoteKeys(provider, origin),
      policy: { witnesses: [parseVkey(witness.vkey)], quorum: 1 },
      origin,
    });
  };

  beforeAll(async () => {
    witness = await start();
    gw = await startTestGateway('sqlite', {
      signingKey: key,
      directory: (verified) => {
        // The witness's URL changes when it restarts: the directory is read per round.
        directory = withWitnesses(verified, () => [witness], 1, { oin: DEMO_OIN.rvig, key });
        return directory;
      },
      witnesses: { intervalMs: 3_600_000, backoff: { firstMs: 1, maxMs: 1 } },
    });
  });
  afterAll(async () => {
    await gw?.close();
    await witness?.close();
    witness?.release();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gets the newest head cosigned, and again after the witness restarts on its state', async () => {
    await query();
    expect((await served()).size).toBe(gw.tree.size);
    await witness.close();
    witness.release();
    witness = await start();
    await query();
    const after = await served();
    expect(after.size).toBe(gw.tree.size);
    expect(after.cosigners.map((c) => c.name)).toEqual([witness.name]);
  });
});
