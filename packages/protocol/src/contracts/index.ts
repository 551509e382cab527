/**
 * @poortwachter/protocol/contracts: autorisaties as contracts both sides sign (FSC's contracts), and keys
 * anchored outside the registry (X.509 chains to configured trust anchors, or endorsements). Node only
 * (SHA3-512 and X.509 come from node:crypto), so it is not part of the browser's protocol index.
 */
export {
  type AnchoredKey,
  type AnchoredKeys,
  anchoredKeys,
  type ChainRefusal,
  certificateWindow,
  KEY_ENDORSEMENT_TYP,
  type KeyEndorsementPayload,
  parseTrustAnchors,
  subjectSerialNumber,
} from './anchors.ts';
export {
  type CertificateSubject,
  certificatePem,
  type Issuer,
  issueCertificate,
  type KeyUsage,
  type KeyUsageBit,
  keyUsageOf,
  makeCertificateAuthority,
} from './certificates.ts';
export {
  type ContractContent,
  ContractError,
  type ContractParties,
  type ContractProperties,
  checkContentShape,
  contentHash,
  contractGrantHash,
  contractParties,
  GRANT_TYPES,
  type GrantType,
  HASH_ALGORITHM,
  type ServiceConnectionGrant,
  type SignedContract,
} from './contract.ts';
export {
  CONTRACT_SIGNATURE_ALGS,
  CONTRACT_SIGNATURE_TYP,
  CONTRACT_SIGNATURE_TYPES,
  type ContractSignaturePayload,
  type ContractSignatureType,
  type ContractTerms,
  contractSignatureVerifies,
  newContractContent,
  type ReadSignature,
  readContractSignature,
  signContract,
} from './signatures.ts';
export {
  CONTRACT_STATES,
  type ContractState,
  type ContractStatus,
  contractStatus,
  FUTURE_SLACK_SECONDS,
  KEY_REVOKED_BEFORE_SIGNED_AT,
  SIGNED_AT_MAX_AGE_SECONDS,
  type SignatureCheck,
} from './status.ts';
export { autorisatieOf, keysOfTrustedDirectory, type TrustedDirectory, trustDirectory } from './trust-directory.ts';
