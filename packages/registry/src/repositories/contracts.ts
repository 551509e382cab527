import type { X509Certificate } from 'node:crypto';
import { invalidField, ProblemError } from '@poortwachter/protocol';
import {
  type AnchoredKeys,
  anchoredKeys,
  type ContractContent,
  ContractError,
  type ContractSignatureType,
  type ContractState,
  type ContractStatus,
  checkContentShape,
  contentHash,
  contractParties,
  contractStatus,
  FUTURE_SLACK_SECONDS,
  readContractSignature,
  SIGNED_AT_MAX_AGE_SECONDS,
  type SignedContract,
} from '@poortwachter/protocol/contracts';
import type { Kysely } from 'kysely';
import type { RegistryDatabase } from '../storage/database.ts';
import type { ContractRow, ContractSignatureRow } from '../storage/tables/contract.table.ts';
import { type RegistryDb, recordChange } from './changes.ts';
import { checkContractTerms } from './contract-integrity.ts';
import { listOrganisations } from './organisations.ts';

/** What the registry decides contracts with: its trust anchors and its FSC group. */
export interface ContractTrust {
  readonly anchors: readonly X509Certificate[];
  readonly groupId: string;
}

/** A contract as the registry's API serves it (spec D): the signed contract and what it says now. */
export interface ContractView extends SignedContract {
  readonly state: ContractState;
  readonly parties: { readonly afnemer: string; readonly bronhouder: string; readonly delegator?: string };
  readonly signatureDetails: readonly {
    readonly oin: string;
    readonly kid: string;
    readonly type: ContractSignatureType;
    /** When the party says it signed (the signed payload's `signed_at`), ISO 8601. */
    readonly signedAt: string;
    /** When the registry received the signature (its own clock), ISO 8601. */
    readonly recordedAt: string;
    readonly reason?: string;
  }[];
}

const signedContract = (row: ContractRow, signatures: readonly ContractSignatureRow[]): SignedContract => ({
  hash: row.hash,
  content: JSON.parse(row.content) as ContractContent,
  signatures: signatures.map((s) => s.jws),
});

function view(contract: SignedContract, signatures: readonly ContractSignatureRow[], status: ContractStatus) {
  const { afnemer, bronhouder, delegator } = contractParties(contract.content);
  return {
    ...contract,
    state: status.state,
    parties: { afnemer, bronhouder, ...(delegator ? { delegator } : {}) },
    signatureDetails: signatures.map((s) => ({
      oin: s.oin,
      kid: s.kid,
      type: s.type,
      signedAt: s.signed_at,
      recordedAt: s.recorded_at,
      ...(s.reason === null ? {} : { reason: s.reason }),
    })),
  } satisfies ContractView;
}

/** Every contract, with its signatures in the order they came. `notAfterSince`: only those ending after it (Unix s). */
export async function listSignedContracts(
  db: RegistryDb,
  filter: { notAfterSince?: number } = {},
): Promise<{ contract: SignedContract; signatures: ContractSignatureRow[] }[]> {
  const [rows, signatures] = await Promise.all([
    db.selectFrom('contracts').selectAll().orderBy('proposed_at').orderBy('hash').execute(),
    db.selectFrom('contract_signatures').selectAll().orderBy('recorded_at').orderBy('oin').execute(),
  ]);
  const byHash = new Map<string, ContractSignatureRow[]>();
  for (const signature of signatures) byHash.set(signature.hash, [...(byHash.get(signature.hash) ?? []), signature]);
  return rows
    .map((row) => {
      const own = byHash.get(row.hash) ?? [];
      return { contract: signedContract(row, own), signatures: own };
    })
    .filter(
      ({ contract }) =>
        filter.notAfterSince === undefined || contract.content.validity.not_after >= filter.notAfterSince,
    );
}

/** The anchored keys of the registry's organisations, as every gateway would find them. */
export async function registryAnchoredKeys(db: RegistryDb, trust: ContractTrust): Promise<AnchoredKeys> {
  return anchoredKeys(await listOrganisations(db), trust.anchors);
}

/**
 * The contracts an organisation is party to (every contract without `oin`), in a state when asked.
 *
 * @example
 * const { contracts } = await listContracts(db, trust, { oin: haarlem, state: 'proposed' });
 */
export async function listContracts(
  db: RegistryDb,
  trust: ContractTrust,
  filter: { oin?: string; state?: ContractState } = {},
  now = new Date(),
): Promise<ContractView[]> {
  const keys = await registryAnchoredKeys(db, trust);
  const views: ContractView[] = [];
  for (const { contract, signatures } of await listSignedContracts(db)) {
    if (filter.oin && !contractParties(contract.content).required.includes(filter.oin)) continue;
    const status = await contractStatus(contract, keys, { now });
    if (filter.state && status.state !== filter.state) continue;
    views.push(view(contract, signatures, status));
  }
  return views;
}

async function findContract(db: RegistryDb, hash: string) {
  const row = await db.selectFrom('contracts').selectAll().where('hash', '=', hash).executeTakeFirst();
  if (!row) throw new ProblemError('notFound', `Contract ${hash} does not exist.`);
  const signatures = await db
    .selectFrom('contract_signatures')
    .selectAll()
    .where('hash', '=', hash)
    .orderBy('recorded_at')
    .orderBy('oin')
    .execute();
  return { contract: signedContract(row, signatures), signatures };
}

/** One contract as the API serves it; 404 when the registry holds none with that hash. */
export async function getContract(db: RegistryDb, trust: ContractTrust, hash: string, now = new Date()) {
  const { contract, signatures } = await findContract(db, hash);
  return view(contract, signatures, await contractStatus(contract, await registryAnchoredKeys(db, trust), { now }));
}

/** A ContractError (a member of the content, or the signature) as a 400 naming the member in the body. */
function asProblem(error: unknown, prefix: string): never {
  if (error instanceof ContractError) {
    const name = error.member === 'signature' ? 'signature' : `${prefix}${error.member}`;
    throw invalidField(name, error.message, 'contract');
  }
  throw error;
}

/** Refuses a `signed_at` more than 5 minutes before `now`, or ahead of it by more than the clock skew. */
function checkSignedAt(signedAt: number, now: Date): void {
  const received = Math.floor(now.getTime() / 1000);
  const refuse = (code: string, reason: string): never => {
    throw new ProblemError('paramsValidation', reason, {
      invalidParams: [{ name: 'signature.signed_at', code, reason }],
    });
  };
  const at = new Date(signedAt * 1000).toISOString();
  if (signedAt < received - SIGNED_AT_MAX_AGE_SECONDS)
    refuse(
      'signedAtTooEarly',
      `De handtekening is gedateerd op ${at}: meer dan ${SIGNED_AT_MAX_AGE_SECONDS / 60} minuten voor het register haar ontving (${now.toISOString()}). Zet een nieuwe handtekening met de tijd van nu.`,
    );
  if (signedAt > received + FUTURE_SLACK_SECONDS)
    refuse(
      'signedAtInFuture',
      `De handtekening is gedateerd op ${at}: dat ligt na ${now.toISOString()}, het moment dat het register haar ontving. Zet de klok goed en onderteken opnieuw.`,
    );
}

/**
 * The one check of an incoming signature: it reads as a contract signature, is dated when it arrives
 * (checkSignedAt), names this contract's hash, is made by a key of a party, that key is anchored, and
 * it counts (contractStatus verified it with that key, at its signing time). Returns who signed, what
 * and when.
 */
async function checkSignature(contract: SignedContract, jws: string, keys: AnchoredKeys, now: Date) {
  let read: ReturnType<typeof readContractSignature>;
  try {
    read = readContractSignature(jws);
  } catch (error) {
    asProblem(error, '');
  }
  const refuse = (code: string, reason: string): never => {
    throw new ProblemError('paramsValidation', reason, { invalidParams: [{ name: 'signature', code, reason }] });
  };
  checkSignedAt(read.payload.signed_at, now);
  if (read.payload.contract_content_hash !== contract.hash)
    refuse('hashMismatch', 'De handtekening is gezet op een andere inhoud dan dit contract (contract_content_hash).');
  const parties = contractParties(contract.content).required;
  const anchored = keys.byKid.get(read.kid);
  if (!anchored) {
    const refused = keys.refused.find((r) => r.kid === read.kid);
    return refuse(
      'keyNotAnchored',
      refused
        ? `De sleutel ${read.kid} van ${refused.oin} is niet verankerd: ${refused.why}.`
        : `Geen organisatie heeft een verankerde sleutel ${read.kid}.`,
    );
  }
  if (!parties.includes(anchored.oin)) {
    throw new ProblemError('unauthorized', 'Only a party to the contract signs it.', {
      invalidParams: [
        {
          name: 'signature',
          code: 'notAParty',
          reason: `${anchored.oin} is geen partij bij dit contract (partijen: ${parties.join(', ')}).`,
        },
      ],
    });
  }
  const status = await contractStatus({ ...contract, signatures: [jws] }, keys, { now });
  const check = status.signatures[0];
  if (!check?.counted)
    refuse('invalidSignature', `De handtekening telt niet: ${check?.why ?? status.why ?? 'onbekend'}.`);
  return { oin: anchored.oin, kid: read.kid, ...read.payload };
}

async function insertSignature(
  trx: RegistryDb,
  hash: string,
  signed: Awaited<ReturnType<typeof checkSignature>>,
  jws: string,
  at: string,
) {
  const existing = await trx
    .selectFrom('contract_signatures')
    .select('oin')
    .where('hash', '=', hash)
    .where('oin', '=', signed.oin)
    .where('type', '=', signed.type)
    .executeTakeFirst();
  if (existing) throw new ProblemError('conflict', `${signed.oin} signed ${signed.type} on this contract already.`);
  await trx
    .insertInto('contract_signatures')
    .values({
      hash,
      oin: signed.oin,
      kid: signed.kid,
      type: signed.type,
      signed_at: new Date(signed.signed_at * 1000).toISOString(),
      reason: signed.reason ?? null,
      jws,
      recorded_at: at,
    })
    .execute();
}

/**
 * A proposal: new content with the proposer's accept. The content must be well formed, in the
 * registry's group, consistent with the registry's records (as an autorisatie was), new (409 when that
 * hash exists), and the signature an accept of a party with an anchored key. Raises the serial.
 */
export async function proposeContract(
  db: Kysely<RegistryDatabase>,
  trust: ContractTrust,
  input: { content: unknown; signature: string },
  now = new Date(),
): Promise<ContractView> {
  let content: ContractContent;
  try {
    content = checkContentShape(input.content);
  } catch (error) {
    asProblem(error, 'content.');
  }
  if (content.group_id !== trust.groupId)
    throw invalidField('content.group_id', `Dit register hoort bij groep ${trust.groupId}.`, 'group');
  const hash = contentHash(content);
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('contracts').select('hash').where('hash', '=', hash).executeTakeFirst())
      throw new ProblemError('conflict', `Contract ${hash} exists already.`, {
        invalidParams: [{ name: 'content', code: 'duplicate', reason: 'Dit contract bestaat al.' }],
      });
    await checkContractTerms(trx, content);
    const contract = { hash, content, signatures: [] };
    const signed = await checkSignature(contract, input.signature, await registryAnchoredKeys(trx, trust), now);
    if (signed.type !== 'accept')
      throw invalidField('signature', 'Wie een contract voorstelt, aanvaardt het (type accept).', 'notAccept');
    await trx
      .insertInto('contracts')
      .values({ hash, content: JSON.stringify(content), proposed_at: at, proposed_by: signed.oin })
      .execute();
    await insertSignature(trx, hash, signed, input.signature, at);
    await recordChange(trx, {
      entity: 'contract',
      entityId: hash,
      action: 'propose',
      actor: signed.oin,
      record: { hash, content, signature: input.signature, signedBy: signed.oin },
      at,
    });
  });
  return getContract(db, trust, hash, now);
}

/**
 * States in which nothing can be accepted or rejected any more. An expired contract nobody ended may
 * still be accepted (it grants nothing): the demo's expired autorisatie is one, signed like the rest.
 */
const SETTLED: readonly ContractState[] = ['inForce', 'rejected', 'revoked', 'invalid'];

/**
 * A party's accept, reject or revoke on a contract the registry holds. Accept and reject only while
 * the contract is proposed (not in force, nobody rejected or revoked it); revoke any time
 * after, until someone rejected or revoked it. Raises the serial; the change names the signer.
 */
export async function addContractSignature(
  db: Kysely<RegistryDatabase>,
  trust: ContractTrust,
  hash: string,
  jws: string,
  now = new Date(),
): Promise<ContractView> {
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    const { contract } = await findContract(trx, hash);
    const keys = await registryAnchoredKeys(trx, trust);
    const signed = await checkSignature(contract, jws, keys, now);
    const status = await contractStatus(contract, keys, { now });
    if (signed.type === 'revoke') {
      if (status.state === 'rejected' || status.state === 'revoked')
        throw new ProblemError('conflict', `Contract ${hash} is ${status.state} already.`);
    } else if (SETTLED.includes(status.state) || status.missing.length === 0) {
      throw new ProblemError('conflict', `Contract ${hash} is ${status.state}: it is accepted or rejected no more.`);
    }
    await insertSignature(trx, hash, signed, jws, at);
    await recordChange(trx, {
      entity: 'contract',
      entityId: hash,
      action: signed.type,
      actor: signed.oin,
      record: { hash, signature: jws, signedBy: signed.oin },
      at,
    });
  });
  return getContract(db, trust, hash, now);
}
