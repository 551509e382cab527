/**
 * @poortwachter/protocol: what registry, gateway and sdk must agree on, and nothing that serves or
 * stores. The directory and its snapshot verification; the registry's domain model with one rule for
 * "valid at t"; the problem and FSC codes with their statuses; RFC 9421 message signatures and RFC 9530
 * digests as the gateway requires them; RFC 8785 canonical JSON, the log's leaf hashes and RFC 9162
 * proof verification; and the rules every surface shares for what people type, read and download: dates,
 * CSV, the Host of a server for this machine only, the characters no shown text may carry (control
 * characters). Its only dependencies are jose and structured-headers.
 */

export { boundedCache } from './bounded-cache.ts';
export { equalBytes, fromBase64, toBase64, toBase64Url, toHex, utf8Bytes } from './bytes.ts';
export { type CsvCell, type CsvOptions, csvCell, toCsv } from './csv.ts';
export {
  CONTRACT_TIME_ZONE,
  calendarDateIn,
  dateTimeIn,
  isCalendarDate,
  type ParsedDateTime,
  type PeriodProblem,
  type PeriodReading,
  parseDateTime,
  readPeriod,
} from './dates.ts';
export {
  CHANGES_TYP,
  DIRECTORY_ALGS,
  DIRECTORY_TYP,
  type DirectorySnapshot,
  JOSE_JSON,
  type Witness,
} from './directory/types.ts';
export {
  CHANGE_LOG_ID,
  type ChangeLogHead,
  DirectoryVerificationError,
  type SignedChangesPage,
  type VerifiedDirectory,
  type VerifySnapshotOptions,
  verifyChangeLogHead,
  verifyChangesPage,
  verifyDirectory,
  verifyDirectorySnapshot,
} from './directory/verify-snapshot.ts';
export { isAtOrBelow, overlapping, valuesAt } from './domain/field-paths.ts';
export type * from './domain/model.ts';
export {
  dereferenceOpenApi,
  type OpenApiObject,
  openApiSchemaPaths,
  resolveOpenApiRef,
  type SchemaPathOptions,
} from './domain/openapi-paths.ts';
export { fieldUrn, ownFields, parseFieldUrn } from './domain/own-data.ts';
export type { PublicJwk, PublicKeyMaterial } from './domain/public-jwk.ts';
export * from './domain/retention.ts';
export * from './domain/service-description.ts';
export { inForce, inForceDuring, type Validity } from './domain/validity.ts';
export { bindsVersion, grantsAt, versionAt, versionKnownAt } from './domain/versions.ts';
export * from './domain/vocabulary.ts';
export { EMAIL_ADDRESS_MAX_LENGTH, EMAIL_ADDRESS_PATTERN, isEmailAddress } from './email-address.ts';
export { EVIDENCE_RESPONSE_HEADERS, type ExchangeEvidence, verifyExchange } from './exchange-evidence.ts';
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
  uuidv7Time,
} from './ids.ts';
export { isOwnLoopbackHost, LOOPBACK_NAMES, MISDIRECTED_STATUS, misdirected } from './local-host.ts';
export {
  ACCESS_RECORD_COLUMNS,
  type AccessRecordColumns,
  accessRecordColumns,
  columnDifferences,
} from './log-columns.ts';
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
export {
  changeLeafHash,
  consistencyProofOf,
  inclusionProofOf,
  type RegistryChangeEntry,
  rangeRoot,
} from './merkle/leaf-proofs.ts';
export { TREE_HEAD_TYP, type TreeHead, verifyTreeHead } from './merkle/tree-head.ts';
export {
  consistencyRanges,
  decompose,
  inclusionRanges,
  type NodeId,
  type Range,
  splitPoint,
} from './merkle/tree-math.ts';
export {
  MerkleProofError,
  verifyConsistency,
  verifyInclusion,
} from './merkle/verify.ts';
export * from './problem.ts';
export {
  type FscErrorCode,
  GatewayRefusal,
  isGatewayRefusal,
  REFUSALS,
  type RefusalReason,
} from './refusals.ts';
export {
  READ_RESPONSE_COMPONENTS,
  REQUEST_COMPONENTS,
  RESPONSE_COMPONENTS,
  type SignedRequest,
  type SignRequestOptions,
  signRequest,
} from './sign-request.ts';
export * from './terugmelding/index.ts';
export * from './transparency/index.ts';
export { escapeControlCharacters, VISIBLE_TEXT_PATTERN } from './visible-text.ts';
