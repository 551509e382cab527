/** @poortwachter/gateway: the inway in front of a source. */

export {
  type FscErrorCode,
  GatewayRefusal,
  isGatewayRefusal,
  REFUSALS,
  type RefusalReason,
} from '@poortwachter/protocol';
export { DirectoryIndex } from './directory/directory-index.ts';
export {
  type DirectoryProvider,
  type DirectoryStatus,
  type RegistryDirectoryOptions,
  registryDirectory,
  staticDirectory,
} from './directory/directory-provider.ts';
export { createGatewayApp, type GatewayAppOptions } from './http/app.ts';
export type { AccessRecord, AccessRecordAttributes, StoredAccessRecord } from './log/access-record.ts';
export { GroupCommitter } from './log/group-commit.ts';
export { createLogCommitter } from './log/log-committer.ts';
export { createPseudonymiser } from './log/pseudonym.ts';
export { type LeafRow, MerkleTree, type NodeRow } from './merkle/merkle-log.ts';
export {
  consistencyProof,
  headOf,
  inclusionProof,
  latestHeads,
  loadTree,
  type TreeHead,
} from './merkle/merkle-store.ts';
export { signTreeHead, startTreeHeads, TREE_HEAD_TYP } from './merkle/tree-heads.ts';
export {
  fetchSourceClient,
  nodeSourceClient,
  type SourceCall,
  SourceCallError,
  type SourcePost,
  type SourceResponse,
} from './pipeline/source-client.ts';
export { type AutomaticField, presentPaths, projectFields, projectPerson } from './protocol/project-fields.ts';
export { citizenRecords, confidentialActivities } from './reads/citizen-records.ts';
export { citizenTimeline, type TimelinePage } from './reads/citizen-timeline.ts';
export { type Citizen, verifyCitizenToken } from './reads/citizen-token.ts';
export { type CoverageReport, databaseCoverageData, gatewayCoverage } from './reads/coverage.ts';
export { type AccessLogStore, createAccessLogStore, type LogWrite } from './storage/access-log-store.ts';
export { gatewayMigrations, migrateGateway } from './storage/migrate.ts';
export { createNonceStore, type NonceClaim, type NonceStore } from './storage/nonce-store.ts';
export {
  inThreadExecutor,
  type SqliteExecutor,
  type SqliteHandle,
  type SqliteOp,
  workerExecutor,
} from './storage/sqlite-executor.ts';
export { createSqliteAccessLogStore, createSqliteNonceStore } from './storage/sqlite-stores.ts';
export type { GatewayDatabase } from './storage/tables.ts';
