import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { authoriseChange } from '../../domain/change-rules.ts';
import {
  addWitness,
  currentWitnessPolicy,
  getWitness,
  removeWitness,
  setWitnessQuorum,
  type WitnessInput,
} from '../../repositories/witnesses.ts';
import type { RegistryDatabase } from '../../storage/database.ts';
import type { ChangeEnv } from '../admin-auth.ts';
import { readJson } from '../problem-response.ts';
import { validateBody } from '../validate-body.ts';

/** Only the operator lists witnesses and sets the quorum: they decide which heads every reader accepts. */
const WITNESSES = { what: 'the witnesses and their quorum', owners: [], operator: true } as const;

/**
 * The witnesses the directory lists and the quorum readers require: public reads, and changes by the
 * operator (admin token), each recorded in the change log. Every change keeps the quorum a majority of
 * the witnesses (a 400 naming `quorum` otherwise), so a change that moves the count names the new
 * quorum with it. Witness names hold `/`: clients percent-encode them in the path.
 *
 * @example
 * await fetch(`${registry}/v1/witnesses`, { method: 'POST', headers: { authorization: `Bearer ${token}` },
 *   body: JSON.stringify({ vkey, url: 'https://getuige.example.nl', quorum: 2 }) });
 */
export function witnessRoutes(db: Kysely<RegistryDatabase>) {
  const app = new Hono<ChangeEnv>();
  app.get('/witnesses', async (c) => c.json(await currentWitnessPolicy(db)));
  app.get('/witnesses/:name', async (c) => c.json(await getWitness(db, c.req.param('name'))));
  app.post('/witnesses', async (c) => {
    const input = validateBody<WitnessInput>('witness-create', await readJson(c));
    authoriseChange(c.var.actor, WITNESSES);
    const policy = await addWitness(db, input, c.var.actor);
    const added = policy.witnesses.find((w) => w.vkey === input.vkey.trim());
    return c.json(policy, 201, added ? { location: `/v1/witnesses/${encodeURIComponent(added.name)}` } : {});
  });
  app.post('/witnesses/:name/remove', async (c) => {
    const { quorum } = validateBody<{ quorum?: number }>('witness-remove', await readJson(c));
    authoriseChange(c.var.actor, WITNESSES);
    return c.json(await removeWitness(db, c.req.param('name'), quorum === undefined ? {} : { quorum }, c.var.actor));
  });
  app.put('/witness-quorum', async (c) => {
    const { quorum } = validateBody<{ quorum: number }>('witness-quorum', await readJson(c));
    authoriseChange(c.var.actor, WITNESSES);
    return c.json(await setWitnessQuorum(db, quorum, c.var.actor));
  });
  return app;
}
