/** @poortwachter/sdk: clients for afnemers, citizens and auditors (with the protocol they speak). */

export * from '@poortwachter/protocol';

export { resolveLinks, type WriteFileAtomicOptions, writeFileAtomic } from './atomic-file.ts';

export {
  type ChangeLogVerification,
  ChangeLogWitnessError,
  type ChangeLogWitnessed,
  type RememberedChangeLogHead,
  verifyChangeLog,
} from './audit/change-log.ts';
export { coverageFromEntries } from './audit/coverage-from-entries.ts';
export {
  type CoverageData,
  type CoveragePair,
  computeCoverage,
  type ReportHead,
  type ReportProgress,
} from './audit/coverage-report.ts';
export {
  type RegistryChange,
  type RegistryHistory,
  registryHistory,
  StateTimeline,
  snapshotHistory,
  type ValidityState,
} from './audit/registry-history.ts';
export {
  type CoverageVerification,
  jsonDifferences,
  verifyCoverageReport,
} from './audit/verify-coverage.ts';
export {
  type AuditorClient,
  type AuditorClientOptions,
  type CoverageProgress,
  type CoverageReport,
  createAuditorClient,
} from './auditor-client.ts';
// What a citizen's client needs, also alone (and browser-safe) as @poortwachter/sdk/citizen.
export * from './citizen.ts';
export {
  type ContractClient,
  type ContractClientOptions,
  type ContractSignatureDetail,
  type ContractView,
  createContractClient,
  type ProposalTerms,
  proposalContent,
} from './contract-client.ts';
export { type FileLock, FileLockedError, type LockHolder, lockFile } from './file-lock.ts';
export { generateSigningKey } from './keys.ts';
export type { LogNotChecked } from './log-anchors.ts';
export {
  type LogCheck,
  type LogVerification,
  type LogVerifyProgress,
  logEntryPages,
  type ProvenEntry,
  proveEntries,
  type ServedEntry,
  verifyLogs,
} from './log-verification.ts';
export {
  fileHeadStore,
  type HeadConflict,
  type HeadStore,
  HeadsFileError,
  type KnownHead,
  listSeenHeads,
  memoryHeadStore,
  noHeadsSeen,
  type ProvenUpTo,
  type SeenHeads,
} from './merkle/head-store.ts';
export {
  createOrganisationClient,
  type LogFilter,
  type LogPage,
  type OrganisationClient,
  type OrganisationClientOptions,
  type QueryOptions,
  type QueryResult,
} from './organisation-client.ts';
export {
  createOutwayAdminClient,
  type OutwayAdminClient,
  type OutwayAdminClientOptions,
  type OutwayApplication,
} from './outway-admin-client.ts';
export { type LoggedExchange, type LoggedRecord, type Reconciliation, reconcileLogs } from './reconcile.ts';
export type {
  CallOptions,
  CallResult,
  QueryValue,
  ServiceCalls,
} from './service-call.ts';
export {
  createTerugmeldingClient,
  type TerugmeldingClient,
  type TerugmeldingClientOptions,
  type TerugmeldingStatusChange,
} from './terugmelding-client.ts';
export { readTrustAnchorsFile, trustedBy } from './trusted-directory.ts';
export { type BronVerification, type DownloadVerification, verifyDownload } from './verify-download.ts';
export {
  addCheckpoint,
  type DirectoryLogKeysOptions,
  directoryLogKeys,
  type LogKeySource,
  type LogKeyStatus,
  LogKeysUnavailableError,
  type OpenWitnessOptions,
  openWitness,
  originHash,
  startWitnessServer,
  staticLogKeys,
  type WitnessAnswer,
  type WitnessEvent,
  type WitnessKey,
  WitnessKeyError,
  type WitnessLogState,
  type WitnessService,
  WitnessStateError,
  witnessHandler,
  witnessKey,
  witnessKeyFile,
} from './witness/index.ts';
export { type AcceptedHead, type LogReader, type WitnessedHeads, witnessedHeads } from './witnessed-heads.ts';
