import { and, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { events, outbox, timers } from '@estateflow/db';
import { runWorkerOnce } from '@estateflow/api';
import { withDatabases } from '../support/db.ts';
import { buildWorld, type World } from '../support/world.ts';

withDatabases((kind, getDb) => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld(getDb());
  });

  it(`fires nothing before a timer is due on ${kind}`, async () => {
    const r = await runWorkerOnce({ db: getDb(), workerId: 'early', now: () => new Date(Date.now() - 60_000) });
    expect(r.fired).toBe(0);
  });

  it(`fires a due timer once through the event path as system, and delivers its notice on ${kind}`, async () => {
    const db = getDb();
    const later = () => new Date(Date.now() + 5 * 60_000);
    const first = await runWorkerOnce({ db, workerId: 'w1', now: later });
    expect(first.fired).toBeGreaterThanOrEqual(3);
    const again = await runWorkerOnce({ db, workerId: 'w2', now: later });
    expect(again.fired).toBe(0);
    const tech = w.clients.get('technician')!;
    const inst = await tech.call('GET', `/api/instances/${w.own.instanceId}`);
    expect(inst.body).toMatchObject({ state: 'overdue', version: 2 });
    const hist = await db.select().from(events).where(and(eq(events.tenantId, w.own.tenantId), eq(events.instanceId, w.own.instanceId)));
    expect(hist.filter((e) => e.actorRole === 'system')).toHaveLength(1);
    const [t] = await db.select().from(timers).where(and(eq(timers.tenantId, w.own.tenantId), eq(timers.instanceId, w.own.instanceId)));
    expect(t).toMatchObject({ status: 'fired', firedBy: 'w1' });
    const notices = await db.select().from(outbox).where(and(eq(outbox.tenantId, w.own.tenantId), eq(outbox.instanceId, w.own.instanceId)));
    expect(notices.map((n) => [n.kind, n.status])).toEqual([['notify', 'done']]);
  });
});
