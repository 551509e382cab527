import { describeDialect } from '@poortwachter/registry/testing';
import { createAuditorClient, fetchDirectory, memoryHeadStore } from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ensureMonthPartitions, monthOf, partitionName } from '../storage/partitions.ts';
import { GATEWAY_URL, startTestGateway, type TestGateway } from '../testing/index.ts';

const SUZANNE = '999993653';
const OTHER = '999995078';
const MONTH = 31 * 86_400_000;

/**
 * The access log partitioned by month (PostgreSQL only: SQLite has one table). A citizen's timeline
 * reads only the months in which they have records; a record of a month without its partition makes
 * that partition first.
 */
describeDialect('postgres', 'the access log by month (postgres)', () => {
  let gw: TestGateway;
  const db = () => gw.db as unknown as Kysely<unknown>;
  const query = async (bsn: string) => {
    const res = await gw.send(
      DEMO_OIN.utrecht,
      { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [bsn], fields: ['naam.voornamen'] },
      { processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo },
    );
    expect(res.status, await res.clone().text()).toBe(200);
  };
  /** Every page of the citizen's timeline as a plain HTTP client walks it (no sdk). */
  const walk = async (bsn: string, limit: number) => {
    const token = await gw.citizenToken({ sub: bsn });
    const seen: { id: string; tijdstip: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await gw.app.request(
        `${GATEWAY_URL}/inzage/v1/verwerkingen?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(res.status).toBe(200);
      const page = (await res.json()) as {
        verwerkingen: { id: string; tijdstip: string }[];
        volgende: string | null;
      };
      seen.push(...page.verwerkingen);
      cursor = page.volgende;
      pages++;
    } while (cursor && pages < 100);
    return seen;
  };

  beforeEach(async () => {
    gw = await startTestGateway('postgres');
  });
  afterEach(async () => gw.close());

  it('a timeline over thirty months pages newest first, without gaps or duplicates, reading only its months', async () => {
    for (let i = 0; i < 30; i++) await query(SUZANNE);
    for (let i = 0; i < 3; i++) await query(OTHER);
    await gw.log.drain();
    // Spread Suzanne's records over thirty months back (one a month), as twenty years of queries would be.
    const ids = (
      await sql<{ id: string; data_subject_id: string }>`
        select id, data_subject_id from access_log order by start_time, id`.execute(db())
    ).rows;
    const subject = (
      await sql<{ data_subject_id: string }>`
        select data_subject_id from access_log group by 1 order by count(*) desc limit 1`.execute(db())
    ).rows[0]?.data_subject_id;
    const hers = ids.filter((r) => r.data_subject_id === subject);
    expect(hers).toHaveLength(30);
    const now = Date.now();
    await ensureMonthPartitions(db(), now - 31 * MONTH, now);
    await sql`delete from access_log_subject_months where data_subject_id = ${subject}`.execute(db());
    for (const [i, { id }] of hers.entries()) {
      const t = now - (29 - i) * MONTH;
      await sql`update access_log set start_time = ${t} where id = ${id}`.execute(db());
      await sql`insert into access_log_subject_months values (${subject}, ${monthOf(t).month}, 1)
        on conflict (data_subject_id, month) do update set records = access_log_subject_months.records + 1`.execute(
        db(),
      );
    }

    // Pages of 4 (within one query's twelve months) and of 20 (each page reads across several).
    expect((await walk(SUZANNE, 20)).map((r) => r.id)).toEqual(hers.map((r) => r.id).reverse());
    const seen = await walk(SUZANNE, 4);
    expect(seen.map((r) => r.id)).toEqual(hers.map((r) => r.id).reverse());
    // Counts higher than what is there (records purged one by one since, or hidden as confidential):
    // a page's first months do not fill it, and it reads on into older months.
    await sql`update access_log_subject_months set records = 5 where data_subject_id = ${subject}`.execute(db());
    expect((await walk(SUZANNE, 20)).map((r) => r.id)).toEqual(hers.map((r) => r.id).reverse());
    const times = seen.map((r) => Date.parse(r.tijdstip));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // The other citizen's three records are theirs alone.
    expect((await walk(OTHER, 2)).map((r) => r.id)).toEqual(
      ids
        .filter((r) => r.data_subject_id !== subject)
        .map((r) => r.id)
        .reverse(),
    );
  });

  it('notes each subject’s month with the records, and makes a missing month’s partition before it writes', async () => {
    const { month } = monthOf(Date.now());
    // As if the month's partition had gone since the gateway started (a purge on a clock far ahead).
    await sql`drop table ${sql.table(partitionName(month))}`.execute(db());
    await query(SUZANNE);
    await gw.log.drain();
    const made = await sql<{ oid: string | null }>`select to_regclass(${partitionName(month)})::text as oid`.execute(
      db(),
    );
    expect(made.rows[0]?.oid).not.toBeNull();
    await query(SUZANNE);
    await query(OTHER);
    await gw.log.drain();
    const noted = await sql<{ month: string; records: string }>`
      select month, records::text from access_log_subject_months order by records`.execute(db());
    expect(noted.rows.map((r) => [r.month, r.records])).toEqual([
      [month, '1'],
      [month, '2'],
    ]);
    expect(await walk(SUZANNE, 20)).toHaveLength(2);
  });

  it('a subject month deleted behind the log (which hides records from the timeline) is a finding for the auditor', async () => {
    await query(SUZANNE);
    await query(OTHER);
    await gw.log.drain();
    await gw.signTreeHead();
    const fetchImpl: typeof fetch = async (input, init) => gw.app.request(String(input), init);
    const directory = await fetchDirectory({
      registryUrl: 'http://registry.test',
      registryKey: gw.registry.registryPublicKey,
      fetch: async (input, init) => gw.registry.app.request(String(input), init),
    });
    const auditor = createAuditorClient({
      oin: DEMO_OIN.autoriteitPersoonsgegevens,
      privateKey: gw.key(DEMO_OIN.autoriteitPersoonsgegevens),
      directory,
      fetch: fetchImpl,
    });
    const heads = memoryHeadStore();
    const before = await auditor.verifyLogs({ heads, full: true });
    expect(before.logs.flatMap((l) => l.findings)).toEqual([]);

    const hers = (await walk(SUZANNE, 20))[0];
    expect(hers).toBeDefined();
    const subject = (
      await sql<{ data_subject_id: string }>`select data_subject_id from access_log where id = ${hers?.id}`.execute(
        db(),
      )
    ).rows[0]?.data_subject_id;
    await sql`delete from access_log_subject_months where data_subject_id = ${subject}`.execute(db());
    expect(await walk(SUZANNE, 20)).toEqual([]);
    const after = await auditor.verifyLogs({ heads, full: true });
    const findings = after.logs.flatMap((l) => l.findings);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toContain(hers?.id);
    expect(findings[0]).toContain('HIDDEN');
  });
});
