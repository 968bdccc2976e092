import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { demoPeriod, seedDemoBilling } from '../../apps/api/src/demo-billing.ts';
import { defaultPlan } from '@estateflow/billing';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

// issue #20: the demo bills one period dated relative to now, and billing reads the plan a bundle installed
withDatabases((kind, getDb) => {
  it(`names a missing plan in zh and en with how to install or create it, then bills by the bundle's plan on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '长城物业');
    const estateId = await createEstate(db, tenantId, { name: '颐园世家', buildings: [{ name: '1栋', units: ['1-1-101', '1-1-102'] }] });
    await createUser(db, testConfig as never, { tenantId, username: `fin-${kind}`, password: 'pw', roles: [{ estateId, role: 'finance' }] });
    const now = new Date('2026-12-06T04:00:00Z');
    const app = testApp(db, { now: () => now });
    const fin = await signIn(app, `fin-${kind}`, 'pw');

    // no plan at all: 404 naming the plan, in Chinese and in English, saying how to get one; nothing billed
    const none = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'quarterly', period: '2027-Q1' });
    expect(none.status).toBe(404);
    expect(none.body.error.field).toBe('plan');
    expect(none.body.error.message.zh).toBe('本项目没有收费计划“quarterly”。本项目还没有收费计划。请安装含该收费计划的模板包（如 billing-dunning「物业费收缴」），或在“收费标准与收费计划”页（/billing/fees）新建 id 为“quarterly”的收费计划并发布。');
    expect(none.body.error.message.en).toBe('This estate has no billing plan "quarterly". This estate has no billing plan yet. Install a bundle that includes it (such as billing-dunning), or create one with id "quarterly" on the "Fee schedules and billing plans" page (/billing/fees) and publish it.');
    expect(none.body.error.message.zh).not.toMatch(/[A-Za-z]+ plan/);
    expect(await seedDemoBilling(db, { tenantId, estateId, now })).toBeUndefined();

    const pkg = await readBundleFolder(join(import.meta.dirname, '../../workflows/billing-dunning'));
    await db.transaction((tx) => installBundle(tx, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now }));
    // the bundle's plans are found; an unknown one lists them
    const typo = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'quartely', period: '2027-Q1' });
    expect(typo.status).toBe(404);
    expect(typo.body.error.message.zh).toContain('本项目现有：monthly、quarterly、semi-annual。');
    expect(typo.body.error.message.en).toContain('This estate has: monthly, quarterly, semi-annual.');
    const notices = await fin.call('GET', `/api/billing/notices?estateId=${estateId}&plan=quarterly&period=2027-Q1`);
    expect(notices.status).toBe(200);
    expect(notices.body.notices[0]).toMatchObject({ kind: 'payment-notice', issueOn: '2026-12-01' });

    // the demo: areas and profiles through the profile service, one period billed through the run service
    const run = await seedDemoBilling(db, { tenantId, estateId, now });
    expect(run).toMatchObject({ plan: 'quarterly', period: '2027-Q1', existing: 0, errors: [] });
    expect(run!.created.map((b) => b.totalFen)).toEqual([67028, 94905]); // 89.37 / 126.54 m² × 2.50 × 3 months
    const bills = await fin.call('GET', `/api/billing/bills?estateId=${estateId}`);
    expect(bills.body.asOf).toBe('2026-12-06');
    expect(bills.body.items.map((b: { periodId: string; lateFeeFen: number; outstandingFen: number }) => [b.periodId, b.lateFeeFen, b.outstandingFen]).sort())
      .toEqual([['2027-Q1', 0, 67028], ['2027-Q1', 0, 94905]]);
    // rerunning it from the API makes nothing new
    const rerun = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'quarterly', period: '2027-Q1' });
    expect(rerun.body).toMatchObject({ created: [], existing: 2, errors: [] });

    // a plan saved through /api/billing/plans replaces the bundle's, and may use the bundle's fee schedule
    const saved = await fin.call('POST', '/api/billing/plans', { estateId, document: defaultPlan('monthly', { id: 'quarterly', feeSchedule: 'standard-fees' }) });
    expect(saved.status).toBe(200);
    const monthly = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'quarterly', period: '2027-01' });
    expect(monthly.status).toBe(200);
  });
});

it('bills the period whose payment notice is out, so no late fee is months old', () => {
  const plan = defaultPlan('quarterly', { id: 'q', feeSchedule: 'f' });
  expect(demoPeriod(plan, '2026-12-06').id).toBe('2027-Q1');
  expect(demoPeriod(plan, '2026-11-30').id).toBe('2026-Q4');
  expect(demoPeriod(plan, '2027-03-01').id).toBe('2027-Q2');
});
