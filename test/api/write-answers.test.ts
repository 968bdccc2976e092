import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { events, idempotencyKeys, instances } from '@estateflow/db';
import { sendEvent, startInstance } from '@estateflow/api';
import { ApiError } from '../../apps/api/src/errors.ts';
import { CompiledCache } from '../../apps/api/src/services/compiled-cache.ts';
import { FastEventStore, type EventStore } from '../../apps/api/src/store/index.ts';
import { withDatabases } from '../support/db.ts';
import { buildWorld, type World } from '../support/world.ts';

// What a writer is told, and what a retry finds: the 409 says what happened (a client that sent no
// expectedVersion is not told "you sent N"), and a keyed start or event commits its key with its
// effect: a write that never committed leaves no key, so the retry runs; one that committed is replayed.
withDatabases((kind, getDb) => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld(getDb());
  });

  const start = (key: string, summary: string) => w.own.admin.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'test-ticket', data: { summary } }, { 'idempotency-key': key });
  const keyRow = async (key: string) => (await getDb().select().from(idempotencyKeys).where(and(eq(idempotencyKeys.tenantId, w.own.tenantId), eq(idempotencyKeys.key, key))))[0];

  it(`a 409 after our own retries says the instance kept changing, not "you sent N"; a stale expectedVersion still names both versions, on ${kind}`, async () => {
    const db = getDb();
    const fast = new FastEventStore(db);
    // every commit finds the instance moved on by another writer
    const busy: EventStore = { load: (k, o) => fast.load(k, o), commit: async (plans) => plans.map(() => 'moved' as const), within: (tx, o) => fast.within(tx, o) };
    const deps = { db, cache: new CompiledCache(), now: () => new Date(), store: busy };
    const actor = { id: randomUUID(), role: 'dispatcher' };
    const inst = await startInstance({ db, cache: deps.cache, now: deps.now }, { tenantId: w.own.tenantId, estateId: w.own.estateId, workflowKey: 'test-ticket', actor, data: { summary: '门禁' } });
    const e = await sendEvent(deps, { tenantId: w.own.tenantId, instanceId: inst.id, actor: { id: randomUUID(), role: 'technician' }, event: { type: 'ACK', data: { note: 'x' } } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ reason: 'version-conflict', status: 409, field: undefined });
    expect((e as ApiError).text.en).toBe('The instance kept changing while we applied this (changed by others 9 times while we retried); nothing was saved, try again shortly');
    expect((e as ApiError).text.zh).toContain('又被更新了 9 次');
    expect((e as ApiError).text.en).not.toContain('you sent');
    const stale = await sendEvent(deps, { tenantId: w.own.tenantId, instanceId: inst.id, actor: { id: randomUUID(), role: 'technician' }, event: { type: 'ACK', data: { note: 'x' } }, expectedVersion: 7 }).catch((x: unknown) => x);
    expect((stale as ApiError).text.en).toContain('version 1, you sent 7');
    expect(stale).toMatchObject({ field: 'expectedVersion' });
  });

  it(`a keyed start whose write never committed leaves no key: the retry runs and applies once, then replays; another body is a 422, on ${kind}`, async () => {
    const db = getDb();
    const key = `start-${randomUUID()}`;
    // the process dies before its commit: neither the instance nor the key is there
    const dying: EventStore = { load: async () => [], commit: async () => { throw new Error('killed'); }, within: () => dying };
    await expect(startInstance({ db, cache: new CompiledCache(), now: () => new Date(), store: dying }, {
      tenantId: w.own.tenantId, estateId: w.own.estateId, workflowKey: 'test-ticket', actor: { id: randomUUID(), role: 'admin' }, data: { summary: '断电' },
      idempotency: { userId: randomUUID(), key, method: 'POST', path: '/api/instances', requestHash: 'h', answer: () => ({ status: 201, body: {} }) },
    })).rejects.toThrow('killed');
    expect(await keyRow(key)).toBeUndefined();
    const first = await start(key, '断电');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // stored by the start's own commit, with its answer (never "in progress")
    expect(await keyRow(key)).toMatchObject({ statusCode: 201, response: first.body });
    const again = await start(key, '断电');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await start(key, '停水');
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({ reason: 'idempotency-mismatch', field: 'Idempotency-Key' });
    expect(await getDb().select().from(instances).where(and(eq(instances.tenantId, w.own.tenantId), eq(instances.id, first.body.id)))).toHaveLength(1);
  });

  it(`the same keyed event sent twice at once is applied once; the other gets the stored answer, on ${kind}`, async () => {
    const started = await start(`s-${randomUUID()}`, '楼道灯');
    const key = `ev-${randomUUID()}`;
    const tech = w.clients.get('technician')!;
    const send = () => tech.call('POST', `/api/instances/${started.body.id}/events`, { type: 'ACK', data: { note: '已到场' } }, { 'idempotency-key': key });
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body).toEqual(b.body);
    expect(a.body.version).toBe(2);
    const history = await getDb().select().from(events).where(and(eq(events.tenantId, w.own.tenantId), eq(events.instanceId, started.body.id)));
    expect(history.map((h) => [h.seq, h.type, h.idempotencyKey])).toEqual([[1, 'start', expect.any(String)], [2, 'ACK', key]]);
    expect(await keyRow(key)).toMatchObject({ statusCode: 200 });
    // no key of these routes is ever left "in progress"
    expect((await getDb().select().from(idempotencyKeys).where(and(eq(idempotencyKeys.tenantId, w.own.tenantId), eq(idempotencyKeys.statusCode, 0))))).toEqual([]);
  });
});
