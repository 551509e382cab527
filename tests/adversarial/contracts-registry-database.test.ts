/**
 * Issue 28: rows written straight into the registry's database (past its API, as its operator or an
 * intruder on its machine can) grant nothing. Against `pnpm start` as a process: an autorisatie row, a
 * contract row with signature rows by keys the writer added to both organisations, all published (the
 * serial raised, as any change is); the system's own BRP inway then refuses Haarlem's query, raw signed
 * HTTP. Control: the same contract with the parties' genuine signatures, written the same way, grants.
 * And a revoke deleted from the database (the serial raised) brings the contract back at the gateway,
 * which knows only the directory, but `poortwachter registry verify` (the CLI as a process) names the
 * revoke the witnessed change log holds and the directory lacks.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@poortwachter/registry';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEntry as runCli } from '../run-process.ts';
import { gatewayHasNewestDirectory, type RunningSystem, startSystem } from '../start-system.ts';
import { BRP, type Snapshot, SUZANNE } from './contract-attack.ts';
import { contentOf, hashOf, newKey, publicOf, signAs, thumbprint } from './contract-forgery.ts';
import { realSnapshot } from './forged-directory.ts';
import { type RawJwk, sendRaw } from './raw-client.ts';

/** Haarlem's vermogensonderzoek has a contract for the BRK only: none for the BRP. */
const ACTIVITY = DEMO_PROCESSING_ACTIVITY.haarlemVermogen;

let system: RunningSystem;
const key = (oin: string) => JSON.parse(readFileSync(join(system.data, 'keys', `${oin}.jwk.json`), 'utf8')) as RawJwk;
const ask = async () =>
  (
    await sendRaw(`http://127.0.0.1:${system.ports.gateway}`, {
      method: 'POST',
      targetUri: `http://localhost:${system.ports.gateway}/personen`,
      key: key(DEMO_OIN.haarlem),
      processingActivity: ACTIVITY,
      body: JSON.stringify({
        type: 'RaadpleegMetBurgerservicenummer',
        burgerservicenummer: [SUZANNE],
        fields: ['naam.voornamen'],
      }),
    })
  ).status;

/** Runs `write` on the registry's database, raises the serial as a change does, and waits for the inway. */
async function written(
  write: (db: ReturnType<typeof openDatabase<Record<string, Record<string, unknown>>>>['db']) => Promise<unknown>,
) {
  const { db, close } = openDatabase<Record<string, Record<string, unknown>>>(
    `sqlite:${join(system.data, 'registry.db')}`,
  );
  try {
    await write(db);
    await db
      .updateTable('directory_state')
      .set((eb) => ({ serial: eb('serial', '+', 1) }))
      .where('id', '=', 1)
      .execute();
  } finally {
    await close();
  }
  await gatewayHasNewestDirectory(system);
}

/** A contract for Haarlem's vermogensonderzoek on the BRP, with the activity's version and grondslag from the directory. */
async function haarlemContent() {
  const snapshot = (await realSnapshot(`http://127.0.0.1:${system.ports.registry}`)) as Snapshot & {
    processing_activities: { id: string; versions: { version: number; grondslagIds: string[] }[] }[];
    contracts?: { content: { group_id: string } }[];
  };
  const version = snapshot.processing_activities.find((a) => a.id === ACTIVITY)?.versions.at(-1);
  return contentOf({
    afnemer: DEMO_OIN.haarlem,
    bronhouder: DEMO_OIN.rvig,
    service: BRP,
    activity: ACTIVITY,
    activityVersion: version?.version ?? 1,
    grondslag: version?.grondslagIds[0] ?? '',
    // A search by BSN selects on it: the contract must cover it.
    fields: ['burgerservicenummer', 'naam.voornamen'],
    searchTypes: ['RaadpleegMetBurgerservicenummer'],
    groupId: snapshot.contracts?.[0]?.content.group_id ?? 'poortwachter-demo',
  });
}

const signatureRow = (hash: string, oin: string, jws: string, signer: RawJwk) => ({
  hash,
  oin,
  kid: thumbprint(signer),
  type: 'accept',
  signed_at: new Date().toISOString(),
  reason: null,
  jws,
  recorded_at: new Date().toISOString(),
});

/** `poortwachter registry verify` against the system's registry, its heads kept in `heads`. */
const verify = (heads: string) =>
  runCli('packages/sdk/src/cli/main.ts', [
    'registry',
    'verify',
    '--registry',
    `http://127.0.0.1:${system.ports.registry}`,
    '--registry-key',
    join(system.data, 'keys', 'registry.public.jwk.json'),
    '--trust-anchors',
    join(system.data, 'keys', 'demo-ca.pem'),
    '--heads',
    heads,
  ]);

/** Sends a contract proposal or signature to the registry's API, as any party's client does: the status. */
async function toRegistry(path: string, body: unknown) {
  const res = await fetch(`http://127.0.0.1:${system.ports.registry}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

describe("contracts: rows written into the registry's database grant nothing (issue 28)", () => {
  beforeAll(async () => {
    system = await startSystem();
  }, 240_000);
  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  // First: the rows test (a) writes past the API are differences from the change log too.
  it('(b) a revoke deleted from the database brings the contract back at the gateway, and registry verify names it', async () => {
    const heads = join(mkdtempSync(join(tmpdir(), 'poortwachter-heads-')), 'registry-heads.json');
    const content = await haarlemContent();
    const hash = hashOf(content);
    const haarlem = key(DEMO_OIN.haarlem);
    const proposed = await toRegistry('/v1/contracts', { content, signature: signAs(hash, 'accept', haarlem) });
    expect(proposed.status, proposed.text).toBe(201);
    const path = `/v1/contracts/${encodeURIComponent(hash)}/signatures`;
    const accepted = await toRegistry(path, { signature: signAs(hash, 'accept', key(DEMO_OIN.rvig)) });
    expect(accepted.status, accepted.text).toBe(200);
    await gatewayHasNewestDirectory(system);
    expect(await ask()).toBe(200);
    const revoked = await toRegistry(path, { signature: signAs(hash, 'revoke', haarlem, Date.now(), 'Klaar.') });
    expect(revoked.status, revoked.text).toBe(200);
    await gatewayHasNewestDirectory(system);
    expect(await ask()).toBe(403);

    // Control: the directory agrees with the change log.
    const clean = await verify(heads);
    expect(clean.code, clean.output).toBe(0);
    expect(clean.out).toContain('found in the change log');

    // The revoke row deleted, the serial raised: the gateway follows the directory.
    let row: Record<string, unknown> | undefined;
    await written(async (db) => {
      row = await db
        .selectFrom('contract_signatures')
        .selectAll()
        .where('hash', '=', hash)
        .where('type', '=', 'revoke')
        .executeTakeFirstOrThrow();
      await db.deleteFrom('contract_signatures').where('hash', '=', hash).where('type', '=', 'revoke').execute();
    });
    expect(await ask()).toBe(200);
    const changes = (await (
      await fetch(
        `http://127.0.0.1:${system.ports.registry}/v1/changes?entity=contract&entityId=${encodeURIComponent(hash)}`,
      )
    ).json()) as { serial: number; action: string }[];
    const revoke = changes.find((c) => c.action === 'revoke');
    expect(revoke).toBeDefined();
    const caught = await verify(heads);
    expect(caught.code, caught.output).toBe(1);
    expect(caught.out).toContain(`the revoke by Gemeente Haarlem of contract ${hash} at `);
    expect(caught.out).toContain(`is in the change log (change ${revoke?.serial}) but not in the directory`);
    expect(caught.out).toMatch(/serial \d+ is not that of the last change it reflects/);

    // Put back, so that Haarlem has no BRP contract in force again for (a).
    await written((db) =>
      db
        .insertInto('contract_signatures')
        .values(row ?? {})
        .execute(),
    );
    expect(await ask()).toBe(403);
  }, 180_000);

  it('(a) an autorisatie row and a contract signed by keys the writer added are refused; genuine signatures grant', async () => {
    expect(await ask()).toBe(403);
    const now = new Date().toISOString();
    const addedHaarlem = newKey();
    const addedRvig = newKey();
    const forged = await haarlemContent();
    const forgedHash = hashOf(forged);
    await written(async (db) => {
      await db
        .insertInto('autorisaties')
        .values({
          id: randomUUID(),
          afnemer_oin: DEMO_OIN.haarlem,
          service_id: BRP,
          processing_activity_id: ACTIVITY,
          fields: JSON.stringify(['burgerservicenummer', 'naam.voornamen']),
          search_types: JSON.stringify(['RaadpleegMetBurgerservicenummer']),
          valid_from: new Date(Date.now() - 86_400_000).toISOString(),
          valid_to: null,
          created_at: now,
          updated_at: now,
          revoked_at: null,
        })
        .execute();
      for (const [oin, added] of [
        [DEMO_OIN.haarlem, addedHaarlem],
        [DEMO_OIN.rvig, addedRvig],
      ] as const) {
        await db
          .insertInto('organisation_keys')
          .values({
            kid: thumbprint(added),
            oin,
            jwk: JSON.stringify(publicOf(added)),
            status: 'active',
            revoked_at: null,
            valid_from: new Date(Date.now() - 86_400_000).toISOString(),
            valid_to: null,
            created_at: now,
          })
          .execute();
      }
      await db
        .insertInto('contracts')
        .values({ hash: forgedHash, content: JSON.stringify(forged), proposed_at: now, proposed_by: DEMO_OIN.haarlem })
        .execute();
      await db
        .insertInto('contract_signatures')
        .values([
          signatureRow(forgedHash, DEMO_OIN.haarlem, signAs(forgedHash, 'accept', addedHaarlem), addedHaarlem),
          signatureRow(forgedHash, DEMO_OIN.rvig, signAs(forgedHash, 'accept', addedRvig), addedRvig),
        ])
        .execute();
    });
    expect(await ask()).toBe(403);

    // Control: the same way in, with the parties' own (anchored) keys' signatures, the contract counts.
    const genuine = await haarlemContent();
    const hash = hashOf(genuine);
    const haarlem = key(DEMO_OIN.haarlem);
    const rvig = key(DEMO_OIN.rvig);
    await written(async (db) => {
      await db
        .insertInto('contracts')
        .values({ hash, content: JSON.stringify(genuine), proposed_at: now, proposed_by: DEMO_OIN.haarlem })
        .execute();
      await db
        .insertInto('contract_signatures')
        .values([
          signatureRow(hash, DEMO_OIN.haarlem, signAs(hash, 'accept', haarlem), haarlem),
          signatureRow(hash, DEMO_OIN.rvig, signAs(hash, 'accept', rvig), rvig),
        ])
        .execute();
    });
    expect(await ask()).toBe(200);
  });
});
