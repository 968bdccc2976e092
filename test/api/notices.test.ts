import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { outbox, residents, units, type Db } from '@estateflow/db';
import { createEstate, createUser } from '@estateflow/api';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { signIn, testConfig, type Client } from '../support/api.ts';
import { withDatabases } from '../support/db.ts';
import { buildWorld, type World } from '../support/world.ts';

// GET /api/notices answers each caller the notices addressed to them: staff by role or as the user;
// a resident also as the request's resident (whoever may see the request: one they started, or, for a
// household-visible workflow, one on a unit they live in)
// and by public notice to every resident of the request's building or of the estate (CP-8: the
// notice of a fix for a widespread complaint). Never another estate's or another company's.

withDatabases((kind, getDb) => {
  let w: World;
  let estateId: string;
  let instanceId: string;
  const people = new Map<string, { id: string; client: Client }>();
  const as = (name: string) => people.get(name)!.client;

  const notice = (db: Db, estate: string, tenant: string, instance: string | null, kindOf: 'notify' | 'escalate', payload: Record<string, unknown>) =>
    db.insert(outbox).values({ tenantId: tenant, id: randomUUID(), estateId: estate, instanceId: instance, kind: kindOf, payload, status: 'done', createdAt: new Date(), processedAt: new Date() });

  const seen = async (name: string) => {
    const r = await as(name).call('GET', `/api/notices?estateId=${estateId}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return (r.body.items as { payload: { message: { en: string } } }[]).map((n) => n.payload.message.en).sort();
  };

  beforeAll(async () => {
    const db = getDb();
    w = await buildWorld(db);
    const t = w.own.tenantId;
    estateId = await createEstate(db, t, { name: '翠湖苑', buildings: [{ name: '1栋', units: ['1-101', '1-102'] }, { name: '2栋', units: ['2-101'] }] });
    const unitRows = await db.select().from(units).where(and(eq(units.tenantId, t), eq(units.estateId, estateId)));
    const unit = (label: string) => unitRows.find((u) => u.label === label)!.id;
    // residents: A and A2 share 1-101, B lives in 1-102 (same building), C in 2-101; staff: a dispatcher and a CS manager
    const residentOf: [string, string | null][] = [['A', '1-101'], ['A2', '1-101'], ['B', '1-102'], ['C', '2-101']];
    for (const [name, label] of residentOf) {
      const username = `n-${name}-${randomUUID().slice(0, 8)}`;
      const id = await createUser(db, testConfig as never, { tenantId: t, username, password: 'pw', roles: [{ estateId, role: 'resident' }] });
      if (label) await db.insert(residents).values({ tenantId: t, id: randomUUID(), estateId, unitId: unit(label), name, userId: id });
      people.set(name, { id, client: await signIn(w.app, username, 'pw') });
    }
    for (const role of ['dispatcher', 'cs_manager'] as const) {
      const username = `n-${role}-${randomUUID().slice(0, 8)}`;
      const id = await createUser(db, testConfig as never, { tenantId: t, username, password: 'pw', roles: [{ estateId, role }] });
      people.set(role, { id, client: await signIn(w.app, username, 'pw') });
    }
    // no admin of the company is a member of this estate: installed as the install route does it
    await installBundle(db, { tenantId: t, estateId, pkg: await readBundleFolder(join(import.meta.dirname, '../../workflows/complaint')), parameters: {}, source: 'catalogue', now: new Date() });
    const started = await as('A').call('POST', '/api/instances', { estateId, workflow: 'complaint', unitId: unit('1-101'),
      data: { channel: 'app', name: '王女士', unit: '1-101', against: '地下车库', what: '车库排风机故障' } });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    instanceId = started.body.id;
    const msg = (en: string) => ({ zh: en, en });
    await notice(db, estateId, t, instanceId, 'notify', { kind: 'notify', to: { resident: true }, message: msg('to the resident'), channel: 'app' });
    await notice(db, estateId, t, instanceId, 'notify', { kind: 'notify', to: { residents: 'building' }, message: msg('to the building'), channel: 'app' });
    await notice(db, estateId, t, instanceId, 'notify', { kind: 'notify', to: { residents: 'estate' }, message: msg('to the estate'), channel: 'app' });
    await notice(db, estateId, t, instanceId, 'notify', { kind: 'notify', to: { role: 'dispatcher' }, message: msg('to dispatchers'), channel: 'app' });
    await notice(db, estateId, t, instanceId, 'escalate', { kind: 'escalate', ladder: 'answer', rung: 0, roles: ['cs_manager'], message: msg('escalated to CS managers') });
    await notice(db, estateId, t, instanceId, 'notify', { kind: 'notify', to: { user: people.get('C')!.id }, message: msg('to C by name'), channel: 'app' });
    // elsewhere: another estate of the company and another company, both addressed to every resident
    await notice(db, w.own.estateId, t, null, 'notify', { kind: 'notify', to: { residents: 'estate' }, message: msg('another estate'), channel: 'app' });
    await notice(db, w.otherCompany.estateId, w.otherCompany.tenantId, null, 'notify', { kind: 'notify', to: { residents: 'estate' }, message: msg('another company'), channel: 'app' });
  });

  it(`a resident sees what is addressed to their request, unit, building and estate, and nothing else, on ${kind}`, async () => {
    expect(await seen('A')).toEqual(['to the building', 'to the estate', 'to the resident']);
    // lives in the request's unit without having started it: a complaint is its complainant's alone (CP-13, privacy "private")
    expect(await seen('A2')).toEqual(['to the building', 'to the estate']);
    // same building, another unit
    expect(await seen('B')).toEqual(['to the building', 'to the estate']);
    // another building: the estate's notice and one sent to them by name
    expect(await seen('C')).toEqual(['to C by name', 'to the estate']);
  });

  it(`staff see what their role is sent, and no resident's notices, on ${kind}`, async () => {
    expect(await seen('dispatcher')).toEqual(['to dispatchers']);
    expect(await seen('cs_manager')).toEqual(['escalated to CS managers']);
  });

  it(`each notice names its request (serial, workflow), and another estate's notices are refused, on ${kind}`, async () => {
    const r = await as('A').call('GET', `/api/notices?estateId=${estateId}`);
    expect(r.body.items[0]).toMatchObject({ instanceId, serial: expect.stringMatching(/^CP-\d{6}$/), workflow: 'complaint', kind: 'notify', status: 'done' });
    const other = await as('A').call('GET', `/api/notices?estateId=${w.otherCompany.estateId}`);
    expect([403, 404]).toContain(other.status);
  });

  it(`without an estate, one call lists the caller's notices of every estate, each by their role there, newest first, a page at a time, on ${kind}`, async () => {
    const db = getDb();
    const t = w.own.tenantId;
    // a dispatcher of the world's estate who also lives in 1-102 here (a resident)
    const username = `n-two-${randomUUID().slice(0, 8)}`;
    const id = await createUser(db, testConfig as never, { tenantId: t, username, password: 'pw', roles: [{ estateId, role: 'resident' }, { estateId: w.own.estateId, role: 'dispatcher' }] });
    const [u102] = await db.select().from(units).where(and(eq(units.tenantId, t), eq(units.estateId, estateId), eq(units.label, '1-102')));
    await db.insert(residents).values({ tenantId: t, id: randomUUID(), estateId, unitId: u102!.id, name: 'D', userId: id });
    const client = await signIn(w.app, username, 'pw');
    await notice(db, w.own.estateId, t, null, 'notify', { kind: 'notify', to: { role: 'dispatcher' }, message: { zh: '调度', en: 'to the dispatchers of the other estate' }, channel: 'app' });
    const all = await client.call('GET', '/api/notices');
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    const en = (items: { payload: { message: { en: string } } }[]) => items.map((n) => n.payload.message.en);
    // here as a resident of building 1 (not the complaint's raiser), there as a dispatcher; never the other company's
    expect(en(all.body.items).sort()).toEqual(['to the building', 'to the estate', 'to the dispatchers of the other estate'].sort());
    expect(all.body.items.map((n: { estateId: string }) => n.estateId).sort()).toEqual([estateId, estateId, w.own.estateId].sort());
    const times = all.body.items.map((n: { createdAt: string }) => Date.parse(n.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // pages of one follow the cursor to the same list
    const paged: { payload: { message: { en: string } } }[] = [];
    let cursor: string | null = null;
    do {
      const page = await client.call('GET', `/api/notices?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      paged.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(en(paged)).toEqual(en(all.body.items));
    const tooMany = await client.call('GET', '/api/notices?limit=500');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.field).toBe('limit');
  });
});
