import { join } from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { accountsByUnit, addDays, ageArrears, ageingBillOf, arrearsReport, feeMonthReport, feeMonthReportOf, incomeSpendingReport, monthRange, settleAccount, type BillState, type FeeMonthReport } from '@estateflow/billing';
import { billPaid, billPaidEstates, buildings, feeWaivers, schema, units, type Db } from '@estateflow/db';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { PGlite } from '@electric-sql/pglite';
import type { Sql } from 'postgres';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { accountInput, loadPlan } from '../../apps/api/src/services/billing-store.ts';
import { feeMonthInput, incomeInput, recomputePaidTotals, settledStates } from '../../apps/api/src/services/bill-paid.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

// Issue #21, "Reports without scanning history": the arrears read a per-bill paid total that every
// billing write keeps in its own transaction. On random histories of one unit each (four quarterly
// bills; payments, part and over-payments, refunds, adjustments of principal and late fee, voids,
// waivers; dated any day up to today) the arrears from the cache equal a full recompute through
// settleAccount as of today and as of past days, and `wf rollups recompute` (recomputePaidTotals)
// reproduces the cache row for row. The monthly fee report (BL-9) read from the cache for the month
// of each day asked, as of that day and as of the month's end (a past month: its units paid, were adjusted
// and waived after it), equals the report of every account settled in full, and the route answers the latter.

const UNITS = 16;
const TODAY = '2027-12-20';
const day = (n: number) => new Date(Date.parse('2027-01-01T00:00:00Z') + n * 86_400_000).toISOString().slice(0, 10);
const TODAY_N = Math.round((Date.parse(`${TODAY}T00:00:00Z`) - Date.parse('2027-01-01T00:00:00Z')) / 86_400_000);

type Action =
  | { kind: 'pay'; on: number; share: number }
  | { kind: 'refund'; on: number; amountFen: number }
  | { kind: 'adjust'; bill: number; on: number; component: 'principal' | 'late-fee'; amountFen: number }
  | { kind: 'void'; bill: number }
  | { kind: 'waive'; bill: number; component: 'principal' | 'late-fee'; amountFen: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('pay' as const), on: fc.integer({ min: 0, max: TODAY_N }), share: fc.integer({ min: 50, max: 2500 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('refund' as const), on: fc.integer({ min: 0, max: TODAY_N }), amountFen: fc.integer({ min: 1, max: 80_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('adjust' as const), bill: fc.nat(3), on: fc.integer({ min: 0, max: TODAY_N }), component: fc.constantFrom('principal' as const, 'late-fee' as const), amountFen: fc.integer({ min: -40_000, max: 20_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), bill: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('waive' as const), bill: fc.nat(3), component: fc.constantFrom('principal' as const, 'late-fee' as const), amountFen: fc.integer({ min: 1, max: 30_000 }) }) },
);

withDatabases((kind, getDb) => {
  it(`arrears from the per-bill paid totals equal a full settlement, and a recompute reproduces them, for random histories on ${kind}`, { timeout: 600_000 }, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '长城物业');
    const labels = Array.from({ length: UNITS }, (_, i) => `${1 + (i % 2)}-${101 + i}`);
    const estateId = await createEstate(db, tenantId, { name: '颐园世家', buildings: [{ name: '1栋', units: labels.filter((_, i) => i % 2 === 0) }, { name: '2栋', units: labels.filter((_, i) => i % 2 === 1) }] });
    for (const [u, role] of [[`fin-${kind}`, 'finance'], [`fin2-${kind}`, 'finance'], [`desk-${kind}`, 'front_desk']] as const) {
      await createUser(db, testConfig as never, { tenantId, username: u, password: 'pw', roles: [{ estateId, role }] });
    }
    const now = new Date(`${TODAY}T04:00:00Z`);
    const app = testApp(db, { now: () => now });
    const fin = await signIn(app, `fin-${kind}`, 'pw');
    const fin2 = await signIn(app, `fin2-${kind}`, 'pw');
    const desk = await signIn(app, `desk-${kind}`, 'pw');
    const pkg = await readBundleFolder(join(import.meta.dirname, '../../workflows/billing-dunning'));
    await db.transaction((tx) => installBundle(tx, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now }));
    const unitRows = await db.select({ id: units.id, label: units.label, buildingId: units.buildingId }).from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId)));
    const unitIds = labels.map((l) => unitRows.find((u) => u.label === l)!.id);
    const buildingIds = (await db.select({ id: buildings.id }).from(buildings).where(and(eq(buildings.tenantId, tenantId), eq(buildings.estateId, estateId)))).map((b) => b.id);
    for (const [i, unitId] of unitIds.entries()) {
      expect((await fin.call('POST', '/api/billing/units', { estateId, unitId, unitType: 'residential', areaSqm: `${60 + i * 7}.${String(i * 13 % 100).padStart(2, '0')}`, effectiveFrom: '2026-12-01' })).status).toBe(200);
    }
    const billKeys = new Map<string, string[]>();
    for (const period of ['2027-Q1', '2027-Q2', '2027-Q3', '2027-Q4']) {
      const run = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'quarterly', period });
      expect(run.status, JSON.stringify(run.body).slice(0, 300)).toBe(200);
      for (const b of run.body.created as { key: string; unitId: string }[]) billKeys.set(b.unitId, [...(billKeys.get(b.unitId) ?? []), b.key]);
    }
    expect([...billKeys.values()].every((k) => k.length === 4)).toBe(true);

    /** What the arrears routes answer, against the same figures from every account settled in full. */
    let owing = 0;
    let pastLateFee = 0;
    let incomeFromRows = 0;
    const compare = async (asOf: string, cached = true) => {
      // the routes read the cache (not a full settlement) while the estate's rows are trusted
      expect((await settledStates(db, tenantId, estateId, asOf)).cached).toBe(cached);
      // callers asking the same at once share one settle (the bills page asks twice); another day, units or transaction settle their own
      const [one, same, otherDay] = [settledStates(db, tenantId, estateId, asOf), settledStates(db, tenantId, estateId, asOf), settledStates(db, tenantId, estateId, addDays(asOf, 1))];
      expect(same).toBe(one);
      expect(otherDay).not.toBe(one);
      expect(await same).toBe(await one);
      const again = settledStates(db, tenantId, estateId, asOf);
      expect(again).not.toBe(one); // that one is done: the next caller settles again, seeing the writes since
      await Promise.all([again, otherDay]);
      const input = await accountInput(db, tenantId, estateId);
      const states: BillState[] = [...accountsByUnit(input).values()].flatMap((a) => settleAccount({ ...a, asOf }).bills);
      const expected = arrearsReport({ ...input, asOf });
      if (expected.totalFen > 0) owing++;
      const arrears = await fin.call('GET', `/api/billing/arrears?estateId=${estateId}&asOf=${asOf}`);
      expect(arrears.status).toBe(200);
      const { rows, unpaidFen, billsIssued, unitsInArrears, nextCursor, ...rest } = arrears.body;
      expect({ ...rest, rows: rows.map(({ unitLabel: _, ...r }: { unitLabel: string }) => r) }, `arrears as of ${asOf}`).toEqual({ ...expected, rows: expected.rows });
      expect([unitsInArrears, nextCursor]).toEqual([expected.rows.length, null]);
      expect(unpaidFen).toBe(states.filter((s) => s.bill.issueOn <= asOf).reduce((t, s) => t + s.outstandingFen, 0));
      expect(billsIssued).toBe(states.filter((s) => s.bill.issueOn <= asOf).length);
      // the estate's bills list reads its page's states from the rows: each bill as its unit's full settlement has it, any day
      const listed = await fin.call('GET', `/api/billing/bills?estateId=${estateId}&asOf=${asOf}&limit=200`);
      expect(listed.status).toBe(200);
      const stateOf = new Map(states.map((s) => [s.bill.key, s]));
      const shown = (listed.body.items as { key: string; principalFen: number; principalPaidFen: number; lateFeeFen: number; lateFeeAccruedFen: number; lateFeePaidFen: number; outstandingFen: number; clearedOn: string | null; lines: unknown[] }[]);
      expect(shown.map((b) => b.key).sort(), `bills listed as of ${asOf}`).toEqual(states.filter((s) => s.bill.issueOn <= asOf).map((s) => s.bill.key).sort());
      for (const b of shown) {
        const s = stateOf.get(b.key)!;
        expect([b.principalFen, b.principalPaidFen, b.lateFeeFen, b.lateFeeAccruedFen, b.lateFeePaidFen, b.outstandingFen, b.clearedOn, b.lines], `${b.key} as of ${asOf}`)
          .toEqual([s.principalFen, s.principalPaidFen, s.lateFee.amountFen, s.lateFee.accruedFen, s.lateFeePaidFen, s.outstandingFen, s.clearedOn ?? null, s.bill.lines]);
      }
      const ageing = ageArrears(states.map(ageingBillOf), asOf);
      const byBuildings = await fin.call('GET', `/api/billing/arrears/buildings?estateId=${estateId}&asOf=${asOf}`);
      expect(byBuildings.body.totals, `ageing as of ${asOf}`).toEqual(ageing.totals);
      expect(byBuildings.body.totalFen).toBe(ageing.totalFen);
      for (const buildingId of buildingIds) {
        const one = await fin.call('GET', `/api/billing/arrears/building?estateId=${estateId}&buildingId=${buildingId}&asOf=${asOf}`);
        const mine = new Set(unitRows.filter((u) => u.buildingId === buildingId).map((u) => u.id));
        const want = ageing.units.filter((u) => mine.has(u.unitId)).map((u) => ({ unitId: u.unitId, buckets: u.buckets, totalFen: u.totalFen, bills: u.bills }));
        expect(one.body.units.map(({ unitLabel: _, ...u }: { unitLabel: string }) => u).sort((a: { unitId: string }, b: { unitId: string }) => (a.unitId < b.unitId ? -1 : 1)))
          .toEqual(want.sort((a, b) => (a.unitId < b.unitId ? -1 : 1)));
      }
      // the monthly fee report of asOf's month as of asOf: from the cache where it can, equal to every account settled twice
      const month = asOf.slice(0, 7);
      const range = { month, ...monthRange(month), asOf };
      const groupOf = (unitId: string) => unitRows.find((u) => u.id === unitId)?.buildingId ?? '';
      const waiverIds = new Set((await db.select({ id: feeWaivers.adjustmentId }).from(feeWaivers).where(and(eq(feeWaivers.estateId, estateId), eq(feeWaivers.status, 'approved')))).map((w) => w.id!));
      const monthIn = await feeMonthInput(db, tenantId, estateId, range);
      expect(monthIn !== undefined).toBe(cached);
      const sorted = (r: FeeMonthReport) => ({ ...r, groups: [...r.groups].sort((a, b) => (a.group < b.group ? -1 : 1)) });
      const wantMonth = sorted(feeMonthReport(input, range, waiverIds, groupOf));
      if (monthIn) expect(sorted(feeMonthReportOf(monthIn.parts, monthIn.paymentsIn, monthIn.waivers, range, groupOf)), `monthly fee report as of ${asOf}`).toEqual(wantMonth);
      // the month as the route settles it (as of its last day, or today): a past month is read from the rows too,
      // though its units paid, were adjusted or waived after it
      const whole = { month, ...monthRange(month), asOf: monthRange(month).to < TODAY ? monthRange(month).to : TODAY };
      const wantWhole = sorted(feeMonthReport(input, whole, waiverIds, groupOf));
      const wholeIn = await feeMonthInput(db, tenantId, estateId, whole);
      if (wholeIn) expect(sorted(feeMonthReportOf(wholeIn.parts, wholeIn.paymentsIn, wholeIn.waivers, whole, groupOf)), `monthly fee report of ${month}`).toEqual(wantWhole);
      const report = await fin.call('GET', `/api/reports/fees/monthly?estateId=${estateId}&month=${month}`);
      expect(report.status).toBe(200);
      expect({ totals: report.body.totals, received: report.body.received }, `the route's report of ${month}`).toEqual({ totals: wantWhole.totals, received: wantWhole.received });
      if (whole.asOf < TODAY && wantWhole.totals.lateFeeReceivedFen > 0) pastLateFee++;
      // the income-and-spending report (BL-11) of asOf's quarter, as of asOf and as the route settles it (its last day, or
      // today): from the rows for the units that held no credit when the quarter began, equal to every account settled in full
      const first = 3 * Math.floor((Number(asOf.slice(5, 7)) - 1) / 3) + 1;
      const quarter = { period: `${asOf.slice(0, 4)}-Q${(first + 2) / 3}`, from: `${asOf.slice(0, 4)}-${String(first).padStart(2, '0')}-01`, to: monthRange(`${asOf.slice(0, 4)}-${String(first + 2).padStart(2, '0')}`).to };
      const quarterAsOf = quarter.to < TODAY ? quarter.to : TODAY;
      for (const until of [asOf, quarterAsOf]) {
        const income = await incomeInput(db, tenantId, estateId, { from: quarter.from, asOf: until });
        expect(incomeSpendingReport(income.money, [], quarter.from, until, income.allocations), `income of ${quarter.period} as of ${until}`).toEqual(incomeSpendingReport(input, [], quarter.from, until));
        if (cached) incomeFromRows += income.fromRows;
        else expect(income.fromRows).toBe(0);
      }
      const income = await fin.call('GET', `/api/reports/income-spending?estateId=${estateId}&period=${quarter.period}`);
      expect(income.status).toBe(200);
      expect(income.body.income, `the route's income of ${quarter.period}`).toEqual(incomeSpendingReport(input, [], quarter.from, quarterAsOf).income);
    };
    const rowsNow = async () => (await db.select().from(billPaid).where(and(eq(billPaid.tenantId, tenantId), eq(billPaid.estateId, estateId))).orderBy(asc(billPaid.billId)));

    // the estate's rows are trusted from its first billing run (a new estate: every bill is the run's)
    expect(await db.select().from(billPaidEstates).where(eq(billPaidEstates.estateId, estateId))).toHaveLength(1);
    // a unit that pays its first two quarters late, with their late fee, in May, and more than it owes: the rest is
    // credit, allocated to the third quarter's bill on its issue; then a waiver and a payment after May. May, a past
    // month, is read from the rows: the late fee paid in it, its credit as of May 31, its bills as they were then
    const late = unitIds[UNITS - 1]!;
    expect((await desk.call('POST', '/api/billing/payments', { estateId, unitId: late, amountFen: 150_000, method: 'cash', receivedOn: '2027-05-20' })).status).toBe(200);
    const lateKeys = billKeys.get(late)!;
    const asked = await desk.call('POST', '/api/billing/waivers', { estateId, billKey: lateKeys[3]!, component: 'principal', amountFen: 1_000, reason: '困难户' });
    expect(asked.status, JSON.stringify(asked.body).slice(0, 300)).toBe(200);
    expect((await fin2.call('POST', '/api/billing/waivers/decide', { estateId, waiverId: asked.body.id, decision: 'approve' })).status).toBe(200);
    expect((await desk.call('POST', '/api/billing/payments', { estateId, unitId: late, amountFen: 20_000, method: 'cash', receivedOn: '2027-11-02' })).status).toBe(200);
    await compare('2027-05-31');
    await compare('2027-06-30');
    await compare(TODAY);
    expect(pastLateFee).toBeGreaterThan(0);

    let next = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 0, max: TODAY_N }), { minLength: 1, maxLength: 2 }), async (actions, pastDays) => {
        const unitId = unitIds[next++ % UNITS]!;
        const keys = billKeys.get(unitId)!;
        for (const a of actions) {
          let r: { status: number; body: unknown };
          if (a.kind === 'pay') r = await desk.call('POST', '/api/billing/payments', { estateId, unitId, amountFen: Math.max(1, Math.floor((50_000 * a.share) / 1000)), method: 'cash', receivedOn: day(a.on) });
          else if (a.kind === 'refund') r = await desk.call('POST', '/api/billing/payments', { estateId, unitId, kind: 'refund', amountFen: a.amountFen, method: 'cash', receivedOn: day(a.on), reason: '多缴退回' });
          else if (a.kind === 'adjust') r = await fin.call('POST', '/api/billing/adjustments', { estateId, billKey: keys[a.bill]!, on: day(a.on), component: a.component, amountFen: a.amountFen, reason: { zh: '更正', en: 'Correction' } });
          else if (a.kind === 'void') r = await fin.call('POST', '/api/billing/bills/void', { estateId, billKey: keys[a.bill]!, reason: '开错' });
          else {
            const asked = await desk.call('POST', '/api/billing/waivers', { estateId, billKey: keys[a.bill]!, component: a.component, amountFen: a.amountFen, reason: '困难户' });
            r = asked.status === 200 ? await fin2.call('POST', '/api/billing/waivers/decide', { estateId, waiverId: (asked.body as { id: string }).id, decision: 'approve' }) : asked;
          }
          // refused writes (a refund above the credit, an adjustment before the bill's issue, a void of a paid bill, a waiver above what is owed) write nothing
          if (r.status !== 200) {
            expect([400, 409, 422], JSON.stringify(r.body).slice(0, 300)).toContain(r.status);
            refused++;
          }
        }
        await compare(TODAY);
        for (const d of pastDays) await compare(day(d));
      }),
      { numRuns: kind === 'postgres' ? 24 : 8 },
    );
    expect(refused).toBeGreaterThan(0);
    expect(owing).toBeGreaterThan(0);
    expect(incomeFromRows).toBeGreaterThan(0);

    // a plan saved with another late-fee rate settles the estate again in its transaction: the rows stay trusted and equal
    const plan = (await fin.call('GET', `/api/billing/plans?estateId=${estateId}`)).body.items.find((p: { key: string }) => p.key === 'quarterly')?.document
      ?? (await loadPlan(db, tenantId, estateId, 'quarterly'));
    const saved = await fin.call('POST', '/api/billing/plans', { estateId, document: { ...plan, lateFee: { ...plan.lateFee, dailyRate: { numerator: 5, denominator: 10_000 } } } });
    expect(saved.status, JSON.stringify(saved.body).slice(0, 300)).toBe(200);
    await compare(TODAY);
    await compare(day(200));

    // one command recomputes the cache from bills, payments and adjustments: row for row the same
    const kept = await rowsNow();
    expect(kept.length).toBe(UNITS * 4);
    expect(kept.some((r) => r.principalPayments.length > 0) && kept.some((r) => r.open)).toBe(true);
    await db.delete(billPaid).where(eq(billPaid.estateId, estateId));
    await db.delete(billPaidEstates).where(eq(billPaidEstates.estateId, estateId));
    // without trusted rows the arrears settle in full, with the same figures
    await compare(TODAY, false);
    expect(await recomputePaidTotals(db, { now, tenantId, estateId })).toBe(UNITS * 4);
    expect(await rowsNow()).toEqual(kept);
    await compare(TODAY);

    // a payment at the counter settles its unit once (#21): the account is read once in its transaction (the refund check,
    // the receipt and the paid totals share one reading and one settlement of today) and the totals stay equal
    const sent: string[] = [];
    const raw = (db as unknown as { $client: PGlite | Sql }).$client;
    const logger = { logQuery: (query: string) => sent.push(query) };
    const logged = (kind === 'pglite' ? drizzlePglite(raw as PGlite, { schema, logger }) : drizzlePostgres(raw as Sql, { schema, logger })) as unknown as Db;
    const counter = await signIn(testApp(logged, { now: () => now }), `desk-${kind}`, 'pw');
    const paid = await counter.call('POST', '/api/billing/payments', { estateId, unitId: unitRows[3]!.id, amountFen: 12_345, method: 'cash', receivedOn: TODAY });
    expect(paid.status, JSON.stringify(paid.body).slice(0, 300)).toBe(200);
    expect(sent.filter((q) => /from "bill_lines"/.test(q)), 'the unit\'s bill lines read once').toHaveLength(1);
    expect(sent.filter((q) => /from "payments"/.test(q) && /"payments"\."unit_id"/.test(q)), 'the unit\'s payments read once').toHaveLength(1);
    await compare(TODAY);
  });
});
