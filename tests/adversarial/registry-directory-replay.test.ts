/**
 * Issue 28, second round: `poortwachter registry verify` (the CLI as a process) replays the whole change
 * log against the published directory, not only the contract signatures. Against a registry server of
 * its own (a child process on 127.0.0.1), raw HTTP and node:crypto keys (contract-forgery.ts): Haarlem
 * adds a key and revokes it; the revocation is then undone straight in the registry's database (status
 * back to active, revoked_at null), which republishes the revoked key as valid. Verify names the key and
 * the change that revoked it. The same for a verwerkingsactiviteit's doel edited in place, and for a key
 * revoked in the database without a change. Control: the untouched registry (its seeded demo history
 * included) verifies with exit 0.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type RegistryDatabase } from '@poortwachter/registry';
import { signAsOrganisation } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { describe, expect, it } from 'vitest';
import { useRegistryEntry, verifyRegistryEntry } from '../operations/server-entry.ts';
import { compactJws, newKey, publicOf, thumbprint } from './contract-forgery.ts';
import type { RawJwk } from './raw-client.ts';

interface PublishedDirectory {
  organisations: { oin: string; keys: { kid: string; status: string; revokedAt: string | null }[] }[];
  processing_activities: { id: string; versions: { version: number; doel: string }[] }[];
}

describe('registry verify compares the whole directory with the change log (issue 28)', () => {
  let url: string;
  const { data, keys } = useRegistryEntry('replay', (entry) => ({ url } = entry));

  const haarlemKey = () => JSON.parse(readFileSync(join(keys, `${DEMO_OIN.haarlem}.jwk.json`), 'utf8')) as RawJwk;
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
  const verify = () => verifyRegistryEntry(url, data);
  const published = async (): Promise<PublishedDirectory> => {
    const jws = await (await fetch(`${url}/v1/directory`, { headers: { accept: 'application/jose' } })).text();
    return JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as PublishedDirectory;
  };
  /** Waits until the registry has signed a directory (it re-reads its database every second) that shows `seen`. */
  const publishedWith = async (seen: (d: PublishedDirectory) => boolean) => {
    for (let tries = 0; tries < 40; tries++) {
      if (seen(await published())) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error('the registry did not publish the change');
  };
  /** Runs `write` on the registry's database past its API (no change recorded, no serial raised). */
  const written = async (write: (db: ReturnType<typeof openDatabase<RegistryDatabase>>['db']) => Promise<unknown>) => {
    const { db, close } = openDatabase<RegistryDatabase>(`sqlite:${join(data, 'registry.db')}`);
    try {
      await write(db);
    } finally {
      await close();
    }
  };

  it('names a key revocation deleted from the database; exit 0 before and after it is put back', async () => {
    const key = newKey();
    const kid = thumbprint(key);
    const from = Math.floor(Date.now() / 1000) - 60;
    const endorsement = compactJws(
      { oin: DEMO_OIN.haarlem, kid, endorsed_at: from },
      'poortwachter-key-endorsement+jws',
      haarlemKey(),
    );
    const added = await asHaarlem(`/v1/organisations/${DEMO_OIN.haarlem}/keys`, {
      jwk: publicOf(key),
      endorsement,
      validFrom: new Date(from * 1000).toISOString(),
    });
    expect(added.status, added.text).toBe(201);
    const revoked = await asHaarlem(`/v1/organisations/${DEMO_OIN.haarlem}/keys/${kid}/revoke`, {});
    expect(revoked.status, revoked.text).toBe(200);
    const keyOf = (d: PublishedDirectory) => d.organisations.flatMap((o) => o.keys).find((k) => k.kid === kid);
    await publishedWith((d) => keyOf(d)?.status === 'revoked');
    const revokedAt = keyOf(await published())?.revokedAt ?? null;

    const clean = await verify();
    expect(clean.code, clean.output).toBe(0);

    await written((db) =>
      db.updateTable('organisation_keys').set({ status: 'active', revoked_at: null }).where('kid', '=', kid).execute(),
    );
    await publishedWith((d) => keyOf(d)?.status === 'active');
    const changes = (await (
      await fetch(`${url}/v1/changes?entity=organisation&entityId=${DEMO_OIN.haarlem}`)
    ).json()) as { serial: number; action: string; record: { kid?: string } }[];
    const revocation = changes.find((c) => c.action === 'revoke-key' && c.record.kid === kid);
    const caught = await verify();
    expect(caught.code, caught.output).toBe(1);
    expect(caught.out).toContain(
      `key ${kid} of Gemeente Haarlem (${DEMO_OIN.haarlem}) is active in the directory, but change ${revocation?.serial} revoked it from ${revokedAt}: the revocation was undone past the registry's API.`,
    );

    await written((db) =>
      db
        .updateTable('organisation_keys')
        .set({ status: 'revoked', revoked_at: revokedAt })
        .where('kid', '=', kid)
        .execute(),
    );
    await publishedWith((d) => keyOf(d)?.status === 'revoked');
    const restored = await verify();
    expect(restored.code, restored.output).toBe(0);
  }, 120_000);

  it("names a verwerkingsactiviteit's doel edited in place in the database", async () => {
    const id = DEMO_PROCESSING_ACTIVITY.haarlemVermogen;
    const doelOf = (d: PublishedDirectory) => d.processing_activities.find((a) => a.id === id)?.versions.at(-1);
    const version = doelOf(await published());
    expect(version).toBeDefined();
    await written((db) =>
      db
        .updateTable('processing_activity_versions')
        .set({ doel: 'Verkoop van adresbestanden aan derden.' })
        .where('id', '=', id)
        .where('version', '=', version?.version ?? 0)
        .execute(),
    );
    await publishedWith((d) => doelOf(d)?.doel === 'Verkoop van adresbestanden aan derden.');
    const caught = await verify();
    expect(caught.code, caught.output).toBe(1);
    expect(caught.out).toContain(
      `version ${version?.version} of verwerkingsactiviteit ${id} has another doel in the directory than change `,
    );
    await written((db) =>
      db
        .updateTable('processing_activity_versions')
        .set({ doel: version?.doel ?? '' })
        .where('id', '=', id)
        .where('version', '=', version?.version ?? 0)
        .execute(),
    );
  }, 60_000);

  it('names a key revoked in the database that no change revoked', async () => {
    const key = newKey();
    const kid = thumbprint(key);
    const endorsement = compactJws(
      { oin: DEMO_OIN.haarlem, kid, endorsed_at: Math.floor(Date.now() / 1000) },
      'poortwachter-key-endorsement+jws',
      haarlemKey(),
    );
    const added = await asHaarlem(`/v1/organisations/${DEMO_OIN.haarlem}/keys`, { jwk: publicOf(key), endorsement });
    expect(added.status, added.text).toBe(201);
    const revokedAt = new Date().toISOString();
    await written((db) =>
      db
        .updateTable('organisation_keys')
        .set({ status: 'revoked', revoked_at: revokedAt })
        .where('kid', '=', kid)
        .execute(),
    );
    const keyOf = (d: PublishedDirectory) => d.organisations.flatMap((o) => o.keys).find((k) => k.kid === kid);
    await publishedWith((d) => keyOf(d)?.status === 'revoked');
    const caught = await verify();
    expect(caught.code, caught.output).toBe(1);
    expect(caught.out).toContain(
      `key ${kid} of Gemeente Haarlem (${DEMO_OIN.haarlem}) is revoked from ${revokedAt} in the directory, but no change of the change log revoked it: it was revoked past the registry's API.`,
    );
  }, 60_000);
});
