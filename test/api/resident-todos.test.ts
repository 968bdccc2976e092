import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

withDatabases((kind, getDb) => {
  it(`the repair's sign-off waits in the resident's own to-dos (a task whose event a resident may send, on their request), not in another resident's, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '待办物业');
    const estateId = await createEstate(db, tenantId, { name: '待办小区' });
    const roles = ['admin', 'resident', 'dispatcher', 'technician'] as const;
    const ids: Record<string, string> = {};
    for (const role of roles) ids[role] = await createUser(db, testConfig as never, { tenantId, username: `td-${role}-${kind}`, password: 'pw', roles: [{ estateId, role }] });
    await createUser(db, testConfig as never, { tenantId, username: `td-other-${kind}`, password: 'pw', roles: [{ estateId, role: 'resident' }] });
    const app = testApp(db);
    const [admin, resident, dispatcher, technician, other] = await Promise.all([...roles, 'other'].map((r) => signIn(app, `td-${r}-${kind}`, 'pw')));
    expect((await admin!.call('POST', '/api/bundles/install', { estateId, bundleId: 'repair' })).status).toBe(200);
    const started = await resident!.call('POST', '/api/instances', { estateId, workflow: 'repair', data: { name: '王女士', unit: '1-101', phone: '13800000000', fault: '灯不亮' } });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    const send = async (who: typeof admin, type: string, data: Record<string, unknown> = {}) => {
      const r = await who!.call('POST', `/api/instances/${id}/events`, { type, data });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    };
    const waiting = async (who: typeof admin) => ((await who!.call('GET', '/api/tasks')).body.items as { instanceId: string; key: string; events: string[] }[]).filter((t) => t.instanceId === id);

    // while the office classifies and the technician works, nothing waits for the resident
    expect(await waiting(resident)).toEqual([]);
    await send(dispatcher, 'CLASSIFY', { kind: 'minor', category: 'other', paid: false, technician: ids.technician });
    await send(technician, 'ARRIVE');
    expect(await waiting(resident)).toEqual([]);
    await send(technician, 'COMPLETE', { workDone: '更换灯管' });

    const mine = await waiting(resident);
    expect(mine.map((t) => t.key)).toEqual(['accept']);
    expect(mine[0]!.events).toEqual(['ACCEPTANCE']);
    // the row carries what the list shows: the version behind it and the state, for the words
    const row = ((await resident!.call('GET', '/api/tasks')).body.items as Record<string, unknown>[]).find((t) => t.instanceId === id)!;
    expect(row.definitionVersionId).toBe(started.body.definitionVersionId);
    expect(row.state).toEqual({ work: 'acceptance' });
    // another resident of the estate never sees it; the technician still does
    expect(await waiting(other)).toEqual([]);
    expect((await waiting(technician)).map((t) => t.key)).toEqual(['accept']);

    await send(resident, 'ACCEPTANCE', { result: 'pass', residentSignature: '王' });
    expect(await waiting(resident)).toEqual([]);
  });
});
