/** @poortwachter/gateway: the inway in front of a source. */
export { DirectoryIndex } from './directory/directory-index.ts';
export {
  type DirectoryProvider,
  type DirectoryStatus,
  demoTrustAnchors,
  type RegistryDirectoryOptions,
  registryDirectory,
} from './directory/directory-provider.ts';
export { createGateway, type Gateway, type GatewayConfig } from './gateway.ts';
export { createGatewayApp, type GatewayAppOptions } from './http/app.ts';
export { BatchQueue, type CommitStats, type GroupCommitter } from './log/group-commit.ts';
export { MerkleTree } from './log/merkle/merkle-log.ts';
export { consistencyProof, headOf, inclusionProof, latestHeads, loadTree } from './log/merkle/merkle-store.ts';
export { signTreeHead } from './log/merkle/tree-heads.ts';
export { type OpenLog, openLog } from './log/open-log.ts';
export { createPseudonymiser } from './log/pseudonym.ts';
export { type Mailer, type MailMessage, type SmtpMailerOptions, smtpMailer } from './notice/mailer.ts';
export { NOTICE_SUBJECT, type NoticeConfig, type NoticeRun, noticeText } from './notice/notice-job.ts';
export { type Berichten, FREQUENTIES, type Frequentie } from './notice/subscriptions.ts';
export { buildAccessRecords } from './pipeline/build-records.ts';
export type { SourceOptions } from './pipeline/forward.ts';
export {
  type CallerQuotas,
  callerQuotas,
  DEFAULT_QUOTAS,
  type QuotaLimit,
  Quotas,
  quotasFromSettings,
} from './pipeline/quota.ts';
export { nodeSourceClient, type SourcePost, type SourceResponse } from './pipeline/source-client.ts';
export { type AutomaticField, projectPerson } from './protocol/project-fields.ts';
export { logEntries } from './repositories/access-log-reads.ts';
export { purgeExpired, type RetentionRun } from './repositories/retention.ts';
export type { AccessLogStore, LogWrite } from './storage/access-log-store.ts';
export type { AccessRecord, AccessRecordAttributes, StoredAccessRecord } from './storage/access-record.ts';
export { gatewayMigrations, migrateGateway } from './storage/migrate.ts';
export { ensureMonthPartitions, monthPartitions } from './storage/partitions.ts';
export type { GatewayDatabase } from './storage/tables.ts';
