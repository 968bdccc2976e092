import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { defaultPlan } from '@estateflow/billing';
import { units } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig, type Client } from '../support/api.ts';

const feeExample = (JSON.parse(readFileSync(new URL('../../schemas/fee-schedule.schema.json', import.meta.url), 'utf8')) as { examples: Record<string, unknown>[] }).examples[0]!;

/** Every page of a list, following `nextCursor`. */
async function allPages(client: Client, path: string): Promise<{ pages: number; items: Record<string, unknown>[] }> {
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await client.call('GET', `${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  return { pages, items };
}

withDatabases((kind, getDb) => {
  it(`pages bills and receipts by cursor: pages of 4 hold exactly the one-page list, each bill in the state its whole account gives it on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '翻页物业');
    const estateId = await createEstate(db, tenantId, { name: '翻页小区', buildings: [{ name: '1栋', units: ['1-101', '1-102', '1-103'] }] });
    const unitRows = await db.select().from(units).where(eq(units.estateId, estateId)).orderBy(units.label);
    await createUser(db, testConfig as never, { tenantId, username: `pg-fin-${kind}`, password: 'pw', roles: [{ estateId, role: 'finance' }] });
    const app = testApp(db, { now: () => new Date('2027-08-20T04:00:00Z') });
    const fin = await signIn(app, `pg-fin-${kind}`, 'pw');
    expect((await fin.call('POST', '/api/billing/schedules', { estateId, document: feeExample })).status).toBe(200);
    expect((await fin.call('POST', '/api/billing/plans', { estateId, document: defaultPlan('monthly', { id: 'm', feeSchedule: 'garden-fees' }) })).status).toBe(200);
    for (const u of unitRows) {
      expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: u.id, unitType: 'residential', areaSqm: '80.5' })).status).toBe(200);
    }
    for (const month of ['01', '02', '03', '04', '05', '06', '07']) {
      expect((await fin.call('POST', '/api/billing/runs', { estateId, plan: 'm', period: `2027-${month}` })).status).toBe(200);
    }
    // payments of every size on several days: some bills paid, some part paid, one unit in credit
    const pays: [number, string, number][] = [[0, '2027-01-20', 20125], [0, '2027-03-02', 50000], [1, '2027-05-01', 100000], [2, '2027-02-10', 5000], [2, '2027-07-01', 300000], [1, '2027-08-01', 1234]];
    for (const [u, on, fen] of pays) {
      expect((await fin.call('POST', '/api/billing/payments', { estateId, unitId: unitRows[u]!.id, amountFen: fen, method: 'cash', receivedOn: on })).status).toBe(200);
    }

    const whole = await fin.call('GET', `/api/billing/bills?estateId=${estateId}&limit=200`);
    expect(whole.body.items).toHaveLength(21);
    expect(whole.body.nextCursor).toBeNull();
    const paged = await allPages(fin, `/api/billing/bills?estateId=${estateId}&limit=4`);
    expect(paged.pages).toBe(6);
    expect(paged.items).toEqual(whole.body.items);
    // newest period first
    const starts = paged.items.map((b) => b.periodStart as string);
    expect(starts).toEqual([...starts].sort().reverse());
    // a page's bills carry the state their unit's whole account gives them (the one unit's list agrees)
    for (const u of unitRows) {
      const own = await allPages(fin, `/api/billing/bills?estateId=${estateId}&unitId=${u.id}&limit=2`);
      expect(own.items).toEqual(whole.body.items.filter((b: { unitId: string }) => b.unitId === u.id));
    }
    expect(whole.body.items.some((b: { outstandingFen: number }) => b.outstandingFen === 0)).toBe(true);
    expect(whole.body.items.some((b: { outstandingFen: number; principalPaidFen: number }) => b.outstandingFen > 0 && b.principalPaidFen > 0)).toBe(true);
    // every order pages the same way: pages of 4 hold exactly the one-page list, in the order the sort names
    const natural = new Intl.Collator('zh-CN', { numeric: true }).compare;
    for (const sort of ['period', 'unit', 'due', 'owed']) {
      const one = await fin.call('GET', `/api/billing/bills?estateId=${estateId}&sort=${sort}&limit=200`);
      expect(one.body.items, sort).toHaveLength(21);
      expect((await allPages(fin, `/api/billing/bills?estateId=${estateId}&sort=${sort}&limit=4`)).items, sort).toEqual(one.body.items);
      const rows = one.body.items as { unitLabel: string; periodStart: string; payBy: string; outstandingFen: number }[];
      const inOrder = (key: (a: (typeof rows)[number], b: (typeof rows)[number]) => number) => rows.every((r, i) => i === 0 || key(rows[i - 1]!, r) <= 0);
      if (sort === 'unit') expect(inOrder((a, b) => natural(a.unitLabel, b.unitLabel) || b.periodStart.localeCompare(a.periodStart))).toBe(true);
      if (sort === 'due') expect(inOrder((a, b) => a.payBy.localeCompare(b.payBy) || natural(a.unitLabel, b.unitLabel))).toBe(true);
      // largest owed first; the bills that owe nothing after them, by unit
      if (sort === 'owed') {
        expect(inOrder((a, b) => b.outstandingFen - a.outstandingFen || (a.outstandingFen === 0 ? natural(a.unitLabel, b.unitLabel) : 0))).toBe(true);
        expect(rows.some((r) => r.outstandingFen === 0) && rows.some((r) => r.outstandingFen > 0)).toBe(true);
      }
    }
    // one period, filtered in SQL
    const march = await allPages(fin, `/api/billing/bills?estateId=${estateId}&period=2027-03&limit=2`);
    expect(march.items.map((b) => b.key)).toEqual(whole.body.items.filter((b: { periodId: string }) => b.periodId === '2027-03').map((b: { key: string }) => b.key));
    expect(march.items).toHaveLength(3);

    // the units in arrears, largest first, a page at a time: pages of 1 hold the one-page list; the totals are the estate's on every page
    const arrears = await fin.call('GET', `/api/billing/arrears?estateId=${estateId}&limit=200`);
    expect(arrears.body.rows.length).toBeGreaterThan(1);
    expect(arrears.body.unitsInArrears).toBe(arrears.body.rows.length);
    expect(arrears.body.nextCursor).toBeNull();
    const arrearsPages: Record<string, unknown>[] = [];
    let next: string | null = null;
    do {
      const page = await fin.call('GET', `/api/billing/arrears?estateId=${estateId}&limit=1${next ? `&cursor=${encodeURIComponent(next)}` : ''}`);
      expect(page.body.rows).toHaveLength(1);
      expect([page.body.totalFen, page.body.unitsInArrears]).toEqual([arrears.body.totalFen, arrears.body.unitsInArrears]);
      arrearsPages.push(...page.body.rows);
      next = page.body.nextCursor;
    } while (next);
    expect(arrearsPages).toEqual(arrears.body.rows);
    const owed = arrearsPages.map((r) => r.totalFen as number);
    expect(owed).toEqual([...owed].sort((a, b) => b - a));

    const receipts = await fin.call('GET', `/api/billing/receipts?estateId=${estateId}`);
    expect(receipts.body.items).toHaveLength(pays.length);
    const pagedReceipts = await allPages(fin, `/api/billing/receipts?estateId=${estateId}&limit=4`);
    expect(pagedReceipts.pages).toBe(2);
    expect(pagedReceipts.items).toEqual(receipts.body.items);

    // a cursor this list did not give, and page sizes out of range: 400 naming the field, zh and en
    const forged = await fin.call('GET', `/api/billing/bills?estateId=${estateId}&cursor=abc`);
    expect(forged.status).toBe(400);
    expect(forged.body.error).toMatchObject({ field: 'cursor' });
    expect(forged.body.error.message.zh).toContain('cursor');
    for (const limit of ['0', '201', 'x']) {
      const res = await fin.call('GET', `/api/billing/receipts?estateId=${estateId}&limit=${limit}`);
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe('limit');
    }
  }, 120_000);
});
