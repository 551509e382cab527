/**
 * `pnpm demo:tamper`: a DEMONSTRATION of what the verifiable log is for. It edits one byte of the
 * newest stored access record straight in ./data/gateway.db, behind the gateway's back, as someone
 * with access to the database file could. Afterwards `pnpm poortwachter inzage --bsn 999993653 --verify`
 * and `pnpm poortwachter log verify --full` both report it (`--full`: a record the auditor already
 * verified on an earlier run is checked again only then). With `--column`, it edits the released
 * fields in the column beside the record instead (the column the auditor's report reads), which
 * `pnpm poortwachter log verify --full` and `pnpm poortwachter audit coverage --verify` report. Delete
 * ./data/ to start over.
 */
import { join } from 'node:path';
import type { GatewayDatabase } from '@poortwachter/gateway';
import { dataDir, openDatabase } from '@poortwachter/registry';

const { db, close } = openDatabase<GatewayDatabase>(`sqlite:${join(dataDir(), 'gateway.db')}`);
const row = await db
  .selectFrom('access_log')
  .select(['id', 'record', 'released_fields'])
  .orderBy('start_time', 'desc')
  .limit(1)
  .executeTakeFirst();
if (!row) {
  console.error('No access records yet: run pnpm demo first.');
  process.exit(2);
}
if (process.argv.includes('--column')) {
  // The column says more was released than the record does: the coverage report would count it.
  const fields = [...(JSON.parse(row.released_fields) as string[]), 'partners.naam.voornamen'].sort();
  await db
    .updateTable('access_log')
    .set({ released_fields: JSON.stringify(fields) })
    .where('id', '=', row.id)
    .execute();
  await close();
  console.log(`edited the released_fields column of record ${row.id} in ./data/gateway.db: ${JSON.stringify(fields)}`);
  console.log('now try: pnpm poortwachter log verify --full   and   pnpm poortwachter audit coverage --verify');
  process.exit(0);
}
// The record says the access ended one millisecond later than it did: one character of the JSON.
const record = JSON.parse(row.record) as { end_time: number };
const edited = row.record.replace(`"end_time":${record.end_time}`, `"end_time":${record.end_time + 1}`);
await db.updateTable('access_log').set({ record: edited }).where('id', '=', row.id).execute();
await close();
console.log(`edited record ${row.id} in ./data/gateway.db: end_time ${record.end_time} → ${record.end_time + 1}`);
console.log('now try: pnpm poortwachter inzage --bsn 999993653 --verify   and   pnpm poortwachter log verify --full');
