import type { DirectorySnapshot, Quota } from '@poortwachter/protocol';
import {
  type ContractContent,
  ContractError,
  type ContractSignatureType,
  type ContractState,
  checkContentShape,
  contentHash,
  newContractContent,
  type SignedContract,
  signContract,
} from '@poortwachter/protocol/contracts';
import type { JWK } from 'jose';
import { type CallControl, type CallDefaults, controlledCall } from './call-control.ts';
import { directoryLoader } from './gateway-calls.ts';
import { registryJson } from './registry-json.ts';
import { SdkError } from './sdk-error.ts';

/** One signature of a contract as the registry shows it: who, what, when and why. */
export interface ContractSignatureDetail {
  readonly oin: string;
  readonly kid: string;
  readonly type: ContractSignatureType;
  /** When the party says it signed (the signed payload's `signed_at`), ISO 8601. */
  readonly signedAt: string;
  /**
   * When the registry received the signature (its clock, not signed by the party), ISO 8601; absent
   * from registries before it was shown.
   */
  readonly recordedAt?: string;
  readonly reason?: string;
}

/** A contract as the registry's `/v1/contracts` routes answer it. */
export interface ContractView extends SignedContract {
  readonly state: ContractState;
  readonly parties: { readonly afnemer: string; readonly bronhouder: string; readonly delegator?: string };
  readonly signatureDetails: readonly ContractSignatureDetail[];
}

/** What an afnemer asks for in a proposal: the terms of one autorisatie. */
export interface ProposalTerms {
  /** The service, as the directory lists it (`brp-personen`); its provider is the bronhouder. */
  readonly serviceId: string;
  /** The verwerkingsactiviteit it asks under (its own, or the delegator's when delegated). */
  readonly processingActivityId: string;
  /** Which grondslag of that verwerkingsactiviteit the access rests on. */
  readonly grondslagId: string;
  readonly fields: readonly string[];
  readonly searchTypes: readonly string[];
  /** From when (default: now) and until when the contract holds. */
  readonly notBefore?: Date;
  readonly notAfter: Date;
  /** The gemeente responsible, when this organisation asks on its behalf (a delegated grant). */
  readonly delegatorOin?: string;
  readonly quota?: Quota;
}

export interface ContractClientOptions extends CallDefaults {
  /** The organisation that signs (must hold `privateKey`, anchored, in the registry). */
  readonly oin: string;
  readonly privateKey: JWK;
  readonly registryUrl: string;
  /** The verified directory, or the pinned registry key to fetch it with (needed by `propose`). */
  readonly directory?: DirectorySnapshot;
  readonly registryKey?: JWK | { keys: JWK[] };
  /** The FSC group of the registry; by default the one of the contracts the directory carries. */
  readonly groupId?: string;
}

/** The content of a proposal from its terms, the directory telling the bronhouder and the activity's version. */
export function proposalContent(
  terms: ProposalTerms,
  caller: string,
  directory: DirectorySnapshot,
  groupId: string | undefined,
  now = new Date(),
): ContractContent {
  const service = directory.services.find((s) => s.id === terms.serviceId && s.revokedAt === null);
  if (!service) throw new SdkError('configuration', `Service ${terms.serviceId} is not in the directory.`);
  const activity = directory.processing_activities.find((a) => a.id === terms.processingActivityId);
  const nowIso = now.toISOString();
  const version = activity?.versions.filter((v) => v.validFrom <= nowIso && v.revokedAt === null).at(-1);
  if (!version) {
    throw new SdkError(
      'configuration',
      `Verwerkingsactiviteit ${terms.processingActivityId} is not in force in the directory.`,
    );
  }
  const group = groupId ?? directory.contracts?.[0]?.content.group_id;
  if (!group)
    throw new SdkError(
      'configuration',
      "Give groupId (the CLI: --group), the registry's GROUP_ID: the directory carries no contract to take it from.",
    );
  const content = newContractContent({
    afnemerOin: caller,
    serviceId: service.id,
    bronhouderOin: service.providerOin,
    processingActivityId: version.id,
    processingActivityVersion: version.version,
    grondslagId: terms.grondslagId,
    fields: terms.fields,
    searchTypes: terms.searchTypes,
    ...(terms.quota ? { quota: terms.quota } : {}),
    ...(terms.delegatorOin ? { delegatorOin: terms.delegatorOin } : {}),
    validFrom: terms.notBefore ?? now,
    validTo: terms.notAfter,
    groupId: group,
    createdAt: now,
  });
  // The same shape check the registry applies: a wrong member is named here, before anything is signed.
  try {
    return checkContentShape(content);
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    throw new SdkError(
      'configuration',
      `The proposal is not a contract the registry takes: ${error.message}`,
      undefined,
      {
        cause: error,
      },
    );
  }
}

/**
 * The contracts of one organisation at the registry: propose, accept, reject, revoke, list and read
 * them. Every signature is made here with the organisation's key (`signContract`) and only the signed
 * JWS is sent; the registry checks it, and so does every gateway that reads the directory. Every
 * contract the registry answers is checked to hold the content of its hash (else an `SdkError`
 * `contractUnverified`); its `state` is the registry's word (the gateways decide on their own check).
 *
 * @example
 * const contracts = createContractClient({ oin, privateKey, registryUrl, registryKey });
 * const proposal = await contracts.propose({
 *   serviceId: 'brp-personen', processingActivityId: bijstand, grondslagId: 'participatiewet-art-7',
 *   fields: ['naam.voornamen'], searchTypes: ['RaadpleegMetBurgerservicenummer'], notAfter: new Date('2027-12-31'),
 * });
 * await contracts.revoke(proposal.hash, 'De regeling is beëindigd.');
 */
export function createContractClient(options: ContractClientOptions) {
  const base = options.registryUrl.replace(/\/+$/, '');
  const currentDirectory = directoryLoader(options);
  const run = <T>(
    name: string,
    control: CallControl | undefined,
    body: (fetch: typeof globalThis.fetch) => Promise<T>,
  ) => controlledCall(name, options, control, body);

  const ask = <T>(fetchImpl: typeof globalThis.fetch, path: string, body?: unknown): Promise<T> =>
    registryJson<T>(fetchImpl, base, path, { body });

  const path = (hash: string) => `/v1/contracts/${encodeURIComponent(hash)}`;
  // What the registry says a contract holds is checked against the hash every party signs, so that the
  // terms shown (and then accepted) are the terms of that hash.
  const ownHash = (view: ContractView): ContractView => {
    let hash: string | undefined;
    try {
      hash = contentHash(checkContentShape(view.content));
    } catch {
      hash = undefined;
    }
    if (hash !== view.hash) {
      throw new SdkError(
        'contractUnverified',
        `The registry's contract ${view.hash} does not hold the content of that hash: its terms cannot be trusted.`,
      );
    }
    return view;
  };

  async function sign(hash: string, type: ContractSignatureType, reason: string | undefined, control?: CallControl) {
    if ((type === 'reject' || type === 'revoke') && !reason?.trim()) {
      throw new SdkError('configuration', `Give a reason to ${type} a contract: the other party reads it.`);
    }
    const signature = await signContract(hash, type, options.privateKey, reason ? { reason: reason.trim() } : {});
    return run(type, control, async (fetch) =>
      ownHash(await ask<ContractView>(fetch, `${path(hash)}/signatures`, { signature })),
    );
  }

  return {
    oin: options.oin,
    /**
     * Proposes a contract for `terms`, signed (accept) by this organisation as the afnemer (or the
     * delegate); the other parties see it pending. Resolves the contract as the registry holds it.
     */
    propose: (terms: ProposalTerms, control?: CallControl) =>
      run('propose', control, async (fetch) => {
        const content = proposalContent(terms, options.oin, await currentDirectory(fetch), options.groupId);
        const signature = await signContract(contentHash(content), 'accept', options.privateKey);
        return ownHash(await ask<ContractView>(fetch, '/v1/contracts', { content, signature }));
      }),
    /** Accepts a proposal this organisation is party to. */
    accept: (hash: string, control?: CallControl) => sign(hash, 'accept', undefined, control),
    /** Rejects a proposal, with the reason the other party reads (signed with it). */
    reject: (hash: string, reason: string, control?: CallControl) => sign(hash, 'reject', reason, control),
    /** Revokes a contract (in force or not): within one directory refresh no gateway lets it count. */
    revoke: (hash: string, reason: string, control?: CallControl) => sign(hash, 'revoke', reason, control),
    /** The contracts this organisation is party to, optionally in one state. */
    list: (filter: { state?: ContractState } = {}, control?: CallControl) =>
      run('list', control, async (fetch) => {
        const query = new URLSearchParams({ oin: options.oin, ...(filter.state ? { state: filter.state } : {}) });
        return (await ask<{ contracts: ContractView[] }>(fetch, `/v1/contracts?${query}`)).contracts.map(ownHash);
      }),
    /** One contract by its hash. */
    get: (hash: string, control?: CallControl) =>
      run('get', control, async (fetch) => {
        const view = ownHash(await ask<ContractView>(fetch, path(hash)));
        if (view.hash !== hash)
          throw new SdkError('contractUnverified', `The registry answered another contract for ${hash}.`);
        return view;
      }),
  };
}

export type ContractClient = ReturnType<typeof createContractClient>;
