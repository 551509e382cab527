import type { CoverageReport, ReportProgress } from '@poortwachter/sdk';
import type { Kysely } from 'kysely';
import type { GatewayDatabase } from '../storage/tables.ts';

/** A coverage report job as any instance on the database sees it. */
export type CoverageJob =
  | { readonly status: 'running'; readonly progress: ReportProgress }
  | { readonly status: 'done'; readonly report: CoverageReport }
  | { readonly status: 'failed'; readonly error: string };

/** Jobs are kept this long after they were started. */
export const JOB_TTL_MS = 15 * 60_000;
/** A running job whose instance has not written for this long is failed: that instance stopped. */
export const JOB_STALE_MS = 60_000;

export async function createCoverageJob(
  db: Kysely<GatewayDatabase>,
  job: { id: string; ownerOin: string; instanceId: string; at: number; progress: ReportProgress },
): Promise<void> {
  await db
    .deleteFrom('coverage_jobs')
    .where('created_at', '<', job.at - JOB_TTL_MS)
    .execute();
  await db
    .insertInto('coverage_jobs')
    .values({
      id: job.id,
      owner_oin: job.ownerOin,
      instance_id: job.instanceId,
      created_at: job.at,
      updated_at: job.at,
      status: 'running',
      progress: JSON.stringify(job.progress),
      report: null,
      error: null,
    })
    .execute();
}

export async function updateCoverageJob(
  db: Kysely<GatewayDatabase>,
  id: string,
  at: number,
  update: CoverageJob,
): Promise<void> {
  await db
    .updateTable('coverage_jobs')
    .set({
      updated_at: at,
      status: update.status,
      ...(update.status === 'running' ? { progress: JSON.stringify(update.progress) } : {}),
      ...(update.status === 'done' ? { report: JSON.stringify(update.report) } : {}),
      ...(update.status === 'failed' ? { error: update.error } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** The job, if it exists, is owned by `ownerOin` and is not past its time; a silent running job is failed. */
export async function findCoverageJob(
  db: Kysely<GatewayDatabase>,
  id: string,
  ownerOin: string,
  now: number,
): Promise<CoverageJob | undefined> {
  const row = await db
    .selectFrom('coverage_jobs')
    .selectAll()
    .where('id', '=', id)
    .where('owner_oin', '=', ownerOin)
    .where('created_at', '>=', now - JOB_TTL_MS)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.status === 'done' && row.report !== null) {
    return { status: 'done', report: JSON.parse(row.report) as CoverageReport };
  }
  if (row.status === 'failed') return { status: 'failed', error: row.error ?? 'unknown' };
  if (now - Number(row.updated_at) > JOB_STALE_MS) {
    return { status: 'failed', error: `the instance ${row.instance_id} that ran this report stopped; start it again` };
  }
  return { status: 'running', progress: JSON.parse(row.progress) as ReportProgress };
}
