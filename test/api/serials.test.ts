import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { defaultPlan } from '@estateflow/billing';
import { billLines, bundleInstalls, definitionVersions, instances, outbox, units } from '@estateflow/db';
import { readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

const workflows = join(import.meta.dirname, '../../workflows');
const feeExample = (JSON.parse(readFileSync(new URL('../../schemas/fee-schedule.schema.json', import.meta.url), 'utf8')) as { examples: Record<string, unknown>[] }).examples[0]!;

withDatabases((kind, getDb) => {
  it(`numbers each workflow's requests with its own prefix and refuses a prefix another workflow of the estate holds, naming the path, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '编号物业');
    const estateId = await createEstate(db, tenantId, { name: '编号小区', buildings: [{ name: '1栋', units: ['1-101'] }] });
    await createUser(db, testConfig as never, { tenantId, username: `sa-${kind}`, password: 'pw', roles: [{ estateId, role: 'admin' }] });
    await createUser(db, testConfig as never, { tenantId, username: `sd-${kind}`, password: 'pw', roles: [{ estateId, role: 'front_desk' }] });
    const app = testApp(db);
    const admin = await signIn(app, `sa-${kind}`, 'pw');
    const desk = await signIn(app, `sd-${kind}`, 'pw');

    for (const bundleId of ['repair', 'renovation']) expect((await admin.call('POST', '/api/bundles/install', { estateId, bundleId })).status).toBe(200);
    const repair = await desk.call('POST', '/api/instances', { estateId, workflow: 'repair', data: { name: '张先生', unit: '1-101', phone: '13800138000', fault: '灯不亮', channel: 'phone' } });
    const renovation = await desk.call('POST', '/api/instances', { estateId, workflow: 'renovation', data: JSON.parse(readFileSync(join(workflows, 'renovation/scenarios/rn-rejected.scenario.json'), 'utf8')).start.data });
    expect([repair.status, renovation.status]).toEqual([201, 201]);
    // before prefixes both were R-000001
    expect([repair.body.serial, renovation.body.serial]).toEqual(['RP-000001', 'RN-000001']);

    // an uploaded bundle whose workflow takes the prefix repair holds: refused, naming the file and path, nothing installed
    const pkg = await readBundleFolder(join(workflows, 'lost-and-found'));
    const wfFile = Object.keys(pkg.files).find((f) => pkg.files[f]!.kind === 'workflow')!;
    const clash = structuredClone(pkg);
    clash.files[wfFile]!.serialPrefix = 'RP';
    const before = (await db.select().from(bundleInstalls).where(eq(bundleInstalls.estateId, estateId))).length;
    const refused = await admin.call('POST', '/api/bundles/install', { estateId, package: clash });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ reason: 'invalid-definition', path: '/serialPrefix', field: wfFile });
    expect(refused.body.error.message.zh).toContain('“RP”已被本项目的流程“repair”使用');
    expect(refused.body.error.message.en).toContain('Serial prefix "RP" is already used by workflow "repair"');
    expect((await db.select().from(bundleInstalls).where(eq(bundleInstalls.estateId, estateId))).length).toBe(before);

    // the estate may choose its own prefix at install; a workflow the bundle lacks is refused
    const unknown = await admin.call('POST', '/api/bundles/install', { estateId, bundleId: 'lost-and-found', serialPrefixes: { 'lost-found': 'SW' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.field).toBe('serialPrefixes.lost-found');
    expect((await admin.call('POST', '/api/bundles/install', { estateId, bundleId: 'lost-and-found', serialPrefixes: { 'lost-and-found': 'SW' } })).status).toBe(200);
    const found = await desk.call('POST', '/api/instances', { estateId, workflow: 'lost-and-found', data: JSON.parse(readFileSync(join(workflows, 'lost-and-found/scenarios/claimed-with-lead.scenario.json'), 'utf8')).start.data });
    expect(found.body.serial).toBe('SW-000001');

    // publishing a workflow edit that takes renovation's prefix: refused by validate and publish alike
    const [latest] = await db.select().from(definitionVersions).where(and(eq(definitionVersions.estateId, estateId), eq(definitionVersions.kind, 'workflow'), eq(definitionVersions.key, 'repair')));
    const edited = { ...(latest!.document as Record<string, unknown>), serialPrefix: 'RN' };
    const validated = await admin.call('POST', '/api/definitions/validate', { estateId, document: edited });
    expect(validated.body.valid).toBe(false);
    expect(validated.body.issues[0].path).toBe('/serialPrefix');
    const published = await admin.call('POST', '/api/definitions/publish', { estateId, kind: 'workflow', key: 'repair', changeNote: 'prefix', document: edited });
    expect(published.status).toBe(422);
    expect(published.body.error.message.en).toContain('already used by workflow "renovation"');
    // a prefix of its own is fine, and old serials keep theirs: the counter goes on
    expect((await admin.call('POST', '/api/definitions/publish', { estateId, kind: 'workflow', key: 'repair', changeNote: 'prefix', document: { ...edited, serialPrefix: 'BX' } })).status).toBe(200);
    const next = await desk.call('POST', '/api/instances', { estateId, workflow: 'repair', data: { name: '李女士', unit: '1-101', phone: '13800138001', fault: '漏水', channel: 'phone' } });
    expect(next.body.serial).toBe('BX-000002');
  });

  it(`bills every charge under its own serial: old duplicate serials are told apart by workflow, a second charge of a request gets -2, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '账单物业');
    const estateId = await createEstate(db, tenantId, { name: '账单小区', buildings: [{ name: '2栋', units: ['2-201'] }] });
    const [flat] = await db.select().from(units).where(eq(units.estateId, estateId));
    await db.update(units).set({ areaSqm: '89.37' }).where(and(eq(units.tenantId, tenantId), eq(units.id, flat!.id)));
    await createUser(db, testConfig as never, { tenantId, username: `sf-${kind}`, password: 'pw', roles: [{ estateId, role: 'finance' }] });
    // two requests numbered before prefixes (repair and renovation both R-000001), and one of today's with two charges
    const at = new Date('2027-02-10T02:00:00Z');
    const request = async (workflowKey: string, serial: string, charges: number[]) => {
      const id = randomUUID();
      await db.insert(instances).values({ tenantId, id, estateId, unitId: flat!.id, workflowKey, definitionVersionId: randomUUID(), workflowVersion: 1, serial, state: 'done', snapshot: {}, status: 'done', startedAt: at, updatedAt: at });
      for (const [i, amountFen] of charges.entries()) {
        // the engine's serial (context.serial or the request id) is not what the bill shows
        await db.insert(outbox).values({ tenantId, id: randomUUID(), estateId, instanceId: id, kind: 'charge', payload: { item: 'fee', amountFen, serial: id, instanceId: id }, createdAt: new Date(at.getTime() + i * 60_000) });
      }
    };
    await request('repair', 'R-000001', [1500]);
    await request('renovation', 'R-000001', [30000]);
    await request('incident', 'IN-000004', [800, 1200]);

    const app = testApp(db, { now: () => new Date('2027-02-20T04:00:00Z') });
    const fin = await signIn(app, `sf-${kind}`, 'pw');
    await fin.call('POST', '/api/billing/schedules', { estateId, document: feeExample });
    await fin.call('POST', '/api/billing/plans', { estateId, document: defaultPlan('monthly', { id: 'garden-monthly', feeSchedule: 'garden-fees' }) });
    await fin.call('POST', '/api/billing/units', { estateId, unitId: flat!.id, unitType: 'residential' });
    const run = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'garden-monthly', period: '2027-03' });
    expect(run.status).toBe(200);
    const lines = await db.select({ serial: billLines.orderSerial, amountFen: billLines.amountFen }).from(billLines).where(and(eq(billLines.tenantId, tenantId), eq(billLines.kind, 'service')));
    expect(lines.map((l) => [l.serial, l.amountFen]).sort()).toEqual([['IN-000004', 800], ['IN-000004-2', 1200], ['renovation:R-000001', 30000], ['repair:R-000001', 1500]]);
    expect((await db.select().from(outbox).where(and(eq(outbox.tenantId, tenantId), eq(outbox.status, 'pending')))).length).toBe(0);
  });
});
