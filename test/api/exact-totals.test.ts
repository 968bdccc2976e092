import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { spendingEntries } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

// issue #16, "Totals never lose a fen": an API total is added exactly (services/exact-total.ts, the
// billing package's sumFen/toFen) and one beyond Number.MAX_SAFE_INTEGER fen is 422
// amount-out-of-range naming the figure, never a rounded number. Inputs are capped at 1 亿元, so
// reaching 2^53 takes 900,720 of them (apps/api/src/services/exact-total.test.ts builds that sum);
// here the rows are written straight to the table, past the cap, as only a direct import could.
withDatabases((kind, getDb) => {
  it(`states a spending total exactly or refuses it, never rounded, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '长城物业');
    const estateId = await createEstate(db, tenantId, { name: '花园小区' });
    const fin = await createUser(db, testConfig as never, { tenantId, username: `fin-${kind}`, password: 'pw', roles: [{ estateId, role: 'finance' }] });
    const app = testApp(db, { now: () => new Date('2027-01-10T04:00:00Z') });
    const clerk = await signIn(app, `fin-${kind}`, 'pw');
    const enter = (amountFen: number, spentOn: string) =>
      db.insert(spendingEntries).values({ tenantId, id: randomUUID(), estateId, category: '其他', amountFen, spentOn, enteredBy: fin, enteredAt: new Date('2027-01-01T00:00:00Z') });
    await enter(Number.MAX_SAFE_INTEGER, '2026-10-01');
    await enter(2, '2026-10-02');
    await enter(-2, '2026-10-03');

    // the running sum passes 2^53 on the way (2^53 + 1 rounds to 2^53 in floating point): the total is still exact
    const list = await clerk.call('GET', `/api/reports/spending?estateId=${estateId}&from=2026-10-01&to=2026-12-31`);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.totalFen).toBe(Number.MAX_SAFE_INTEGER);
    const q4 = await clerk.call('GET', `/api/reports/income-spending?estateId=${estateId}&period=2026-Q4`);
    expect(q4.status, JSON.stringify(q4.body)).toBe(200);
    expect(q4.body.spending).toEqual({ byCategory: [{ category: '其他', amountFen: Number.MAX_SAFE_INTEGER, entries: 3 }], totalFen: Number.MAX_SAFE_INTEGER });
    expect(q4.body.balanceFen).toBe(-Number.MAX_SAFE_INTEGER);

    // one fen more cannot be stated exactly as a JSON number: refused, naming the figure, in zh and en
    await enter(1, '2026-10-04');
    const refused = await clerk.call('GET', `/api/reports/spending?estateId=${estateId}&from=2026-10-01&to=2026-12-31`);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ reason: 'amount-out-of-range', field: 'totalFen' });
    expect(refused.body.error.message.zh).toContain('“totalFen”');
    expect(refused.body.error.message.en).toContain('"totalFen"');
    // a figure the billing package computes is refused the same way (errors.ts onError), by its JSON pointer
    const report = await clerk.call('GET', `/api/reports/income-spending?estateId=${estateId}&period=2026-Q4`);
    expect(report.status).toBe(422);
    expect(report.body.error).toMatchObject({ reason: 'amount-out-of-range', path: '/spending/byCategory/0/amountFen' });
    expect(report.body.error.message.zh).toContain('不予四舍五入');
    expect(report.body.error.message.en).toContain('not rounded');
  });
});
