import { generateKeyPairSync } from 'node:crypto';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  addCheckpointBody,
  CheckpointError,
  COSIGNATURE_ED25519,
  checkpointText,
  cosignCheckpoint,
  formatVkey,
  logNoteKeys,
  logOrigin,
  NOTE_ED25519,
  NoteError,
  noteKeyFromJwk,
  parseAddCheckpoint,
  parseCheckpointText,
  parseLogOrigin,
  parseNote,
  parseTilePath,
  parseVkey,
  signCheckpoint,
  tilePath,
  verifyCheckpoint,
  withSignatures,
  witnessPolicy,
} from './index.ts';
import { verifyEd25519 } from './note.ts';

const keyPair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { private: privateKey.export({ format: 'jwk' }) as JWK, public: publicKey.export({ format: 'jwk' }) as JWK };
};
const root = new Uint8Array(32).fill(7);
const origin = logOrigin('00000001234567890000', 'inway-1');

describe('signed notes (C2SP signed-note vectors)', () => {
  it('reads the spec’s verifier key and verifies the spec’s example note with it', async () => {
    const key = parseVkey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
    expect(key).toMatchObject({ name: 'example.com/foo', type: NOTE_ED25519, keyId: 0x530d903a });
    const note =
      'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
    const { text, signatures } = parseNote(note);
    expect(text).toBe('This is an example message.\n');
    expect(signatures[0]?.keyId).toBe(key.keyId);
    const signature = signatures[0]?.signature ?? new Uint8Array();
    expect(await verifyEd25519(key, new TextEncoder().encode(text), signature)).toBe(true);
    expect(await verifyEd25519(key, new TextEncoder().encode('This is another message.\n'), signature)).toBe(false);
    expect(formatVkey(key)).toBe('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
  });

  it('refuses a verifier key whose ID does not match, a name with a plus, control characters', () => {
    expect(() => parseVkey('example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k')).toThrow(NoteError);
    expect(() => parseVkey('example.com/foo+530d903a')).toThrow(NoteError);
    expect(() => parseNote('text\n\n— a+b AAAAAAA=\n')).toThrow(NoteError);
    expect(() => parseNote('te\u0007xt\n\n— a AAAAAAA=\n')).toThrow(NoteError);
    expect(() => parseNote('text\n— a AAAAAAA=\n')).toThrow(NoteError);
  });
});

describe('checkpoints and cosignatures', () => {
  const log = keyPair();
  const w1 = keyPair();
  const w2 = keyPair();
  const w3 = keyPair();
  const witness = (name: string, k: { public: JWK }) => ({
    name,
    vkey: formatVkey(noteKeyFromJwk(name, COSIGNATURE_ED25519, k.public)),
    url: 'http://127.0.0.1:1',
  });
  const snapshot = {
    witnesses: [witness('w.example/1', w1), witness('w.example/2', w2), witness('w.example/3', w3)],
    witness_quorum: 2,
  };
  const policy = witnessPolicy(snapshot);
  const logKeys = logNoteKeys(
    {
      keys: [{ kid: 'k', jwk: log.public, status: 'active', revokedAt: null, validFrom: '2026-01-01', validTo: null }],
    } as never,
    origin,
  );

  it('writes and reads the checkpoint text exactly', () => {
    const text = checkpointText({ origin, size: 20852163, rootHash: root });
    expect(text).toBe(`${origin}\n20852163\n${Buffer.from(root).toString('base64')}\n`);
    expect(parseCheckpointText(text)).toEqual({ origin, size: 20852163, rootHash: root });
    expect(() => parseCheckpointText(text.replace('20852163', '020852163'))).toThrow(NoteError);
    expect(() => parseCheckpointText(`${origin}\n1\nAAAA\n`)).toThrow(NoteError);
    expect(parseLogOrigin(origin)).toEqual({ oin: '00000001234567890000', logId: 'inway-1' });
    expect(parseLogOrigin('poortwachter/log/123/x')).toBeUndefined();
  });

  it('accepts a head the log signed and a quorum cosigned, and says who cosigned when', async () => {
    const note = await signCheckpoint({ origin, size: 57, rootHash: root }, log.private);
    const c1 = await cosignCheckpoint(note, { name: 'w.example/1', privateJwk: w1.private }, 1_800_000_000);
    const c2 = await cosignCheckpoint(note, { name: 'w.example/2', privateJwk: w2.private }, 1_800_000_001);
    const verified = await verifyCheckpoint(withSignatures(note, [c1, c2]), { logKeys, policy, origin });
    expect(verified.size).toBe(57);
    expect(verified.cosigners).toEqual([
      { name: 'w.example/1', timestamp: 1_800_000_000 },
      { name: 'w.example/2', timestamp: 1_800_000_001 },
    ]);
  });

  it('refuses a head with too few cosignatures, counting a witness once and ignoring strangers', async () => {
    const note = await signCheckpoint({ origin, size: 57, rootHash: root }, log.private);
    const c1 = await cosignCheckpoint(note, { name: 'w.example/1', privateJwk: w1.private }, 1_800_000_000);
    const c1again = await cosignCheckpoint(note, { name: 'w.example/1', privateJwk: w1.private }, 1_800_000_005);
    const stranger = await cosignCheckpoint(
      note,
      { name: 'w.example/2', privateJwk: keyPair().private },
      1_800_000_000,
    );
    const error = await verifyCheckpoint(`${withSignatures(note, [c1])}${c1again}${stranger}`, {
      logKeys,
      policy,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).toMatchObject({ code: 'quorum', cosigned: 1, quorum: 2 });
    expect(error.message).toBe(`only 1 of the 2 witnesses needed cosigned head 57 of log ${origin}.`);
  });

  it('refuses a cosignature of a known witness over another head, and a note the log did not sign', async () => {
    const note = await signCheckpoint({ origin, size: 57, rootHash: root }, log.private);
    const other = await signCheckpoint({ origin, size: 57, rootHash: new Uint8Array(32) }, log.private);
    const forOther = await cosignCheckpoint(other, { name: 'w.example/1', privateJwk: w1.private }, 1_800_000_000);
    await expect(verifyCheckpoint(withSignatures(note, [forOther]), { logKeys, policy })).rejects.toMatchObject({
      code: 'badSignature',
    });
    const forged = await signCheckpoint({ origin, size: 57, rootHash: root }, keyPair().private);
    await expect(verifyCheckpoint(forged, { logKeys, policy: { witnesses: [], quorum: 0 } })).rejects.toMatchObject({
      code: 'notSignedByLog',
    });
    await expect(
      verifyCheckpoint(note, { logKeys, policy, origin: logOrigin('00000001234567890000', 'other') }),
    ).rejects.toMatchObject({ code: 'origin' });
  });

  it('takes the quorum from the directory, never above the witnesses it lists', () => {
    expect(policy.quorum).toBe(2);
    expect(witnessPolicy({}).quorum).toBe(0);
    expect(witnessPolicy({ witnesses: snapshot.witnesses.slice(0, 1), witness_quorum: 2 }).quorum).toBe(1);
  });
});

describe('tlog-witness add-checkpoint bodies', () => {
  it('reads the spec’s example request', () => {
    const body =
      'old 20852014\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\njrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n';
    const parsed = parseAddCheckpoint(body);
    expect(parsed.oldSize).toBe(20852014);
    expect(parsed.proof).toHaveLength(4);
    expect(parseCheckpointText(parseNote(parsed.note).text).size).toBe(20852163);
    expect(addCheckpointBody(parsed.oldSize, parsed.proof, parsed.note)).toBe(body);
  });

  it('refuses a leading zero, a bad proof line, a missing blank line', () => {
    expect(() => parseAddCheckpoint('old 01\n\nx\n')).toThrow(NoteError);
    expect(() => parseAddCheckpoint('old 1\nnot-a-hash\n\nx\n')).toThrow(NoteError);
    expect(() => parseAddCheckpoint('old 1\n')).toThrow(NoteError);
  });
});

describe('tile paths (C2SP tlog-tiles)', () => {
  it('writes and reads the spec’s encodings', () => {
    expect(tilePath(0, 1234067)).toBe('tile/0/x001/x234/067');
    expect(tilePath(1, 0, 17)).toBe('tile/1/000.p/17');
    expect(tilePath('entries', 5)).toBe('tile/entries/005');
    expect(parseTilePath('tile/0/x001/x234/067')).toEqual({ level: 0, index: 1234067 });
    expect(parseTilePath('tile/2/000.p/1')).toEqual({ level: 2, index: 0, width: 1 });
    for (const bad of [
      'tile/0/1234',
      'tile/0/x000/001',
      'tile/64/000',
      'tile/0/000.p/256',
      'tile/0/000.p/0',
      'tile/00/000',
    ]) {
      expect(parseTilePath(bad), bad).toBeUndefined();
    }
  });
});
