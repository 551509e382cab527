import { randomBytes } from 'node:crypto';
import {
  CheckpointError,
  logNoteKeys,
  logOrigin,
  type NoteKey,
  parseCheckpointText,
  parseLogOrigin,
  parseNote,
  toBase64,
  verifyCheckpoint,
} from '@poortwachter/protocol';
import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DirectoryProvider } from '../directory/directory-provider.ts';
import { capturedLogLines, GATEWAY_URL, startTestGateway, type TestGateway } from '../testing/index.ts';
import { startTestWitness, type TestWitness, withWitnesses } from '../testing/test-witness.ts';

const SUZANNE = '999993653';
const raadpleeg = {
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: [SUZANNE],
  fields: ['naam.voornamen', 'geboorte.datum'],
};

for (const dialect of DIALECTS) {
  describeDialect(dialect, `witnessed tree heads (${dialect})`, () => {
    let gw: TestGateway;
    let a: TestWitness;
    let b: TestWitness;
    let directory: DirectoryProvider | undefined;
    const origin = logOrigin(DEMO_OIN.rvig, 'instance-1');

    const logKeys = (o: string): readonly NoteKey[] | undefined => {
      const parsed = parseLogOrigin(o);
      const provider = parsed && directory?.current().organisations.get(parsed.oin);
      return provider ? logNoteKeys(provider, o) : undefined;
    };
    const get = (path: string, headers: Record<string, string> = {}) =>
      gw.app.request(`${GATEWAY_URL}${path}`, { headers });
    const query = async () => {
      const res = await gw.send(DEMO_OIN.utrecht, raadpleeg, {
        processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      });
      expect(res.status).toBe(200);
      await gw.log.drain();
      await gw.signTreeHead();
    };
    /** Rounds until the witnesses are done with the newest head (a round may find one busy). */
    const collect = async () => {
      for (let i = 0; i < 3; i++) await gw.collectCosignatures();
    };
    const verify = (note: string, quorum = 2) =>
      verifyCheckpoint(note, {
        logKeys: logKeys(origin) ?? [],
        policy: { witnesses: [a.key, b.key], quorum },
        origin,
      });
    const readiness = async () => {
      const res = await get('/readyz');
      return {
        status: res.status,
        body: (await res.json()) as {
          status: string;
          witnesses: {
            quorum: number;
            witnesses: {
              name: string;
              cosigned_size: number | null;
              last_error: string | null;
              pending_since: string | null;
              finding?: { kind: string; witness_size: number | null; log_size: number };
            }[];
          };
        },
      };
    };
    const stateOf = async (name: string) => (await readiness()).body.witnesses.witnesses.find((w) => w.name === name);

    beforeAll(async () => {
      a = await startTestWitness({ name: 'poortwachter.example/getuige-a', logKeys: (o) => logKeys(o) });
      b = await startTestWitness({ name: 'poortwachter.example/getuige-b', logKeys: (o) => logKeys(o) });
      gw = await startTestGateway(dialect, {
        // The seeded RvIG key is P-256: its checkpoints carry note signatures of type 0x02.
        directory: (verified) => {
          directory = withWitnesses(verified, () => [a, b], 2);
          return directory;
        },
        witnesses: { intervalMs: 3_600_000, backoff: { firstMs: 1, maxMs: 1 } },
      });
      await query();
      await collect();
    });
    afterAll(async () => {
      await gw?.close();
      await a?.close();
      await b?.close();
    });

    it('serves the checkpoint of the newest head, signed by the log and cosigned by both witnesses', async () => {
      const res = await get('/log/v1/checkpoint');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const note = await res.text();
      const verified = await verify(note);
      expect(verified.size).toBe(gw.tree.size);
      expect(toBase64(verified.rootHash)).toBe(toBase64(gw.tree.root()));
      expect(verified.cosigners.map((c) => c.name).sort()).toEqual([a.name, b.name]);
      // The same note under the log's id, and in the heads' list beside the JWS head.
      expect(await (await get('/log/v1/instance-1/checkpoint')).text()).toBe(note);
      const { heads } = (await (await get('/log/v1/heads')).json()) as {
        heads: { log_id: string; tree_size: number; root_hash: string; jws: string; checkpoint: string | null }[];
      };
      const head = heads.find((h) => h.log_id === 'instance-1');
      expect(head?.checkpoint).toBe(note);
      expect(head?.tree_size).toBe(verified.size);
      expect(head?.root_hash).toBe(toBase64(verified.rootHash));
      expect(head?.jws.split('.')).toHaveLength(3);
      // Both witnesses hold the head; nothing waits.
      const ready = await readiness();
      expect(ready.status).toBe(200);
      expect(ready.body.witnesses.quorum).toBe(2);
      for (const w of ready.body.witnesses.witnesses) {
        expect(w).toMatchObject({ cosigned_size: gw.tree.size, last_error: null, pending_since: null });
      }
      expect(a.state(origin)?.size).toBe(gw.tree.size);
    });

    it("gives the citizen's proof the cosigned checkpoint of exactly the head it proves against", async () => {
      const token = await gw.citizenToken({ sub: SUZANNE });
      const list = (await (await get('/inzage/v1/verwerkingen', { authorization: `Bearer ${token}` })).json()) as {
        verwerkingen: { id: string }[];
      };
      const id = list.verwerkingen[0]?.id;
      const res = await get(`/inzage/v1/verwerkingen/${id}/bewijs`, { authorization: `Bearer ${token}` });
      expect(res.status).toBe(200);
      const proof = (await res.json()) as {
        leaf_index: number;
        head: { tree_size: number; root_hash: string; jws: string; checkpoint: string };
      };
      const verified = await verify(proof.head.checkpoint);
      expect(verified.size).toBe(proof.head.tree_size);
      expect(toBase64(verified.rootHash)).toBe(proof.head.root_hash);
      expect(proof.head.tree_size).toBeGreaterThan(proof.leaf_index);
    });

    it('keeps serving while a witness is down; readiness says it, and readers get the last head with the quorum', async () => {
      const before = gw.tree.size;
      b.setDown(true);
      await query(); // the afnemer's query is answered: witnesses are never on its path
      await collect();
      const ready = await readiness();
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ready');
      const down = ready.body.witnesses.witnesses.find((w) => w.name === b.name);
      expect(down?.cosigned_size).toBe(before);
      expect(down?.last_error).toContain('503');
      expect(down?.pending_since).not.toBeNull();
      expect((await stateOf(a.name))?.cosigned_size).toBe(gw.tree.size);
      // The checkpoint readers get is still the one with both cosignatures: the older head.
      expect((await verify(await (await get('/log/v1/checkpoint')).text())).size).toBe(before);
      // The newest head, with one cosignature, does not meet the quorum.
      const { heads } = (await (await get('/log/v1/heads')).json()) as { heads: { checkpoint: string }[] };
      const newest = heads.find((h) => parseCheckpointText(parseNote(h.checkpoint).text).origin === origin);
      const refused = await verify(newest?.checkpoint ?? '').catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(CheckpointError);
      expect((refused as CheckpointError).code).toBe('quorum');

      b.setDown(false);
      gw.witnesses?.retryNow();
      await collect();
      const back = await verify(await (await get('/log/v1/checkpoint')).text());
      expect(back.size).toBe(gw.tree.size);
      expect((await stateOf(b.name))?.pending_since).toBeNull();
    });

    it('retries once from the size a 409 names when it is not above the head (a witness that lost its state)', async () => {
      a.hold(origin, undefined);
      const answered = a.answered.length;
      await query();
      await collect();
      expect(a.answered.slice(answered, answered + 2)).toEqual([409, 200]);
      expect((await stateOf(a.name))?.cosigned_size).toBe(gw.tree.size);
      expect((await stateOf(a.name))?.finding).toBeUndefined();
    });

    it('reports a witness holding a later head (a rollback?) once, in the log and readiness, and stays ready', async () => {
      const ours = gw.tree.size;
      a.hold(origin, { size: ours + 50, rootHash: randomBytes(32) });
      const lines = capturedLogLines.length;
      await query();
      await collect();
      gw.witnesses?.retryNow();
      await collect();
      const ready = await readiness();
      expect(ready.status).toBe(200);
      expect((await stateOf(a.name))?.finding).toMatchObject({
        kind: 'later',
        witness_size: ours + 50,
        log_size: gw.tree.size,
      });
      const findings = capturedLogLines
        .slice(lines)
        .map((l) => JSON.parse(l) as { event?: string; witness?: string; witness_size?: number; msg?: string })
        .filter((l) => l.event === 'witness_finding');
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ witness: a.name, witness_size: ours + 50, log_size: gw.tree.size });
      expect(findings[0]?.msg).toContain('was this log rolled back?');
      // The other witness still cosigns; the witness that holds the later head never does.
      expect((await stateOf(b.name))?.cosigned_size).toBe(gw.tree.size);
      const { heads } = (await (await get('/log/v1/heads')).json()) as { heads: { checkpoint: string }[] };
      const newest = heads.find((h) => parseCheckpointText(parseNote(h.checkpoint).text).origin === origin);
      const { cosigners, size } = await verify(newest?.checkpoint ?? '', 1);
      expect(size).toBe(gw.tree.size);
      expect(cosigners.map((c) => c.name)).toEqual([b.name]);
      // Readers are given the newest head both witnesses cosigned: the one before.
      expect((await verify(await (await get('/log/v1/checkpoint')).text())).size).toBe(ours);
    });

    it('reports a 422 (the head does not extend what the witness holds) as a finding', async () => {
      const held = b.state(origin);
      expect(held).toBeDefined();
      // The witness holds a head of our size with another root: a second branch.
      b.hold(origin, { size: held?.size ?? 0, rootHash: randomBytes(32) });
      const lines = capturedLogLines.length;
      await query();
      await collect();
      expect(b.answered.at(-1)).toBe(422);
      expect((await stateOf(b.name))?.finding).toMatchObject({ kind: 'inconsistent', log_size: gw.tree.size });
      expect(
        capturedLogLines
          .slice(lines)
          .filter((l) => l.includes('"witness_finding"') && l.includes(b.name) && l.includes('two histories')),
      ).toHaveLength(1);
    });
  });
}
