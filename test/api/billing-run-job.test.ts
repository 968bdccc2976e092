import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { defaultPlan } from '@estateflow/billing';
import { billingRuns, definitionVersions, instances, outbox, unitBillingProfiles, units } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig, type JsonResponse } from '../support/api.ts';

// Issue #20: a billing run is a job with polled progress (billing_runs), one bad unit fails alone,
// a rerun says nothing new; /bills is sorted and paged on the server; the older plan and schedule
// routes write the one definition store billing reads.

const feeExample = (JSON.parse(readFileSync(new URL('../../schemas/fee-schedule.schema.json', import.meta.url), 'utf8')) as { examples: Record<string, unknown>[] }).examples[0]!;
const labels = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

withDatabases((kind, getDb) => {
  it(`runs billing as a job: progress polled to the end, result by building and unit, one bad unit alone, a rerun says nothing new, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '任务物业');
    // 2栋 and 10栋, 15 units each: 30 units, two batches and a bit (25 a batch)
    const estateId = await createEstate(db, tenantId, { name: '任务小区', buildings: [{ name: '10栋', units: labels('10', 15) }, { name: '2栋', units: labels('2', 15) }] });
    const all = await db.select().from(units).where(eq(units.estateId, estateId));
    const now = new Date('2027-02-20T04:00:00Z');
    for (const u of all) {
      await db.update(units).set({ areaSqm: '80.00' }).where(and(eq(units.tenantId, tenantId), eq(units.id, u.id)));
      await db.insert(unitBillingProfiles).values({ tenantId, estateId, unitId: u.id, unitType: 'residential', updatedAt: now });
    }
    await createUser(db, testConfig as never, { tenantId, username: `jobfin-${kind}`, password: 'pw', roles: [{ estateId, role: 'finance' }] });
    const other = await createEstate(db, tenantId, { name: '别的小区' });
    await createUser(db, testConfig as never, { tenantId, username: `jobspy-${kind}`, password: 'pw', roles: [{ estateId: other, role: 'finance' }] });
    // one bad unit: two pending paid-service charges carry one order number
    const bad = all.find((u) => u.label === '2-7')!;
    for (const amountFen of [1500, 2500]) {
      const instanceId = randomUUID();
      const completed = new Date('2027-02-10T02:00:00Z');
      await db.insert(instances).values({ tenantId, id: instanceId, estateId, unitId: bad.id, workflowKey: 'paid-service', definitionVersionId: randomUUID(), workflowVersion: 1, serial: 'PS-000009', state: 'done', snapshot: {}, status: 'done', startedAt: completed, updatedAt: completed });
      await db.insert(outbox).values({ tenantId, id: randomUUID(), estateId, instanceId, kind: 'charge', payload: { item: 'lamp-replace', amountFen, serial: 'PS-000009', instanceId }, createdAt: completed });
    }

    const app = testApp(db, { now: () => now });
    const fin = await signIn(app, `jobfin-${kind}`, 'pw');
    const spy = await signIn(app, `jobspy-${kind}`, 'pw');

    // a missing plan: 404 naming it and how to install or create it, in zh and en; no job recorded
    const missing = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'garden-monthly', period: '2027-03', background: true });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message.zh).toContain('“garden-monthly”');
    expect(missing.body.error.message.zh).toContain('/billing/fees');
    expect(missing.body.error.message.en).toContain('"garden-monthly"');
    expect(missing.body.error.message.en).toContain('/billing/fees');
    expect(await db.select().from(billingRuns).where(eq(billingRuns.tenantId, tenantId))).toHaveLength(0);

    // the older routes publish into the one definition store: revision = the version
    expect((await fin.call('POST', '/api/billing/schedules', { estateId, document: feeExample })).body).toEqual({ key: 'garden-fees', revision: 1 });
    expect((await fin.call('POST', '/api/billing/plans', { estateId, document: defaultPlan('monthly', { id: 'garden-monthly', feeSchedule: 'garden-fees' }) })).body).toEqual({ key: 'garden-monthly', revision: 1 });
    expect((await fin.call('POST', '/api/billing/plans', { estateId, document: defaultPlan('monthly', { id: 'garden-monthly', feeSchedule: 'garden-fees' }), changeNote: '再存一次' })).body).toEqual({ key: 'garden-monthly', revision: 2 });
    const versions = await db.select().from(definitionVersions).where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.estateId, estateId), eq(definitionVersions.kind, 'billing-plan')));
    expect(versions.map((v) => [v.key, v.version, v.changeNote]).sort()).toEqual([['garden-monthly', 1, 'saved through POST /api/billing/plans'], ['garden-monthly', 2, '再存一次']]);
    const defs = await fin.call('GET', `/api/billing/definitions?estateId=${estateId}`);
    expect(defs.body.plans.map((p: { key: string; published: { version: number } }) => [p.key, p.published.version])).toEqual([['garden-monthly', 2]]);

    // started in the background: answered at once, then polled to the end
    const started = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'garden-monthly', period: '2027-03', background: true });
    expect(started.status).toBe(200);
    expect(['queued', 'running']).toContain(started.body.status);
    expect(started.body.progress.total).toBe(30);
    const seen: number[] = [started.body.progress.done];
    let job: JsonResponse = started;
    for (let i = 0; i < 200 && (job.body.status === 'queued' || job.body.status === 'running'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = await fin.call('GET', `/api/billing/runs/${started.body.id}?estateId=${estateId}`);
      expect(job.status).toBe(200);
      seen.push(job.body.progress.done);
    }
    expect(job.body.status).toBe('done');
    expect(job.body.progress).toEqual({ done: 30, total: 30 });
    expect(seen).toEqual([...seen].sort((a, b) => a - b)); // progress only moves forward
    // every other unit billed, by building then unit in natural order (2栋 before 10栋, 2-2 before 2-10)
    expect(job.body.created).toHaveLength(29);
    expect(job.body.created.slice(0, 3).map((c: { unitLabel: string }) => c.unitLabel)).toEqual(['2-1', '2-2', '2-3']);
    expect(job.body.created[14].unitLabel).toBe('10-1');
    expect(job.body.errors.map((e: { unitLabel: string; reason: string }) => [e.unitLabel, e.reason])).toEqual([['2-7', 'duplicate-order-serial']]);
    expect(job.body.nothingNew).toBe(false);
    expect(job.body.message.zh).toContain('已开出 29 张账单');
    expect(job.body.message.en).toContain('29 bill(s) made');
    expect(job.body.finishedAt).not.toBeNull();

    // another estate's finance cannot read it; a malformed id is not found
    expect((await spy.call('GET', `/api/billing/runs/${started.body.id}?estateId=${other}`)).status).toBe(404);
    expect((await spy.call('GET', `/api/billing/runs/${started.body.id}?estateId=${estateId}`)).status).toBe(404); // not its estate: not found
    expect((await fin.call('GET', `/api/billing/runs/nope?estateId=${estateId}`)).status).toBe(404);

    // rerun (waiting for the end): nothing new, the bad unit still reported alone
    const rerun = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'garden-monthly', period: '2027-03' });
    expect(rerun.status).toBe(200);
    expect(rerun.body).toMatchObject({ status: 'done', nothingNew: true, created: [], existing: 29, progress: { done: 30, total: 30 } });
    expect(rerun.body.message.zh).toMatch(/^已是最新/);
    expect(rerun.body.message.en).toMatch(/^Nothing new/);
    expect(rerun.body.errors.map((e: { unitLabel: string }) => e.unitLabel)).toEqual(['2-7']);
    expect(await db.select().from(billingRuns).where(eq(billingRuns.tenantId, tenantId))).toHaveLength(2);

    // /bills sorted on the server: building and unit in natural order, paged by cursor without repeats
    const pages = async (sort: string) => {
      const out: { unitLabel: string; building: string; payBy: string; outstandingFen: number; key: string }[] = [];
      let cursor: string | null = null;
      do {
        const page: JsonResponse = await fin.call('GET', `/api/billing/bills?estateId=${estateId}&sort=${sort}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        out.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      return out;
    };
    const byUnit = await pages('unit');
    expect(byUnit.map((b) => b.unitLabel)).toEqual([...labels('2', 15).filter((l) => l !== '2-7'), ...labels('10', 15)]);
    // a payment on 10-3 clears its bill: sorted by what is owed, it comes last
    const paid = all.find((u) => u.label === '10-3')!;
    const owedBefore = byUnit.find((b) => b.unitLabel === '10-3')!.outstandingFen;
    expect((await fin.call('POST', '/api/billing/payments', { estateId, unitId: paid.id, amountFen: owedBefore, method: 'cash' })).status).toBe(200);
    const byOwed = await pages('owed');
    expect(byOwed).toHaveLength(29);
    expect(new Set(byOwed.map((b) => b.key)).size).toBe(29);
    expect(byOwed.at(-1)!.unitLabel).toBe('10-3');
    expect(byOwed.at(-1)!.outstandingFen).toBe(0);
    expect(byOwed.map((b) => b.outstandingFen)).toEqual([...byOwed.map((b) => b.outstandingFen)].sort((a, b) => b - a));
    const byDue = await pages('due');
    expect(byDue.map((b) => b.payBy)).toEqual([...byDue.map((b) => b.payBy)].sort());
    expect((await fin.call('GET', `/api/billing/bills?estateId=${estateId}&sort=price`)).status).toBe(400);
  });
});
