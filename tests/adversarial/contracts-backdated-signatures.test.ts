/**
 * Issue 28, "a signature by a key that was revoked before the signing time", from outside: a registry
 * server (a child process on 127.0.0.1), raw HTTP and signatures made with node:crypto alone
 * (contract-forgery.ts). Haarlem adds a key K (endorsed by its anchored key) and revokes it; whoever
 * kept K signs with a `signed_at` from before the revocation. The registry refuses a signature dated
 * more than 5 minutes before it arrives (400 problem+json naming `signature.signed_at`); within those
 * minutes, and for a row written straight into its database, `poortwachter registry verify` (the CLI as
 * a process) finds it by the change log's order, the witnessed clock.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type RegistryDatabase } from '@poortwachter/registry';
import { signAsOrganisation } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { describe, expect, it } from 'vitest';
import { useRegistryEntry, verifyRegistryEntry } from '../operations/server-entry.ts';
import { BRP } from './contract-attack.ts';
import { compactJws, contentOf, hashOf, newKey, publicOf, signAs, thumbprint } from './contract-forgery.ts';
import type { RawJwk } from './raw-client.ts';

const ACTIVITY = DEMO_PROCESSING_ACTIVITY.haarlemVermogen;
const MINUTE = 60_000;

describe('contracts: a revoked key cannot sign by dating its signature back (issue 28)', () => {
  let url: string;
  const { data, keys } = useRegistryEntry('backdated', (entry) => ({ url } = entry));

  const haarlemKey = () => JSON.parse(readFileSync(join(keys, `${DEMO_OIN.haarlem}.jwk.json`), 'utf8')) as RawJwk;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as never };
  };
  const asHaarlem = async (path: string, body: unknown) => {
    const signed = await signAsOrganisation({
      registryUrl: url,
      method: 'POST',
      path,
      body,
      privateKey: haarlemKey() as never,
    });
    const res = await fetch(signed.url, signed.init);
    return { status: res.status, text: await res.text() };
  };

  /** A key Haarlem adds (endorsed by its anchored key, valid from two hours ago) and revokes now. */
  async function revokedKey(): Promise<RawJwk> {
    const key = newKey();
    const from = Math.floor(Date.now() / 1000) - 7200;
    const endorsement = compactJws(
      { oin: DEMO_OIN.haarlem, kid: thumbprint(key), endorsed_at: from },
      'poortwachter-key-endorsement+jws',
      haarlemKey(),
    );
    const added = await asHaarlem(`/v1/organisations/${DEMO_OIN.haarlem}/keys`, {
      jwk: publicOf(key),
      endorsement,
      validFrom: new Date(from * 1000).toISOString(),
    });
    expect(added.status, added.text).toBe(201);
    const revoked = await asHaarlem(`/v1/organisations/${DEMO_OIN.haarlem}/keys/${thumbprint(key)}/revoke`, {});
    expect(revoked.status, revoked.text).toBe(200);
    return key;
  }

  /** Fresh content for a BRP contract under Haarlem's vermogensonderzoek (a new `iv` each time). */
  async function content() {
    const activity = (await (
      await fetch(`${url}/v1/processing-activities/${encodeURIComponent(ACTIVITY)}`)
    ).json()) as { versions: { version: number; grondslagIds: string[] }[] };
    const version = activity.versions.at(-1);
    const held = (await (await fetch(`${url}/v1/contracts`)).json()) as { content: { group_id: string } }[];
    return contentOf({
      afnemer: DEMO_OIN.haarlem,
      bronhouder: DEMO_OIN.rvig,
      service: BRP,
      activity: ACTIVITY,
      activityVersion: version?.version ?? 1,
      grondslag: version?.grondslagIds[0] ?? '',
      fields: ['burgerservicenummer', 'naam.voornamen'],
      searchTypes: ['RaadpleegMetBurgerservicenummer'],
      groupId: held[0]?.content.group_id ?? 'poortwachter-demo',
    });
  }

  const verify = () => verifyRegistryEntry(url, data);

  let proposed: string;
  let revoked: RawJwk;

  it('refuses a signature dated more than 5 minutes back, or ahead: 400 naming signature.signed_at', async () => {
    revoked = await revokedKey();
    const terms = await content();
    const hash = hashOf(terms);
    const backdated = await post('/v1/contracts', {
      content: terms,
      signature: signAs(hash, 'accept', revoked, Date.now() - 60 * MINUTE),
    });
    expect(backdated.status).toBe(400);
    expect(backdated.type).toBe('application/problem+json');
    expect(backdated.body).toMatchObject({
      invalidParams: [expect.objectContaining({ name: 'signature.signed_at', code: 'signedAtTooEarly' })],
    });
    // By Haarlem's own anchored key too: the date, not the key, is refused.
    const early = await post('/v1/contracts', {
      content: terms,
      signature: signAs(hash, 'accept', haarlemKey(), Date.now() - 6 * MINUTE),
    });
    expect(early.status).toBe(400);
    const ahead = await post('/v1/contracts', {
      content: terms,
      signature: signAs(hash, 'accept', haarlemKey(), Date.now() + 10 * MINUTE),
    });
    expect(ahead.status).toBe(400);
    expect(ahead.body).toMatchObject({
      invalidParams: [expect.objectContaining({ name: 'signature.signed_at', code: 'signedAtInFuture' })],
    });
    // Control: signed now (or a minute ago: in transit) by Haarlem's key, the proposal is taken.
    const now = await post('/v1/contracts', {
      content: terms,
      signature: signAs(hash, 'accept', haarlemKey(), Date.now() - MINUTE),
    });
    expect(now.status, JSON.stringify(now.body)).toBe(201);
    proposed = hash;
  });

  it('registry verify names a signature row written into the database later with an old signed_at', async () => {
    const clean = await verify();
    expect(clean.code, clean.output).toBe(0);
    // The revoked key's "revoke" dated before its revocation counts by its date alone: only the log shows it came later.
    const jws = signAs(proposed, 'revoke', revoked, Date.now() - 10 * MINUTE, 'Ingetrokken.');
    const { db, close } = openDatabase<RegistryDatabase>(`sqlite:${join(data, 'registry.db')}`);
    try {
      await db
        .insertInto('contract_signatures')
        .values({
          hash: proposed,
          oin: DEMO_OIN.haarlem,
          kid: thumbprint(revoked),
          type: 'revoke',
          signed_at: new Date(Date.now() - 10 * MINUTE).toISOString(),
          reason: 'Ingetrokken.',
          jws,
          recorded_at: new Date().toISOString(),
        })
        .execute();
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the directory is signed again
      const caught = await verify();
      expect(caught.code, caught.output).toBe(1);
      expect(caught.out).toContain(
        `the revoke by Gemeente Haarlem (key ${thumbprint(revoked)}) of contract ${proposed} at `,
      );
      expect(caught.out).toContain('is in the directory but in no change of the change log');
      await db.deleteFrom('contract_signatures').where('jws', '=', jws).execute();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const restored = await verify();
      expect(restored.code, restored.output).toBe(0);
    } finally {
      await close();
    }
  });

  it('registry verify names a signature recorded after its key was revoked (dated back within the 5 minutes)', async () => {
    const key = await revokedKey();
    const terms = await content();
    const hash = hashOf(terms);
    // Two minutes back: before the revocation, so the registry (which knows only signed_at) takes it.
    const taken = await post('/v1/contracts', {
      content: terms,
      signature: signAs(hash, 'accept', key, Date.now() - 2 * MINUTE),
    });
    expect(taken.status, JSON.stringify(taken.body)).toBe(201);
    const changes = (await (
      await fetch(`${url}/v1/changes?entity=organisation&entityId=${DEMO_OIN.haarlem}`)
    ).json()) as {
      serial: number;
      action: string;
      record: { kid?: string };
    }[];
    const revocation = changes.find((c) => c.action === 'revoke-key' && c.record.kid === thumbprint(key));
    const caught = await verify();
    expect(caught.code, caught.output).toBe(1);
    expect(caught.out).toContain(`the accept by Gemeente Haarlem of contract ${hash} (key ${thumbprint(key)}`);
    expect(caught.out).toContain(`after change ${revocation?.serial} revoked that key`);
  });
});
