import type { DirectorySnapshot } from '@poortwachter/protocol';
import { changeLeafHash, rangeRoot, toBase64 } from '@poortwachter/protocol';
import { issueCertificate, makeCertificateAuthority, signContract } from '@poortwachter/protocol/contracts';
import { ed25519KeyPair } from '@poortwachter/protocol/testing';
import { describe, expect, it } from 'vitest';
import { directoryAgreesWithChangeLog } from './directory-history.ts';
import type { RegistryChange } from './registry-history.ts';

const HAARLEM = '00000001000000392000';
const RVIG = '00000001001000001000';
const HASH = '$1$1$contract';
const T0 = Date.parse('2026-12-07T09:00:00Z');
const content = { validity: { not_before: T0 / 1000 - 60, not_after: T0 / 1000 + 86_400 } };

const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** An organisation as a `create` change records it (and the directory lists it), with its one key. */
function organisation(oin: string, name: string, publicKey: { kid?: string }) {
  const key = {
    kid: publicKey.kid as string,
    jwk: publicKey,
    status: 'active',
    revokedAt: null,
    validFrom: at(-60).toISOString(),
    validTo: null,
  };
  return {
    oin,
    name,
    kind: 'gemeente',
    roles: ['afnemer'],
    keys: [key],
    revokedAt: null,
    privacyContact: null,
    webOrigins: [],
  };
}

/** Haarlem and RvIG created (changes 1 and 2), a contract proposed, accepted and revoked (3 to 5). */
async function history() {
  const haarlem = await ed25519KeyPair();
  const rvig = await ed25519KeyPair();
  const propose = await signContract(HASH, 'accept', haarlem.privateKey, { signedAt: at(3) });
  const accept = await signContract(HASH, 'accept', rvig.privateKey, { signedAt: at(4) });
  const revoke = await signContract(HASH, 'revoke', haarlem.privateKey, { signedAt: at(5), reason: 'Klaar.' });
  const organisations = [
    organisation(HAARLEM, 'Gemeente Haarlem', haarlem.publicKey),
    organisation(RVIG, 'Rijksdienst voor Identiteitsgegevens', rvig.publicKey),
  ];
  const created = organisations.map((o, i) => ({
    ...change(i + 1, 'create', 'operator', o as never),
    entity: 'organisation',
    entityId: o.oin,
  }));
  const changes = [
    ...created,
    change(3, 'propose', HAARLEM, { hash: HASH, content, signature: propose, signedBy: HAARLEM }),
    change(4, 'accept', RVIG, { hash: HASH, signature: accept, signedBy: RVIG }),
    change(5, 'revoke', HAARLEM, { hash: HASH, signature: revoke, signedBy: HAARLEM }),
  ];
  return { haarlem, rvig, organisations, changes, signatures: { propose, accept, revoke } };
}

function change(serial: number, action: string, actor: string, record: Record<string, unknown>): RegistryChange {
  return { serial, changedAt: at(serial).toISOString(), entity: 'contract', entityId: HASH, action, actor, record };
}

const leavesOf = (changes: readonly RegistryChange[]) =>
  changes.map((c) => changeLeafHash({ ...c, actor: c.actor ?? '' }));

/** The directory as the registry publishes it after `changes`: the organisations as created, unless given. */
function directory(
  changes: readonly RegistryChange[],
  signatures: readonly string[],
  extra: Partial<DirectorySnapshot> = {},
): DirectorySnapshot {
  const leaves = leavesOf(changes);
  const created = changes.filter((c) => c.entity === 'organisation' && c.action === 'create');
  return {
    serial: changes.at(-1)?.serial ?? 0,
    issued_at: at(10).toISOString(),
    organisations: created.map((c) => structuredClone(c.record) as never),
    services: [],
    grondslagen: [],
    processing_activities: [],
    autorisaties: [],
    contracts: [{ hash: HASH, content: content as never, signatures: [...signatures] }],
    identity_providers: [],
    change_log: { tree_size: leaves.length, root_hash: toBase64(rangeRoot(leaves)) },
    ...extra,
  };
}

describe('directoryAgreesWithChangeLog', () => {
  it('finds nothing when the directory holds exactly the signatures the log recorded', async () => {
    const { changes, signatures } = await history();
    const all = [signatures.propose, signatures.accept, signatures.revoke];
    expect(directoryAgreesWithChangeLog(directory(changes, all), changes, leavesOf(changes))).toEqual([]);
  });

  it('names a logged revoke the directory lacks, and a serial raised past the log', async () => {
    const { changes, signatures } = await history();
    const dir = directory(changes, [signatures.propose, signatures.accept], { serial: 6 });
    const findings = directoryAgreesWithChangeLog(dir, changes, leavesOf(changes));
    expect(findings).toEqual([
      "the directory's serial 6 is not that of the last change it reflects (change 5): the serial was raised outside the registry's changes.",
      `the revoke by Gemeente Haarlem of contract ${HASH} at 2026-12-07T09:05:00.000Z is in the change log (change 5) but not in the directory.`,
    ]);
  });

  it('without a stated head (an older registry), compares the changes up to its serial', async () => {
    const { changes, signatures } = await history();
    const { change_log: _c, ...old } = directory(changes, [signatures.propose, signatures.accept], { serial: 6 });
    const findings = directoryAgreesWithChangeLog(old, changes, leavesOf(changes));
    expect(findings[0]).toContain('serial 6 is ahead of the change log (last change 5)');
    expect(findings[1]).toContain('is in the change log (change 5) but not in the directory');
  });

  it('names a signature in the directory that no change recorded, and a head that is not the log', async () => {
    const { changes, signatures, haarlem } = await history();
    const written = await signContract(HASH, 'reject', haarlem.privateKey, { signedAt: new Date(T0) });
    const all = [signatures.propose, signatures.accept, signatures.revoke, written];
    expect(directoryAgreesWithChangeLog(directory(changes, all), changes, leavesOf(changes))).toEqual([
      `the reject by Gemeente Haarlem (key ${haarlem.publicKey.kid}) of contract ${HASH} at 2026-12-07T09:00:00.000Z is in the directory but in no change of the change log: it was written past the registry's API.`,
    ]);
    const other = directory(changes.slice(0, 4), all.slice(0, 2));
    const lying = { ...other, change_log: { tree_size: 4, root_hash: toBase64(rangeRoot(leavesOf(changes))) } };
    expect(directoryAgreesWithChangeLog(lying, changes, leavesOf(changes))[0]).toContain(
      'do not make up its root hash',
    );
  });

  it('names a signature recorded after the change that revoked its key, whatever its signed_at', async () => {
    const { changes, signatures, haarlem, organisations } = await history();
    const revokeKey: RegistryChange = {
      ...change(5, 'revoke-key', HAARLEM, { kid: haarlem.publicKey.kid, revokedAt: at(5).toISOString() }),
      entity: 'organisation',
      entityId: HAARLEM,
    };
    const late = { ...(changes[4] as RegistryChange), serial: 6, changedAt: at(6).toISOString() };
    const log = [...changes.slice(0, 4), revokeKey, late];
    const all = [signatures.propose, signatures.accept, signatures.revoke];
    const revoked = organisations.map((o) =>
      o.oin === HAARLEM
        ? { ...o, keys: o.keys.map((k) => ({ ...k, status: 'revoked', revokedAt: at(5).toISOString() })) }
        : o,
    );
    const findings = directoryAgreesWithChangeLog(
      directory(log, all, { organisations: revoked as never }),
      log,
      leavesOf(log),
    );
    expect(findings).toEqual([
      `the revoke by Gemeente Haarlem of contract ${HASH} (key ${haarlem.publicKey.kid}, signed_at 2026-12-07T09:05:00.000Z) is recorded in change 6, after change 5 revoked that key: it was signed after the revocation and dated back.`,
    ]);
  });

  it('names a contract the log recorded that has not ended but is not listed', async () => {
    const { changes } = await history();
    const dir = directory(changes, [], { contracts: [] });
    expect(directoryAgreesWithChangeLog(dir, changes, leavesOf(changes))).toEqual([
      `contract ${HASH} (recorded in change 3) has not ended but is not in the directory.`,
    ]);
  });
});

describe('directoryAgreesWithChangeLog: organisations and keys', () => {
  const asOrganisation = (c: RegistryChange, oin: string): RegistryChange => ({
    ...c,
    entity: 'organisation',
    entityId: oin,
  });

  it('names a key revocation undone in the directory; none when the directory shows it', async () => {
    const { changes, signatures, haarlem, organisations } = await history();
    const kid = haarlem.publicKey.kid as string;
    const log = [
      ...changes.slice(0, 4),
      asOrganisation(change(5, 'revoke-key', 'operator', { kid, revokedAt: at(5).toISOString() }), HAARLEM),
    ];
    const sigs = [signatures.propose, signatures.accept];
    const undone = directoryAgreesWithChangeLog(directory(log, sigs), log, leavesOf(log));
    expect(undone).toEqual([
      `key ${kid} of Gemeente Haarlem (${HAARLEM}) is active in the directory, but change 5 revoked it from 2026-12-07T09:05:00.000Z: the revocation was undone past the registry's API.`,
    ]);
    const revoked = (revokedAt: string) =>
      organisations.map((o) =>
        o.oin === HAARLEM ? { ...o, keys: o.keys.map((k) => ({ ...k, status: 'revoked', revokedAt })) } : o,
      ) as never;
    const shown = directory(log, sigs, { organisations: revoked(at(5).toISOString()) });
    expect(directoryAgreesWithChangeLog(shown, log, leavesOf(log))).toEqual([]);
    const later = directory(log, sigs, { organisations: revoked(at(9).toISOString()) });
    expect(directoryAgreesWithChangeLog(later, log, leavesOf(log))[0]).toContain(
      'is revoked only from 2026-12-07T09:09:00.000Z in the directory, but change 5 revoked it from 2026-12-07T09:05:00.000Z',
    );
    // Moved earlier: the key's signatures since then would stop counting (verify shows them as discounted).
    const earlier = directory(log, sigs, { organisations: revoked(at(2).toISOString()) });
    expect(directoryAgreesWithChangeLog(earlier, log, leavesOf(log))).toEqual([
      `key ${kid} of Gemeente Haarlem (${HAARLEM}) is revoked from ${at(2).toISOString()} in the directory, but change 5 revoked it from 2026-12-07T09:05:00.000Z: the revocation was moved earlier past the registry's API.`,
    ]);
  });

  it("accepts the operator's revoke of one key, and names a key revoked in the directory that no change revoked", async () => {
    const { changes, signatures, haarlem, organisations } = await history();
    const kid = haarlem.publicKey.kid as string;
    const sigs = [signatures.propose, signatures.accept];
    const revoked = organisations.map((o) =>
      o.oin === HAARLEM
        ? { ...o, keys: o.keys.map((k) => ({ ...k, status: 'revoked', revokedAt: at(5).toISOString() })) }
        : o,
    ) as never;
    const byOperator = [
      ...changes.slice(0, 4),
      asOrganisation(change(5, 'revoke-key', 'operator', { kid, revokedAt: at(5).toISOString() }), HAARLEM),
    ];
    const shown = directory(byOperator, sigs, { organisations: revoked });
    expect(directoryAgreesWithChangeLog(shown, byOperator, leavesOf(byOperator))).toEqual([]);

    const unlogged = changes.slice(0, 4);
    const past = directory(unlogged, sigs, { organisations: revoked });
    expect(directoryAgreesWithChangeLog(past, unlogged, leavesOf(unlogged))).toEqual([
      `key ${kid} of Gemeente Haarlem (${HAARLEM}) is revoked from 2026-12-07T09:05:00.000Z in the directory, but no change of the change log revoked it: it was revoked past the registry's API.`,
    ]);
  });

  it('names an organisation revocation undone, a key no change added, and a certificate no change recorded', async () => {
    const { changes, signatures, organisations } = await history();
    const log = [...changes, asOrganisation(change(6, 'revoke', 'operator', { revokedAt: at(6).toISOString() }), RVIG)];
    const added = await ed25519KeyPair();
    const [haarlem, rvig] = organisations as [ReturnType<typeof organisation>, ReturnType<typeof organisation>];
    const written = [
      {
        ...haarlem,
        keys: [
          { ...haarlem.keys[0], x5c: ['AAAA'] },
          { ...haarlem.keys[0], kid: added.publicKey.kid },
        ],
      },
      rvig,
    ] as never;
    const all = [signatures.propose, signatures.accept, signatures.revoke];
    const findings = directoryAgreesWithChangeLog(directory(log, all, { organisations: written }), log, leavesOf(log));
    expect(findings).toEqual([
      `key ${haarlem.keys[0]?.kid} of Gemeente Haarlem (${HAARLEM}) has another x5c in the directory than the change log recorded (change 1 and later): it was changed past the registry's API.`,
      `key ${added.publicKey.kid} of Gemeente Haarlem (${HAARLEM}) is in the directory, but no change of the change log added it: it was written past the registry's API.`,
      `organisation Rijksdienst voor Identiteitsgegevens (${RVIG}) is not revoked in the directory, but change 6 revoked it from 2026-12-07T09:06:00.000Z: the revocation was undone past the registry's API.`,
      `key ${rvig.keys[0]?.kid} of Rijksdienst voor Identiteitsgegevens (${RVIG}) is active in the directory, but change 6 revoked it from 2026-12-07T09:06:00.000Z: the revocation was undone past the registry's API.`,
    ]);
  });

  it('takes a key added or certified later, as its change recorded it', async () => {
    const { changes, signatures, organisations } = await history();
    const added = await ed25519KeyPair();
    const key = { ...organisations[0]?.keys[0], kid: added.publicKey.kid as string, jwk: added.publicKey };
    const log = [
      ...changes,
      asOrganisation(change(6, 'add-key', 'operator', key), HAARLEM),
      asOrganisation(change(7, 'certify-key', 'operator', { kid: key.kid, x5c: ['BBBB'] }), HAARLEM),
    ];
    const listed = (x5c: string[]) =>
      organisations.map((o) => (o.oin === HAARLEM ? { ...o, keys: [...o.keys, { ...key, x5c }] } : o)) as never;
    const all = [signatures.propose, signatures.accept, signatures.revoke];
    const right = directory(log, all, { organisations: listed(['BBBB']) });
    expect(directoryAgreesWithChangeLog(right, log, leavesOf(log))).toEqual([]);
    const wrong = directory(log, all, { organisations: listed(['CCCC']) });
    expect(directoryAgreesWithChangeLog(wrong, log, leavesOf(log))).toEqual([
      `key ${key.kid} of Gemeente Haarlem (${HAARLEM}) has another x5c in the directory than the change log recorded (change 6 and later): it was changed past the registry's API.`,
    ]);
  });
});

describe("directoryAgreesWithChangeLog: a stale directory and the log's own order", () => {
  it('names a change well older than the directory that it does not reflect, and a gap in the serials', async () => {
    const { changes, signatures } = await history();
    // The directory reflects changes 1 to 4 but is issued at minute 10: the revoke (minute 5) is withheld.
    const frozen = directory(changes.slice(0, 4), [signatures.propose, signatures.accept]);
    expect(directoryAgreesWithChangeLog(frozen, changes, leavesOf(changes))).toEqual([
      `change 5 of 2026-12-07T09:05:00.000Z (revoke of contract ${HASH}) is not in the directory issued at 2026-12-07T09:10:00.000Z: the directory is stale or withholds it.`,
    ]);
    // Issued within the slack after the revoke, the same directory is merely not yet up to date.
    const fresh = { ...frozen, issued_at: at(6).toISOString() };
    expect(directoryAgreesWithChangeLog(fresh, changes, leavesOf(changes))).toEqual([]);

    const gap = [...changes.slice(0, 4), { ...(changes[4] as RegistryChange), serial: 7 }];
    const all = [signatures.propose, signatures.accept, signatures.revoke];
    expect(directoryAgreesWithChangeLog(directory(gap, all), gap, leavesOf(gap))).toEqual([
      "the change log goes from serial 4 to 7: the serial was raised outside the registry's changes.",
    ]);
  });

  it("names a signature recorded after its key's validTo or its certificate's end, or long after its signed_at", async () => {
    const { changes, signatures, haarlem, organisations } = await history();
    const kid = haarlem.publicKey.kid as string;
    const ended = organisations.map((o) =>
      o.oin === HAARLEM ? { ...o, keys: o.keys.map((k) => ({ ...k, validTo: at(4.5).toISOString() })) } : o,
    );
    const log = changes.map((c) => (c.serial === 1 ? { ...c, record: ended[0] as never } : c));
    const all = [signatures.propose, signatures.accept, signatures.revoke];
    expect(
      directoryAgreesWithChangeLog(directory(log, all, { organisations: ended as never }), log, leavesOf(log)),
    ).toEqual([
      `the revoke by Gemeente Haarlem of contract ${HASH} (key ${kid}, signed_at 2026-12-07T09:05:00.000Z) is recorded in change 5 at 2026-12-07T09:05:00.000Z, after the key's validity ended (2026-12-07T09:04:30.000Z): it was signed after its end and dated back.`,
    ]);

    const ca = makeCertificateAuthority('Test CA');
    const x5c = [
      issueCertificate({
        issuer: ca,
        subject: { commonName: 'Gemeente Haarlem', serialNumber: HAARLEM },
        publicJwk: haarlem.publicKey,
        notBefore: at(-120),
        notAfter: at(4.5),
      }),
    ];
    const certified = organisations.map((o) =>
      o.oin === HAARLEM ? { ...o, keys: o.keys.map((k) => ({ ...k, x5c })) } : o,
    );
    const withCertificate = changes.map((c) => (c.serial === 1 ? { ...c, record: certified[0] as never } : c));
    const findings = directoryAgreesWithChangeLog(
      directory(withCertificate, all, { organisations: certified as never }),
      withCertificate,
      leavesOf(withCertificate),
    );
    expect(findings).toEqual([
      expect.stringContaining(
        `is recorded in change 5 at 2026-12-07T09:05:00.000Z, after the key's certificate ended (2026-12-07T09:04:30.000Z)`,
      ),
    ]);

    const old = await signContract(HASH, 'revoke', haarlem.privateKey, { signedAt: at(-1), reason: 'Klaar.' });
    const late = changes.map((c) => (c.serial === 5 ? { ...c, record: { ...c.record, signature: old } } : c));
    expect(
      directoryAgreesWithChangeLog(directory(late, [signatures.propose, signatures.accept, old]), late, leavesOf(late)),
    ).toEqual([
      `the revoke by Gemeente Haarlem of contract ${HASH} (key ${kid}, signed_at 2026-12-07T08:59:00.000Z) is recorded in change 5 at 2026-12-07T09:05:00.000Z, more than 5 minutes after its signed_at: the registry refuses that, so it was written past its API.`,
    ]);
  });
});

describe('directoryAgreesWithChangeLog: verwerkingsactiviteiten', () => {
  const ACTIVITY = 'haarlem-bijstand';
  const version = {
    version: 1,
    name: 'Bijstand',
    doel: 'Recht op bijstand vaststellen.',
    grondslagIds: ['participatiewet'],
    responsibleOin: HAARLEM,
    bewaartermijn: 'P5Y',
    vertrouwelijkheid: 'vertrouwelijk',
    validFrom: at(-30).toISOString(),
  };

  it('names a version edited in place, one no change recorded, and one deleted', async () => {
    const { changes, signatures } = await history();
    const created: RegistryChange = {
      ...change(6, 'create', 'operator', version),
      entity: 'processing-activity',
      entityId: ACTIVITY,
    };
    const log = [...changes, created];
    const all = [signatures.propose, signatures.accept, signatures.revoke];
    const published = (...versions: Record<string, unknown>[]) => ({
      processing_activities: [
        {
          id: ACTIVITY,
          versions: versions.map((v) => ({
            ...version,
            id: ACTIVITY,
            revokedAt: null,
            recordedAt: at(6).toISOString(),
            ...v,
          })),
        },
      ] as never,
    });
    expect(directoryAgreesWithChangeLog(directory(log, all, published({})), log, leavesOf(log))).toEqual([]);
    const edited = published({ doel: 'Verkoop van adresbestanden aan derden.' }, { version: 2 });
    expect(directoryAgreesWithChangeLog(directory(log, all, edited), log, leavesOf(log))).toEqual([
      `version 1 of verwerkingsactiviteit ${ACTIVITY} has another doel in the directory than change 6 recorded: it was changed past the registry's API.`,
      `version 2 of verwerkingsactiviteit ${ACTIVITY} is in the directory, but no change of the change log recorded it: it was written past the registry's API.`,
    ]);
    expect(
      directoryAgreesWithChangeLog(directory(log, all, { processing_activities: [] }), log, leavesOf(log)),
    ).toEqual([
      `version 1 of verwerkingsactiviteit ${ACTIVITY} (recorded in change 6) is not in the directory: it was deleted past the registry's API.`,
    ]);
  });
});

describe('directoryAgreesWithChangeLog: grondslagen and organisation fields', () => {
  const grondslag = {
    id: 'participatiewet',
    title: 'Participatiewet',
    lawName: 'Participatiewet',
    article: 'artikel 64',
    bwbId: 'BWBR0015703',
    url: 'https://wetten.overheid.nl/BWBR0015703',
    avgBasis: 'wettelijke-verplichting',
    validFrom: at(-60).toISOString(),
    validTo: null,
    revokedAt: null,
  };

  it('names a grondslag changed past the log, one no change recorded, and a renamed organisation', async () => {
    const { changes, signatures, organisations } = await history();
    const created: RegistryChange = {
      ...change(6, 'create', 'operator', grondslag),
      entity: 'grondslag',
      entityId: grondslag.id,
    };
    const log = [...changes, created];
    const all = [signatures.propose, signatures.accept, signatures.revoke];
    const agree = directory(log, all, { grondslagen: [grondslag] as never });
    expect(directoryAgreesWithChangeLog(agree, log, leavesOf(log))).toEqual([]);
    const renamed = organisations.map((o) => (o.oin === RVIG ? { ...o, name: 'Datahandel BV (RvIG)' } : o));
    const written = directory(log, all, {
      grondslagen: [
        { ...grondslag, validTo: null, url: 'https://elders.example' },
        { ...grondslag, id: 'verzonnen' },
      ] as never,
      organisations: renamed as never,
    });
    expect(directoryAgreesWithChangeLog(written, log, leavesOf(log))).toEqual([
      `organisation Datahandel BV (RvIG) (${RVIG}) has another name in the directory than its last create or update in the change log wrote: it was changed past the registry's API.`,
      `grondslag participatiewet has another url in the directory than the change log recorded: it was changed past the registry's API.`,
      `grondslag verzonnen is in the directory, but no change of the change log recorded it: it was written past the registry's API.`,
    ]);
  });
});
