import { join } from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser, runWorkerOnce } from '@estateflow/api';
import { billPaid, billPaidEstates, units } from '@estateflow/db';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { settledStates } from '../../apps/api/src/services/bill-paid.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

// Issue #21: an estate whose paid totals are not trusted (rows of an older format after an upgrade such as
// 0045, or a mark lost) settles in full on every read until it is recomputed. The worker finds such estates
// and recomputes one a round, so an upgrade heals itself without `pnpm wf rollups recompute`.

withDatabases((kind, getDb) => {
  it(`the worker recomputes the paid totals of an estate whose rows are not trusted, one estate a round, on ${kind}`, { timeout: 120_000 }, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '长城物业');
    const now = new Date('2027-06-20T04:00:00Z');
    const app = testApp(db, { now: () => now });
    const pkg = await readBundleFolder(join(import.meta.dirname, '../../workflows/billing-dunning'));
    const estateIds: string[] = [];
    for (const [n, name] of ['颐园世家', '翠湖花园'].entries()) {
      const estateId = await createEstate(db, tenantId, { name, buildings: [{ name: '1栋', units: ['1-101', '1-102', '1-103'] }] });
      estateIds.push(estateId);
      await createUser(db, testConfig as never, { tenantId, username: `fin${n}-${kind}`, password: 'pw', roles: [{ estateId, role: 'finance' }] });
      await db.transaction((tx) => installBundle(tx, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now }));
      const fin = await signIn(app, `fin${n}-${kind}`, 'pw');
      const unitRows = await db.select({ id: units.id }).from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId)));
      for (const u of unitRows) expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: u.id, unitType: 'residential', areaSqm: '88.50', effectiveFrom: '2026-12-01' })).status).toBe(200);
      for (const period of ['2027-Q1', '2027-Q2']) expect((await fin.call('POST', '/api/billing/runs', { estateId, plan: 'quarterly', period })).status).toBe(200);
      expect((await fin.call('POST', '/api/billing/payments', { estateId, unitId: unitRows[0]!.id, amountFen: 40_000, method: 'cash', receivedOn: '2027-05-02' })).status).toBe(200);
    }
    const rowsOf = async (estateId: string) => db.select().from(billPaid).where(and(eq(billPaid.tenantId, tenantId), eq(billPaid.estateId, estateId))).orderBy(asc(billPaid.billId));
    const kept = await Promise.all(estateIds.map(rowsOf));
    expect(kept.every((r) => r.length === 6)).toBe(true);
    // as after an upgrade: both estates' marks are of an older format, and one estate lost rows besides
    await db.update(billPaidEstates).set({ plansHash: 'format-1' }).where(eq(billPaidEstates.tenantId, tenantId));
    await db.delete(billPaid).where(and(eq(billPaid.tenantId, tenantId), eq(billPaid.estateId, estateIds[1]!)));
    for (const e of estateIds) expect((await settledStates(db, tenantId, e, '2027-06-20')).cached).toBe(false);

    const logs: string[] = [];
    const round = (at: Date, everyMs?: number) =>
      runWorkerOnce({ db, workerId: `repair-${kind}`, now: () => at, log: (m) => logs.push(m), onError: (e) => { throw e; }, ...(everyMs === undefined ? {} : { paidRepairEveryMs: everyMs }) });
    // the first round repairs the first estate (of these two), and goes on with the next in the next round
    const mine = new Set(estateIds);
    let repaired = 0;
    for (let i = 0; i < 20 && estateIds.some((e) => !logs.some((l) => l.includes(e))); i++) {
      const r = await round(now);
      repaired += r.paidRepaired;
    }
    expect(logs.filter((l) => [...mine].some((e) => l.includes(e)))).toHaveLength(2);
    expect(repaired).toBeGreaterThanOrEqual(12);
    for (const [i, e] of estateIds.entries()) {
      expect((await settledStates(db, tenantId, e, '2027-06-20')).cached).toBe(true);
      expect(await rowsOf(e)).toEqual(kept[i]);
    }
    // nothing left: a round finds nothing to repair; within the interval it does not look
    expect((await round(new Date(now.getTime() + 60 * 60_000))).paidRepaired).toBe(0);
    await db.update(billPaidEstates).set({ plansHash: 'format-1' }).where(and(eq(billPaidEstates.tenantId, tenantId), eq(billPaidEstates.estateId, estateIds[0]!)));
    expect((await round(new Date(now.getTime() + 61 * 60_000))).paidRepaired).toBe(0);
    expect((await round(new Date(now.getTime() + 62 * 60_000), 0)).paidRepaired).toBe(6);
    expect((await settledStates(db, tenantId, estateIds[0]!, '2027-06-20')).cached).toBe(true);
  });
});
