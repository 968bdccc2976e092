// "First asked owns it" (issue #22; PS-12, GN-1, GN-3, CP-12): a security guard registers a repair a
// resident told them about, for that resident. The request records who registered it and whom it is
// for; the resident sees it in their list and gets its sign-off to-do as if they had raised it, and a
// neighbour does not. Only staff register for someone else, and only for a resident living in the
// estate (and in the unit named). On PGlite and PostgreSQL.
import { expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { instances, units, users } from '@estateflow/db';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig, type Client } from '../support/api.ts';

withDatabases((kind, getDb) => {
  it(`a guard registers a repair for a resident: the resident follows it and signs it off, a neighbour sees nothing, on ${kind}`, async () => {
    const db = getDb();
    const tag = `${kind}-${Math.random().toString(36).slice(2, 7)}`;
    const tenantId = await createCompany(db, `首问物业 ${tag}`);
    const estateId = await createEstate(db, tenantId, { name: '首问小区', buildings: [{ name: '1栋', units: ['1-101', '1-102'] }] });
    const rows = await db.select().from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId)));
    const unit101 = rows.find((u) => u.label === '1-101')!.id;
    const unit102 = rows.find((u) => u.label === '1-102')!.id;
    const ids: Record<string, string> = {};
    for (const role of ['admin', 'security', 'dispatcher', 'technician'] as const) {
      ids[role] = await createUser(db, testConfig as never, { tenantId, username: `fa-${role}-${tag}`, password: 'pw', roles: [{ estateId, role }] });
    }
    const app = testApp(db);
    const [admin, guard, dispatcher, technician] = await Promise.all(['admin', 'security', 'dispatcher', 'technician'].map((r) => signIn(app, `fa-${r}-${tag}`, 'pw')));
    expect((await admin!.call('POST', '/api/bundles/install', { estateId, bundleId: 'repair' })).status).toBe(200);
    // two households, linked at the front desk
    const resident = async (name: string, unitId: string): Promise<{ id: string; client: Client }> => {
      const made = await admin!.call('POST', '/api/residents/verify', { estateId, unitId, kind: 'owner', documents: ['id_card'], account: { username: `${name}-${tag}`, realName: name, phone: '13800001234', password: `${name} first password` } });
      expect(made.status, JSON.stringify(made.body)).toBe(200);
      const first = await signIn(app, `${name}-${tag}`, `${name} first password`);
      expect((await first.call('POST', '/api/auth/password', { currentPassword: `${name} first password`, newPassword: `${name} own long secret` })).status).toBe(200);
      return { id: made.body.userId, client: await signIn(app, `${name}-${tag}`, `${name} own long secret`) };
    };
    const zhao = await resident('zhao', unit101);
    const neighbour = await resident('qian', unit102);

    const body = { estateId, workflow: 'repair', unitId: unit101, data: { name: '赵先生', unit: '1-101', phone: '13800001234', fault: '楼道口告知：卫生间漏水' } };
    // refusals name /requestedFor and write nothing
    const refusals: [Client, Record<string, unknown>, string][] = [
      [zhao.client, { ...body, requestedFor: neighbour.id }, '员工'],
      [guard!, { ...body, requestedFor: ids.technician }, '在住'],
      [guard!, { ...body, requestedFor: neighbour.id }, '所选房屋'],
      [guard!, { ...body, requestedFor: 'nobody' }, '无效'],
    ];
    for (const [who, b, zh] of refusals) {
      const res = await who.call('POST', '/api/instances', b);
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.error.field).toBe('/requestedFor');
      expect(res.body.error.message.zh).toContain(zh);
      expect(res.body.error.message.en.length).toBeGreaterThan(10);
    }
    expect(await db.select().from(instances).where(eq(instances.tenantId, tenantId))).toEqual([]);

    // the guard finds whom to register it for in the unit's household file: its residents with their accounts
    const file = await guard!.call('GET', `/api/estates/${estateId}/units/${unit101}`);
    expect(file.status, JSON.stringify(file.body)).toBe(200);
    expect((file.body.residents as { userId: string | null; active: boolean }[]).filter((r) => r.active).map((r) => r.userId)).toEqual([zhao.id]);

    const started = await guard!.call('POST', '/api/instances', { ...body, requestedFor: zhao.id });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = started.body.id as string;
    const [row] = await db.select().from(instances).where(and(eq(instances.tenantId, tenantId), eq(instances.id, id)));
    expect({ startedBy: row!.startedBy, requestedFor: row!.requestedFor }).toEqual({ startedBy: ids.security, requestedFor: zhao.id });

    // the resident sees it in their list and opens it; the neighbour does neither
    const listed = async (who: Client) => ((await who.call('GET', `/api/instances?estateId=${estateId}`)).body.items as { id: string }[]).map((i) => i.id);
    expect(await listed(zhao.client)).toContain(id);
    const seen = await zhao.client.call('GET', `/api/instances/${id}`);
    expect(seen.status).toBe(200);
    // the request names who registered it and whom it is for, by display name
    const names = (await db.select({ id: users.id, name: users.displayName }).from(users).where(eq(users.tenantId, tenantId)));
    const nameOf = (uid: string) => names.find((n) => n.id === uid)!.name;
    expect({ by: seen.body.startedByName, for: seen.body.requestedForName }).toEqual({ by: nameOf(ids.security!), for: nameOf(zhao.id) });
    expect(await listed(neighbour.client)).not.toContain(id);
    expect((await neighbour.client.call('GET', `/api/instances/${id}`)).status).toBe(403);

    const send = async (who: Client, type: string, data: Record<string, unknown> = {}) => {
      const r = await who.call('POST', `/api/instances/${id}/events`, { type, data });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    };
    const waiting = async (who: Client) => ((await who.call('GET', '/api/tasks')).body.items as { instanceId: string; key: string }[]).filter((t) => t.instanceId === id).map((t) => t.key);
    await send(dispatcher!, 'CLASSIFY', { kind: 'minor', category: 'other', paid: false, technician: ids.technician });
    await send(technician!, 'ARRIVE');
    await send(technician!, 'COMPLETE', { workDone: '更换卫生间密封圈' });
    // the sign-off waits for the resident it is for, not for the neighbour
    expect(await waiting(zhao.client)).toEqual(['accept']);
    expect(await waiting(neighbour.client)).toEqual([]);
    await send(zhao.client, 'ACCEPTANCE', { result: 'pass', residentSignature: '赵' });
    expect(await waiting(zhao.client)).toEqual([]);
    // the result is theirs to see (CP-12); a neighbour still cannot open it
    const done = await zhao.client.call('GET', `/api/instances/${id}`);
    expect(done.status).toBe(200);
    expect(done.body.state).not.toEqual({ work: 'acceptance' });
    expect((await neighbour.client.call('GET', `/api/instances/${id}/history`)).status).toBe(403);
  }, 120_000);
});
