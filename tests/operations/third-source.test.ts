/**
 * "A new register is a registry entry, not new gateway code" (issue 26, README "Adding a source"),
 * done as an operator does it: on a running system, a third service is registered through the
 * registry's admin API (a description, a catalogue and the OpenAPI document; here a narrower service
 * over Kadaster's example source), an autorisatie is given, and one more process of the unchanged
 * gateway server entry serves it. An afnemer's signed call then gets its HAL answer, an operation the new
 * description leaves out is a 404, and the access is on the new inway's own log.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayDatabase } from '@poortwachter/gateway';
import { openDatabase } from '@poortwachter/registry';
import { grantByContract } from '@poortwachter/registry/testing';
import { brkService, DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawJwk, sendRaw } from '../adversarial/raw-client.ts';
import { freePort, type RunningSystem, startSystem } from '../start-system.ts';
import { type EntryProcess, startEntry } from './server-entry.ts';

const SERVICE = 'kadaster-percelen';
const SUZANNE_HOME = '30000000000001';

describe('a third source, added as a registry entry and one more gateway process', () => {
  let system: RunningSystem;
  let inway: EntryProcess | undefined;
  let port: number;
  const folder = mkdtempSync(join(tmpdir(), 'poortwachter-third-'));
  const admin = (path: string, body: unknown) =>
    fetch(`http://127.0.0.1:${system.ports.registry}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${readFileSync(join(system.data, 'registry-admin-token'), 'utf8').trim()}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    system = await startSystem();
    port = await freePort();
    // The same spec and source, a narrower API: one operation, the parcel and its owners (no search by
    // BSN, so it offers the betrokkene nothing: the registry refuses a `betrokkene` it could not serve).
    const { id: _id, betrokkene: _betrokkene, ...brk } = brkService(`http://localhost:${port}`);
    const kept = ['kadastraalOnroerendeZaak', 'zakelijkGerechtigde'] as const;
    const description = {
      operations: brk.description.operations.filter((o) => o.id === 'GetKadastraalOnroerendeZaak'),
      resources: Object.fromEntries(kept.map((r) => [r, brk.description.resources[r]])),
    };
    const service = {
      ...brk,
      id: SERVICE,
      name: 'Kadaster percelen (voorbeeld van een derde bron)',
      description,
      fieldCatalogue: brk.fieldCatalogue.filter((f) => kept.some((r) => f.path.startsWith(`${r}.`))),
    };
    const created = await admin('/v1/services', service);
    expect(created.status, await created.clone().text()).toBe(201);
    // Utrecht proposes a contract for it, Kadaster (the source's bronhouder) accepts: both with their demo keys.
    const contract = await grantByContract(`http://127.0.0.1:${system.ports.registry}`, join(system.data, 'keys'), {
      afnemerOin: DEMO_OIN.utrecht,
      serviceId: SERVICE,
      processingActivityId: DEMO_PROCESSING_ACTIVITY.utrechtOzb,
      fields: ['kadastraalOnroerendeZaak.identificatie', 'kadastraalOnroerendeZaak.kadastraleAanduiding'],
      searchTypes: ['GetKadastraalOnroerendeZaak'],
    });
    expect(contract.state).toBe('inForce');
    inway = await startEntry('packages/gateway/src/server/main.ts', {
      PORT: String(port),
      DATA_DIR: system.data,
      SERVICE_ID: SERVICE,
      // The base the source writes its links with: only links under it are passed on (moved to the inway).
      SOURCE_URL: `http://localhost:${system.ports.brkSource}`,
      REGISTRY_URL: `http://127.0.0.1:${system.ports.registry}`,
      DATABASE_URL: `sqlite:${join(folder, 'third.db')}`,
      LOG_KEY_FILE: join(folder, 'third-log.key'),
      INSTANCE_ID: 'third-1',
    });
  }, 240_000);

  afterAll(async () => {
    await inway?.stop();
    await system?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  const asUtrecht = (path: string) =>
    sendRaw(`http://127.0.0.1:${port}`, {
      method: 'GET',
      targetUri: `http://localhost:${port}${path}`,
      key: JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as RawJwk,
      processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtOzb,
    });

  it('answers an afnemer that it authorises, in HAL, with only the authorised fields, and logs it', async () => {
    const res = await asUtrecht(`/kadastraalonroerendezaken/${SUZANNE_HOME}`);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/hal+json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['_links', 'identificatie', 'kadastraleAanduiding']);
    expect(body._links).toEqual({
      self: { href: `http://localhost:${port}/kadastraalonroerendezaken/${SUZANNE_HOME}` },
    });
    const { db, close } = openDatabase<GatewayDatabase>(`sqlite:${join(folder, 'third.db')}`);
    try {
      const rows = await db.selectFrom('access_log').select('record').execute();
      const records = rows.map(
        (r) => JSON.parse(String(r.record)) as { name: string; attributes: Record<string, unknown> },
      );
      expect(records.map((r) => r.name)).toEqual([`${SERVICE} GetKadastraalOnroerendeZaak`]);
      // Its subject, as the description says where to find it: Suzanne, the owner, by BSN.
      expect(records[0]?.attributes['dpl.core.data_subject_id_type']).toBe('BSN');
    } finally {
      await close();
    }
  });

  it('knows only the operations of its own description', async () => {
    const res = await asUtrecht('/kadastraalonroerendezaken?postcode=3077AW&huisnummer=31');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});
