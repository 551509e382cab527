import { join } from 'node:path';
import { signContract } from '@poortwachter/protocol/contracts';
import { generatePrivateJwk, openDatabase, type RegistryDatabase } from '@poortwachter/registry';
import { certifiedKey, demoPrivateKey, signAsOrganisation } from '@poortwachter/registry/testing';
import { DEMO_GRONDSLAGEN, DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { useRegistryEntry, verifyRegistryEntry } from '../operations/server-entry.ts';

/**
 * Issue 28, section 3, from outside: a registry server (a child process on 127.0.0.1) lets an
 * organisation change only its own records with a request signed with its anchored key; the admin
 * token onboards and keeps registry-wide records only; every change names its actor; and
 * `poortwachter registry verify` (the CLI as a process) catches a change edited or deleted straight in
 * the registry's database.
 */
describe('registry: each organisation administers its own, history cannot be rewritten', () => {
  let url: string;
  let token: string;
  const { data, keys } = useRegistryEntry('selfadmin', (entry) => ({ url, token } = entry));

  const signed = async (oin: string, method: string, path: string, body?: unknown, privateKey?: JWK) => {
    const request = await signAsOrganisation({
      registryUrl: url,
      method,
      path,
      body,
      privateKey: privateKey ?? demoPrivateKey(keys, oin),
    });
    return { request, response: await fetch(request.url, request.init) };
  };
  const asOperator = (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const organisation = async (oin: string) =>
    (await (await fetch(`${url}/v1/organisations/${oin}`)).json()) as Record<string, unknown> & {
      name: string;
      kind: string;
      roles: string[];
    };
  const ownFields = (o: Awaited<ReturnType<typeof organisation>>) => ({ name: o.name, kind: o.kind, roles: o.roles });
  const lastChange = async () =>
    ((await (await fetch(`${url}/v1/changes`)).json()) as { actor: string; entityId: string; action: string }[]).at(-1);
  const problem = async (res: Response) => {
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    return (await res.json()) as { status: number; detail: string };
  };
  const activityPath = (id: string) => `/v1/processing-activities/${encodeURIComponent(id)}`;

  it('lets an organisation change its own record, signed with its key, and records it as the actor', async () => {
    const haarlem = await organisation(DEMO_OIN.haarlem);
    const contact = { name: 'FG van Haarlem', email: 'fg@haarlem.example' };
    const { response } = await signed(DEMO_OIN.haarlem, 'PUT', `/v1/organisations/${DEMO_OIN.haarlem}`, {
      ...ownFields(haarlem),
      privacyContact: contact,
    });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toMatchObject({ privacyContact: contact });
    expect(await lastChange()).toMatchObject({ actor: DEMO_OIN.haarlem, entityId: DEMO_OIN.haarlem, action: 'update' });
  });

  it("refuses an organisation another organisation's records: 403 naming whose they are", async () => {
    const utrecht = await organisation(DEMO_OIN.utrecht);
    const { response } = await signed(DEMO_OIN.haarlem, 'PUT', `/v1/organisations/${DEMO_OIN.utrecht}`, {
      ...ownFields(utrecht),
      name: 'Gemeente Haarlem-Utrecht',
    });
    const p = await problem(response);
    expect(p.status).toBe(403);
    expect(p.detail).toContain(DEMO_OIN.utrecht);
    const activity = (await (await fetch(`${url}${activityPath(DEMO_PROCESSING_ACTIVITY.denBoschFraude)}`)).json()) as {
      versions: Record<string, unknown>[];
    };
    const {
      id: _i,
      version: _v,
      revokedAt: _r,
      recordedAt: _a,
      validFrom: _f,
      ...last
    } = activity.versions.at(-1) ?? {};
    const other = await signed(DEMO_OIN.haarlem, 'PUT', activityPath(DEMO_PROCESSING_ACTIVITY.denBoschFraude), {
      ...last,
      bewaartermijn: 'P99Y',
    });
    expect((await problem(other.response)).status).toBe(403);
    // Nor can it take the record over by naming itself responsible.
    const takeOver = await signed(DEMO_OIN.haarlem, 'PUT', activityPath(DEMO_PROCESSING_ACTIVITY.denBoschFraude), {
      ...last,
      responsibleOin: DEMO_OIN.haarlem,
    });
    expect((await problem(takeOver.response)).status).toBe(403);
    expect((await organisation(DEMO_OIN.utrecht)).name).toBe(utrecht.name);
  });

  it('narrows the admin token to onboarding and registry-wide records', async () => {
    const haarlem = await organisation(DEMO_OIN.haarlem);
    const refused = await problem(
      await asOperator('PUT', `/v1/organisations/${DEMO_OIN.haarlem}`, { ...ownFields(haarlem), name: 'Overgenomen' }),
    );
    expect(refused.status).toBe(403);
    expect(refused.detail).toContain('admin token');
    const { privateKey: _p, key } = await certifiedKey(keys, { oin: DEMO_OIN.haarlem, name: 'Gemeente Haarlem' });
    expect((await asOperator('POST', `/v1/organisations/${DEMO_OIN.haarlem}/keys`, key)).status).toBe(403);
    const grondslag = await asOperator('POST', '/v1/grondslagen', {
      ...DEMO_GRONDSLAGEN[0],
      id: 'selfadmin-grondslag',
    });
    expect(grondslag.status, await grondslag.clone().text()).toBe(201);
    expect(await lastChange()).toMatchObject({ actor: 'operator', entityId: 'selfadmin-grondslag', action: 'create' });
    const onboarded = await asOperator('POST', '/v1/organisations', {
      oin: '00000001000000000028',
      name: 'Gemeente Nieuwdorp',
      kind: 'gemeente',
      roles: ['afnemer'],
      keys: [key],
    });
    // The first key must be Nieuwdorp's: Haarlem's certificate names Haarlem.
    expect(onboarded.status).toBe(201);
    expect(await lastChange()).toMatchObject({ actor: 'operator', entityId: '00000001000000000028', action: 'create' });
  });

  it('refuses a key the operator added without an anchor, a replay, and a body changed after signing', async () => {
    // The operator onboards an organisation with a key no trust anchor vouches for: it signs for nobody.
    const { privateKey: unanchored, key } = await certifiedKey(keys, { oin: DEMO_OIN.haarlem, name: 'x' });
    const onboarded = await asOperator('POST', '/v1/organisations', {
      oin: '00000001000000000029',
      name: 'Gemeente Schaduw',
      kind: 'gemeente',
      roles: ['afnemer'],
      keys: [{ jwk: key.jwk }],
    });
    expect(onboarded.status).toBe(201);
    const shadow = await organisation('00000001000000000029');
    const byShadow = await signed(
      '00000001000000000029',
      'PUT',
      '/v1/organisations/00000001000000000029',
      ownFields(shadow),
      unanchored,
    );
    const p = await problem(byShadow.response);
    expect(p.status).toBe(401);
    expect(p.detail).toContain('not anchored');

    const haarlem = await organisation(DEMO_OIN.haarlem);
    const { request, response } = await signed(DEMO_OIN.haarlem, 'PUT', `/v1/organisations/${DEMO_OIN.haarlem}`, {
      ...ownFields(haarlem),
      webOrigins: ['https://mijn.haarlem.example'],
    });
    expect(response.status).toBe(200);
    const replay = await fetch(request.url, request.init);
    expect((await problem(replay)).status).toBe(401);
    const fresh = await signAsOrganisation({
      registryUrl: url,
      method: 'PUT',
      path: `/v1/organisations/${DEMO_OIN.haarlem}`,
      body: { ...ownFields(haarlem), webOrigins: [] },
      privateKey: demoPrivateKey(keys, DEMO_OIN.haarlem),
    });
    const tampered = await fetch(fresh.url, {
      ...fresh.init,
      body: JSON.stringify({ ...ownFields(haarlem), name: 'Gemeente Haarlem (gewijzigd)' }),
    });
    expect((await problem(tampered)).status).toBe(401);
    expect((await organisation(DEMO_OIN.haarlem)).name).toBe(haarlem.name);
  });

  it('registry verify re-verifies every contract signature: one written straight into the database is caught', async () => {
    const { db, close } = openDatabase<RegistryDatabase>(`sqlite:${join(data, 'registry.db')}`);
    try {
      const accepted = await db
        .selectFrom('contract_signatures')
        .selectAll()
        .where('oin', '=', DEMO_OIN.rvig)
        .where('type', '=', 'accept')
        .executeTakeFirstOrThrow();
      // A revoke "by RvIG" with a key the operator holds: the registry's routes would refuse it.
      const forged = await generatePrivateJwk('Ed25519');
      const jws = await signContract(accepted.hash, 'revoke', forged, { reason: 'door de beheerder' });
      await db
        .insertInto('contract_signatures')
        .values({ ...accepted, kid: String(forged.kid), type: 'revoke', reason: 'door de beheerder', jws })
        .execute();
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the directory is signed again
      const caught = await verify();
      expect(caught.code, caught.output).toBe(1);
      expect(caught.out).toContain(
        `contract ${accepted.hash}: the revoke signature by key ${forged.kid} does not count`,
      );
      await db.deleteFrom('contract_signatures').where('jws', '=', jws).execute();
      // Gone from the directory too before the next test verifies it (it was once seen still there).
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      await close();
    }
  });

  const verify = () => verifyRegistryEntry(url, data);

  it('registry verify holds for an untouched history, and catches a change edited or deleted in the database', async () => {
    const first = await verify();
    expect(first.code, first.output).toBe(0);
    expect(first.out).toContain('first seen now');
    // Every contract signature in the directory, re-verified against the trust anchors (the demo signs its contracts).
    expect(first.out).toMatch(/[1-9]\d* signatures on [1-9]\d* contracts verified/);
    const { db, close } = openDatabase<RegistryDatabase>(`sqlite:${join(data, 'registry.db')}`);
    try {
      const change = await db
        .selectFrom('registry_changes')
        .selectAll()
        .where('entity', '=', 'organisation')
        .where('entity_id', '=', DEMO_OIN.haarlem)
        .where('action', '=', 'update')
        .executeTakeFirstOrThrow();
      // Edited: the change now says the operator changed Haarlem's record, with another contact.
      await db
        .updateTable('registry_changes')
        .set({ actor: 'operator', record: change.record.replace('fg@haarlem.example', 'fg@elders.example') })
        .where('serial', '=', change.serial)
        .execute();
      const edited = await verify();
      expect(edited.code, edited.output).toBe(1);
      expect(edited.out).toContain(`change ${change.serial} `);
      expect(edited.out).toContain('edited');
      await db
        .updateTable('registry_changes')
        .set({ actor: change.actor, record: change.record })
        .where('serial', '=', change.serial)
        .execute();
      const restored = await verify();
      expect(restored.code, restored.output).toBe(0);

      // Deleted, leaf and all: the log no longer extends the head remembered by the last run.
      await db.deleteFrom('registry_changes').where('serial', '=', change.serial).execute();
      const deleted = await verify();
      expect(deleted.code, deleted.output).toBe(1);
      expect(deleted.out).toMatch(/not an extension of the head seen before|deleted/);
    } finally {
      await close();
    }
  });
});
