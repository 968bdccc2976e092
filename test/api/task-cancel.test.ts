import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { taskCountsOf } from '../../apps/api/src/services/rollups.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

withDatabases((kind, getDb) => {
  it(`a repair cancelled while its technician's 到场维修 is open: that task is cancelled, not done; the dispatch task done; no inbox lists either, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '取消物业');
    const estateId = await createEstate(db, tenantId, { name: '取消小区' });
    const roles = ['admin', 'resident', 'dispatcher', 'technician'] as const;
    const ids: Record<string, string> = {};
    for (const role of roles) ids[role] = await createUser(db, testConfig as never, { tenantId, username: `tc-${role}-${kind}`, password: 'pw', roles: [{ estateId, role }] });
    const app = testApp(db);
    const [admin, resident, dispatcher, technician] = await Promise.all(roles.map((r) => signIn(app, `tc-${r}-${kind}`, 'pw')));
    expect((await admin!.call('POST', '/api/bundles/install', { estateId, bundleId: 'repair' })).status).toBe(200);
    const started = await resident!.call('POST', '/api/instances', { estateId, workflow: 'repair', data: { name: '王女士', unit: '1-101', phone: '13800000000', fault: '灯不亮' } });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    const send = async (who: typeof admin, type: string, data: Record<string, unknown> = {}) => {
      const r = await who!.call('POST', `/api/instances/${id}/events`, { type, data });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    };
    type TaskRow = { key: string; status: string; closedAt: string | null };
    const tasksOf = async (who: typeof admin) => ((await who!.call('GET', `/api/instances/${id}`)).body.tasks as TaskRow[]).map((t) => [t.key, t.status, t.closedAt !== null]);
    const inbox = async (who: typeof admin) => ((await who!.call('GET', '/api/tasks')).body.items as { instanceId: string }[]).filter((t) => t.instanceId === id);

    await send(dispatcher, 'CLASSIFY', { kind: 'minor', category: 'other', paid: false, technician: ids.technician });
    expect(await tasksOf(resident)).toEqual([['classify', 'done', true], ['attend', 'open', false]]);
    expect(await inbox(technician)).toHaveLength(1);

    await send(resident, 'CANCEL', { by: 'resident', reason: '临时外出' });
    // the technician never came: the request page shows 到场维修 cancelled, to the resident as to the office
    expect(await tasksOf(resident)).toEqual([['classify', 'done', true], ['attend', 'cancelled', true]]);
    expect(await tasksOf(dispatcher)).toEqual(await tasksOf(resident));
    expect(await inbox(technician)).toEqual([]);
    expect(await inbox(dispatcher)).toEqual([]);
    // the report counts it among the request's tasks, never as closed (nor closed on time)
    expect((await taskCountsOf(db, tenantId, [id])).get(id)).toEqual({ all: 2, closed: 1, onTime: 1 });

    // the resident cancelling before anyone dispatched: 分类派单 lists CANCEL among its buttons (the dispatcher may
    // cancel a request), but it was not the dispatcher who did: cancelled, not done
    const second = await resident!.call('POST', '/api/instances', { estateId, workflow: 'repair', data: { name: '王女士', unit: '1-101', phone: '13800000000', fault: '水龙头滴水' } });
    expect(second.status).toBe(201);
    const cancel = await resident!.call('POST', `/api/instances/${second.body.id as string}/events`, { type: 'CANCEL', data: { by: 'resident', reason: '已自行修好' } });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    const after = ((await dispatcher!.call('GET', `/api/instances/${second.body.id as string}`)).body.tasks as TaskRow[]).map((t) => [t.key, t.status]);
    expect(after).toEqual([['classify', 'cancelled']]);
  });
});
