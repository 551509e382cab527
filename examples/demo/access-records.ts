import type { GatewayDatabase } from '@poortwachter/gateway';
import { openDatabase } from '@poortwachter/registry';

/**
 * Prints the access records a gateway wrote for one transaction, straight from its database (this
 * machine's, as `pnpm start` keeps it): what the bronhouder's log holds about the call just made.
 */
export async function printAccessRecords(gateway: string, databaseUrl: string, transactionId: string): Promise<void> {
  const { db, close } = openDatabase<GatewayDatabase>(databaseUrl);
  try {
    const rows = await db
      .selectFrom('access_log')
      .select(['id', 'record'])
      .where('transaction_id', '=', transactionId)
      .execute();
    console.log(
      `\nthe access log of ${gateway} for transaction ${transactionId} (${rows.length} record${rows.length === 1 ? '' : 's'}):`,
    );
    for (const row of rows) console.log(JSON.stringify({ id: row.id, ...JSON.parse(row.record) }, null, 2));
  } finally {
    await close();
  }
}
