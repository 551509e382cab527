/** @poortwachter/sdk: clients for afnemers, citizens and auditors. */

export { coverageFromEntries } from './audit/coverage-from-entries.ts';
export {
  type CoverageData,
  type CoveragePair,
  computeCoverage,
  type ReportHead,
  type ReportProgress,
} from './audit/coverage-report.ts';
export {
  inForceAt,
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
export { boundedCache } from './bounded-cache.ts';
export {
  type AccessLogResult,
  type CitizenAccess,
  type CitizenClient,
  type CitizenClientOptions,
  createCitizenClient,
  type InclusionCheck,
  type MissingGateway,
  type TimelineEntry,
} from './citizen-client.ts';
export { citizenView, type LoggedAccess } from './citizen-view.ts';
export { type FetchDirectoryOptions, fetchDirectory } from './directory-client.ts';
export * from './http-signatures/index.ts';
export {
  formatTraceparent,
  isBsn,
  newNonce,
  newSpanId,
  newTraceId,
  parseTraceparent,
  type TraceParent,
  UUID_PATTERN,
  uuidv7,
} from './ids.ts';
export { generateSigningKey } from './keys.ts';
export {
  ACCESS_RECORD_COLUMNS,
  type AccessRecordColumns,
  accessRecordColumns,
  columnDifferences,
} from './log-columns.ts';
export {
  type LogCheck,
  type LogVerification,
  type LogVerifyProgress,
  type ProvenEntry,
  proveEntries,
  verifyLogs,
} from './log-verification.ts';
export { CompactRange, type CompletedNode } from './merkle/compact-range.ts';
export {
  accessLeafHash,
  canonicalJson,
  emptyRoot,
  LOGGED_REFUSAL_FIELDS,
  type LogEntry,
  type LoggedRefusal,
  leafHash,
  logLeafHash,
  nodeHash,
  rightFold,
} from './merkle/hashes.ts';
export { fileHeadStore, type HeadStore, type KnownHead, memoryHeadStore } from './merkle/head-store.ts';
export { TREE_HEAD_TYP, type TreeHead, verifyTreeHead } from './merkle/tree-head.ts';
export {
  MerkleProofError,
  verifyConsistency,
  verifyInclusion,
  verifySubtreeConsistency,
  verifySubtreeInclusion,
} from './merkle/verify.ts';
export {
  createOrganisationClient,
  type LogFilter,
  type LogPage,
  type OrganisationClient,
  type OrganisationClientOptions,
  type QueryOptions,
  type QueryResult,
} from './organisation-client.ts';
export { isSdkError, SdkError } from './sdk-error.ts';
export {
  READ_RESPONSE_COMPONENTS,
  REQUEST_COMPONENTS,
  RESPONSE_COMPONENTS,
  type SignedRequest,
  type SignRequestOptions,
  signRequest,
} from './sign-request.ts';
