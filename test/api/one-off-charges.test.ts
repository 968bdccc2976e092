import { readFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser, runWorkerOnce } from '@estateflow/api';
import { defaultPlan } from '@estateflow/billing';
import { events, outbox, units } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

// Issue #20: a one-off charge (临时收费) is billed at once as its own bill, and the request that
// waits for its payment (a prepaid parking lease) moves on by billing's payment event, not a button.
const feeExample = (JSON.parse(readFileSync(new URL('../../schemas/fee-schedule.schema.json', import.meta.url), 'utf8')) as { examples: Record<string, unknown>[] }).examples[0]!;

const leaseBundle = {
  bundle: {
    kind: 'bundle', id: 'test-lease', version: '1.0.0', title: { zh: '车位租赁', en: 'Parking lease' }, description: { zh: '测试', en: 'Test' }, platform: '^0.1.0',
    contents: { workflow: ['workflow.json'], form: ['forms/lease-apply.form.json'] },
  },
  files: {
    'forms/lease-apply.form.json': {
      kind: 'form', id: 'lease-apply', title: { zh: '车位租赁申请', en: 'Parking lease application' },
      schema: { type: 'object', properties: { plate: { type: 'string', minLength: 1, maxLength: 20 }, months: { type: 'integer', minimum: 1, maximum: 24 } }, required: ['plate', 'months'], additionalProperties: false },
      layout: { sections: [{ id: 'main', title: { zh: '申请', en: 'Application' }, fields: [{ field: 'plate', widget: 'text', label: { zh: '车牌', en: 'Plate' } }, { field: 'months', widget: 'number', label: { zh: '月数', en: 'Months' } }] }] },
    },
    'workflow.json': {
      kind: 'workflow', id: 'test-lease', title: { zh: '车位租赁', en: 'Parking lease' },
      roles: ['front_desk', 'resident'],
      context: { plate: '', months: 0, paidOn: '' },
      start: { form: 'lease-apply', roles: ['front_desk', 'resident'] },
      events: {
        APPROVE: { label: { zh: '审核通过', en: 'Approve' }, roles: ['front_desk'] },
        PAY: { label: { zh: '已缴费', en: 'Paid' }, system: true },
        KEY_CARD: { label: { zh: '补办门禁卡', en: 'Replace the key card' }, roles: ['front_desk'] },
      },
      machine: {
        initial: 'review',
        entry: [{ type: 'assign', params: { values: { plate: 'event.data.plate', months: 'event.data.months' } } }],
        states: {
          review: {
            on: {
              APPROVE: {
                target: 'awaitingPayment',
                actions: [{ type: 'charge', params: { item: 'parking-lease', amount: 'context.months * 30000', billing: 'at-once', onPaid: 'PAY', description: { zh: '车位租赁 {{context.months}} 个月（{{context.plate}}）', en: 'Parking lease, {{context.months}} months ({{context.plate}})' } } }],
              },
            },
          },
          awaitingPayment: { on: { PAY: { target: 'leased', actions: [{ type: 'assign', params: { values: { paidOn: 'event.data.paidOn' } } }] } } },
          leased: {
            on: { KEY_CARD: { target: 'leased', actions: [{ type: 'charge', params: { item: 'key-card', amount: '2000', billing: 'next-cycle' } }] } },
          },
        },
      },
    },
  },
};

withDatabases((kind, getDb) => {
  it(`bills a lease's charge at once as its own bill, and the payment that clears it moves the lease on, once, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '长城物业');
    const estateId = await createEstate(db, tenantId, { name: '花园小区', buildings: [{ name: '1栋', units: ['1-101'] }] });
    const [flat] = await db.select().from(units).where(eq(units.estateId, estateId));
    await db.update(units).set({ areaSqm: '89.37' }).where(and(eq(units.tenantId, tenantId), eq(units.id, flat!.id)));
    for (const role of ['admin', 'finance', 'front_desk'] as const) await createUser(db, testConfig as never, { tenantId, username: `${role}-${kind}`, password: 'pw', roles: [{ estateId, role }] });
    let now = new Date('2027-03-05T02:00:00Z');
    const app = testApp(db, { now: () => now });
    const tick = () => runWorkerOnce({ db, workerId: `w-${kind}`, now: () => now });
    const admin = await signIn(app, `admin-${kind}`, 'pw');
    let fin = await signIn(app, `finance-${kind}`, 'pw');
    let desk = await signIn(app, `front_desk-${kind}`, 'pw');

    expect((await fin.call('POST', '/api/billing/schedules', { estateId, document: feeExample })).status).toBe(200);
    const plan = defaultPlan('quarterly', { id: 'garden-quarterly', feeSchedule: 'garden-fees' });
    expect((await fin.call('POST', '/api/billing/plans', { estateId, document: plan })).status).toBe(200);
    expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: flat!.id, unitType: 'residential' })).status).toBe(200);
    const install = await admin.call('POST', '/api/bundles/install', { estateId, package: leaseBundle, parameters: {} });
    expect(install.status, JSON.stringify(install.body)).toBe(200);

    const started = await desk.call('POST', '/api/instances', { estateId, workflow: 'test-lease', unitId: flat!.id, data: { plate: '京A12345', months: 6 } });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = started.body.id as string;
    expect((await desk.call('POST', `/api/instances/${id}/events`, { type: 'APPROVE', data: {} })).status).toBe(200);

    // the worker bills it at once: its own bill, its own notice date and pay-by, 7 days by default
    expect((await tick()).billedAtOnce).toBe(1);
    const serial = ((await desk.call('GET', `/api/instances/${id}`)).body.serial) as string;
    const listed = await fin.call('GET', `/api/billing/bills?estateId=${estateId}&unitId=${flat!.id}`);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({ key: `garden-quarterly/${flat!.id}/${serial}`, issueOn: '2027-03-05', payBy: '2027-03-12', totalFen: 180000, outstandingFen: 180000 });
    expect(listed.body.items[0].lines).toEqual([{ no: 1, kind: 'service', description: { zh: '车位租赁 6 个月（京A12345）', en: 'Parking lease, 6 months (京A12345)' }, amountFen: 180000, orderSerial: serial }]);
    expect((await tick()).billedAtOnce).toBe(0); // billed once
    // the lease waits for billing: nobody at the desk can say it is paid
    expect((await desk.call('POST', `/api/instances/${id}/events`, { type: 'PAY', data: {} })).status).toBe(403);

    // a part payment does not clear it: the lease still waits
    now = new Date('2027-03-06T02:00:00Z');
    [fin, desk] = [await signIn(app, `finance-${kind}`, 'pw'), await signIn(app, `front_desk-${kind}`, 'pw')];
    expect((await desk.call('POST', '/api/billing/payments', { estateId, unitId: flat!.id, amountFen: 100000, method: 'wechat' })).status).toBe(200);
    await tick();
    expect((await desk.call('GET', `/api/instances/${id}`)).body.state).toBe('awaitingPayment');
    // the rest clears it; a payment recorded again (a retry) sends nothing more
    const rest = await desk.call('POST', '/api/billing/payments', { estateId, unitId: flat!.id, amountFen: 80000, method: 'wechat' });
    expect(rest.body.receipt.lines.map((l: { billKey: string; amountFen: number }) => [l.billKey, l.amountFen])).toEqual([[`garden-quarterly/${flat!.id}/${serial}`, 80000]]);
    expect((await desk.call('POST', '/api/billing/payments', { estateId, unitId: flat!.id, amountFen: 80000, method: 'wechat' })).status).toBe(200);
    const paidRows = await db.select().from(outbox).where(and(eq(outbox.tenantId, tenantId), eq(outbox.kind, 'chargePaid')));
    expect(paidRows).toHaveLength(1);
    await tick();
    await tick();
    const after = await desk.call('GET', `/api/instances/${id}`);
    expect(after.body.state).toBe('leased');
    expect(after.body.data.paidOn).toBe('2027-03-06');
    const history = await db.select().from(events).where(and(eq(events.tenantId, tenantId), eq(events.instanceId, id)));
    expect(history.filter((e) => e.type === 'PAY').map((e) => e.actorRole)).toEqual(['system']);

    // one ledger: the statement and the arrears include it; the account holds the retry as credit
    const st = await fin.call('GET', `/api/billing/statements?estateId=${estateId}&unitId=${flat!.id}&from=2027-03-01&to=2027-03-31`);
    expect(st.body.entries.map((e: { kind: string; amountFen: number }) => [e.kind, e.amountFen])).toEqual([['charge', 180000], ['payment', -100000], ['payment', -80000], ['payment', -80000]]);
    expect(st.body.closingFen).toBe(-80000);

    // the charge's own setting wins over the plan's default: with the plan billing one-off charges at once, a next-cycle charge waits for the run
    expect((await fin.call('POST', '/api/billing/plans', { estateId, document: { ...plan, oneOffCharges: { billing: 'at-once', payWithin: { amount: 10, unit: 'days' } } } })).status).toBe(200);
    expect((await desk.call('POST', `/api/instances/${id}/events`, { type: 'KEY_CARD', data: {} })).status).toBe(200);
    const looked = await tick();
    expect(looked.billedAtOnce).toBe(1);
    const [keyCard] = await db.select().from(outbox).where(and(eq(outbox.tenantId, tenantId), eq(outbox.kind, 'charge'), eq(outbox.status, 'pending')));
    expect(keyCard).toMatchObject({ attempts: 1 });
    const run = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'garden-quarterly', period: '2027-Q3' });
    expect(run.body.errors).toEqual([]);
    const q3 = await fin.call('GET', `/api/billing/bills?estateId=${estateId}&period=2027-Q3&asOf=2027-07-01`);
    expect(q3.body.items[0].lines.map((l: { kind: string; amountFen: number }) => [l.kind, l.amountFen])).toEqual([['management', 67028], ['service', 2000]]);
  });
});
