import { invalidField, OIN_PATTERN, ProblemError } from '@poortwachter/protocol';
import { CONTRACT_STATES, type ContractState } from '@poortwachter/protocol/contracts';
import { type Context, Hono } from 'hono';
import type { Kysely } from 'kysely';
import { trustedSnapshot } from '../../directory/contracts-no-longer-binding.ts';
import {
  addContractSignature,
  type ContractTrust,
  getContract,
  listContracts,
  proposeContract,
} from '../../repositories/contracts.ts';
import type { RegistryDatabase } from '../../storage/database.ts';
import { readJson } from '../problem-response.ts';
import { validateBody } from '../validate-body.ts';

/**
 * The registry's contracts (spec D): public reads, and changes that need no token because the party's
 * signature in the body authenticates them (a proposal with its proposer's accept; an accept, reject
 * or revoke). Mounted before the admin token's guard.
 */
export function contractRoutes(db: Kysely<RegistryDatabase>, trust: ContractTrust) {
  const app = new Hono();

  app.get('/contracts', async (c) => {
    const oin = c.req.query('oin');
    const state = c.req.query('state');
    if (oin !== undefined && !new RegExp(OIN_PATTERN).test(oin))
      throw invalidField('oin', 'Een OIN bestaat uit precies 20 cijfers.', 'pattern');
    if (state !== undefined && !(CONTRACT_STATES as readonly string[]).includes(state))
      throw invalidField('state', `Kies een van ${CONTRACT_STATES.join(', ')}.`, 'enum');
    const contracts = await listContracts(db, trust, {
      ...(oin ? { oin } : {}),
      ...(state ? { state: state as ContractState } : {}),
    });
    return c.json({ contracts });
  });
  app.get('/contracts/:hash', async (c) => c.json(await getContract(db, trust, c.req.param('hash'))));
  app.post('/contracts', async (c) => {
    const input = validateBody<{ content: unknown; signature: string }>('contract-proposal', await readJson(c));
    const contract = await proposeContract(db, trust, input);
    return c.json(contract, 201, { location: `/v1/contracts/${encodeURIComponent(contract.hash)}` });
  });
  app.post('/contracts/:hash/signatures', async (c) => {
    const { signature } = validateBody<{ signature: string }>('contract-signature', await readJson(c));
    return c.json(await addContractSignature(db, trust, c.req.param('hash'), signature));
  });

  // Autorisaties are what the contracts in force say, derived as every gateway derives them.
  const derived = async () => (await trustedSnapshot(db, trust.anchors)).autorisaties;
  app.get('/autorisaties', async (c) => {
    const afnemerOin = c.req.query('afnemerOin');
    return c.json((await derived()).filter((a) => !afnemerOin || a.afnemerOin === afnemerOin));
  });
  app.get('/autorisaties/:id', async (c) => {
    const found = (await derived()).find((a) => a.id === c.req.param('id'));
    if (!found) throw new ProblemError('notFound', `Autorisatie ${c.req.param('id')} does not exist.`);
    return c.json(found);
  });
  const gone = (c: Context) => {
    throw new ProblemError(
      'gone',
      `Autorisaties are contracts both parties sign now: propose one with POST /v1/contracts and accept, reject or revoke it with POST /v1/contracts/{hash}/signatures (not ${c.req.method} ${c.req.path}).`,
    );
  };
  app.post('/autorisaties', gone);
  app.put('/autorisaties/:id', gone);
  app.post('/autorisaties/:id/revoke', gone);
  return app;
}
