import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser, runWorkerOnce } from '@estateflow/api';
import { events, units } from '@estateflow/db';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

// Issue #20 (PS-10, PS-2, PS-11): a paid service is quoted from the estate's price list, the server
// prices it (the filler's amounts are not taken), manual lines need a reason, and the completed
// order's charge is the quote's total, billed at once and paid at the counter.
withDatabases((kind, getDb) => {
  it(`quotes a paid service from the price list and bills the completed order at once on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '长城物业');
    const estateId = await createEstate(db, tenantId, { name: '颐园世家', buildings: [{ name: '5栋', units: ['5-302'] }] });
    const [flat] = await db.select().from(units).where(eq(units.estateId, estateId));
    const now = new Date('2027-03-05T01:00:00Z');
    for (const name of ['billing-dunning', 'paid-service']) {
      const pkg = await readBundleFolder(join(import.meta.dirname, `../../workflows/${name}`));
      await db.transaction((tx) => installBundle(tx, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now }));
    }
    const ids: Record<string, string> = {};
    for (const role of ['finance', 'front_desk', 'dispatcher', 'technician'] as const) ids[role] = await createUser(db, testConfig as never, { tenantId, username: `${role}-${kind}`, password: 'pw', roles: [{ estateId, role }] });
    const app = testApp(db, { now: () => now });
    const [fin, desk, dispatch, tech] = await Promise.all([signIn(app, `finance-${kind}`, 'pw'), signIn(app, `front_desk-${kind}`, 'pw'), signIn(app, `dispatcher-${kind}`, 'pw'), signIn(app, `technician-${kind}`, 'pw')]);
    expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: flat!.id, unitType: 'residential', areaSqm: '89.37' })).status).toBe(200);

    // the price list as the technician reads it: the seed's items, each saying where its price comes from
    const list = await tech.call('GET', `/api/billing/service-items?estateId=${estateId}`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { code: string }) => i.code)).toContain('lamp-repair');
    const lamp = list.body.items.find((i: { code: string }) => i.code === 'lamp-repair');
    expect(lamp).toMatchObject({ priceFen: 2000, unit: 'item', materials: 'at-cost', source: ['PS-10'] });
    expect(lamp.basis.zh).toContain('未列价格');
    expect(list.body.items.find((i: { code: string }) => i.code === 'water-pipe-install')).toMatchObject({ unit: 'hour', materials: 'customer-supplies' });

    const started = await desk.call('POST', '/api/instances', { estateId, workflow: 'paid-service', unitId: flat!.id, data: { customerName: '王先生', unit: '5-302', content: '更换客厅日光灯', appointment: '2027-03-05T14:00:00+08:00', phone: '13912345678', channel: 'phone' } });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = started.body.id as string;
    const send = async (who: typeof desk, type: string, data: Record<string, unknown> = {}) => who.call('POST', `/api/instances/${id}/events`, { type, data });
    expect((await send(dispatch, 'ACCEPT', { category: 'lamp', estimateFen: 5000, timeKeepable: true })).status).toBe(200);
    expect((await send(dispatch, 'DISPATCH', { orderNo: 'PS-20270305-001', technicianId: ids.technician })).status).toBe(200);
    expect((await send(tech, 'TAKE')).status).toBe(200);
    expect((await send(tech, 'ARRIVE')).status).toBe(200);

    // an item not on the list, and a manual line without its reason, are refused naming the row; nothing changes
    const unknown = await send(tech, 'QUOTE', { quote: [{ code: 'gold-plating', quantity: 1 }] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.path).toBe('/quote/0/code');
    expect(unknown.body.error.message.zh).toContain('lamp-repair');
    const noReason = await send(tech, 'QUOTE', { quote: [{ code: 'lamp-repair', quantity: 2 }, { description: '镇流器', amountFen: 6000 }] });
    expect(noReason.status).toBe(422);
    expect(noReason.body.error.path).toBe('/quote/1/reason');
    expect((await tech.call('GET', `/api/instances/${id}`)).body.state).toEqual({ order: 'inspecting' });

    // the server prices the list's rows (the amount sent is not taken), keeps the manual line as written
    const quoted = await send(tech, 'QUOTE', { quote: [{ code: 'lamp-repair', quantity: 2, amountFen: 1 }, { description: '镇流器（材料按实另收）', amountFen: 6000, reason: '更换镇流器，材料按实另收' }], findings: '镇流器老化' });
    expect(quoted.status, JSON.stringify(quoted.body)).toBe(200);
    const inst = await tech.call('GET', `/api/instances/${id}`);
    expect(inst.body.data.priceFen).toBe(10000);
    expect(inst.body.data.quote).toEqual([
      { code: 'lamp-repair', quantity: 2, amountFen: 4000, description: '日光灯维修 ¥20.00/个 × 2' },
      { description: '镇流器（材料按实另收）', amountFen: 6000, reason: '更换镇流器，材料按实另收' },
    ]);
    // the manual line is audited: the history entry keeps who wrote it, when, and why
    const [entry] = await db.select().from(events).where(and(eq(events.tenantId, tenantId), eq(events.instanceId, id), eq(events.type, 'QUOTE')));
    expect(entry).toMatchObject({ actorId: ids.technician, actorRole: 'technician' });
    expect(JSON.stringify(entry!.data)).toContain('更换镇流器，材料按实另收');

    expect((await send(tech, 'AGREE', { customerSignature: '王' })).status).toBe(200);
    expect((await send(tech, 'FINISH', { toolsReturned: true, slipWrittenOff: true })).status).toBe(200);
    expect((await send(tech, 'PASS', { signature: '王', rating: 5 })).status).toBe(200);

    // billed at once: its own bill of the quote's total under the request's serial, not on the next notice
    expect(inst.body.serial).toMatch(/^PS-/);
    expect((await runWorkerOnce({ db, workerId: `w-${kind}`, now: () => now })).billedAtOnce).toBe(1);
    const bills = await fin.call('GET', `/api/billing/bills?estateId=${estateId}&unitId=${flat!.id}`);
    expect(bills.body.items).toHaveLength(1);
    expect(bills.body.items[0]).toMatchObject({ periodId: inst.body.serial, issueOn: '2027-03-05', payBy: '2027-03-12', totalFen: 10000, outstandingFen: 10000 });
    expect(bills.body.items[0].lines[0].description.zh).toBe('特约服务（lamp）工单 PS-20270305-001');

    // paid at the counter: the receipt names the order's bill
    const paid = await desk.call('POST', '/api/billing/payments', { estateId, unitId: flat!.id, amountFen: 10000, method: 'cash' });
    expect(paid.status).toBe(200);
    expect(paid.body.receipt.lines).toEqual([expect.objectContaining({ billKey: bills.body.items[0].key, component: 'principal', amountFen: 10000 })]);
    expect(paid.body.balanceFen).toBe(0);
  });
});
