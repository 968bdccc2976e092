import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { companies, estates, instances, timers } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';

withDatabases((kind, getDb) => {
  it(`migrates and round-trips an estate with jsonb and timestamptz on ${kind}`, async () => {
    const db = getDb();
    const tenantId = randomUUID();
    const estateId = randomUUID();
    await db.insert(companies).values({ id: tenantId, name: '长城物业' });
    await db.insert(estates).values({ tenantId, id: estateId, name: '颐园世家', meta: { city: '合肥' } });
    const [row] = await db.select().from(estates).where(and(eq(estates.tenantId, tenantId), eq(estates.id, estateId)));
    expect(row?.name).toBe('颐园世家');
    expect(row?.meta).toEqual({ city: '合肥' });
    expect(row?.timeZone).toBe('Asia/Shanghai');
    expect(row?.createdAt).toBeInstanceOf(Date);
  });

  it(`keeps the composite tenant key: the same id in two tenants is two rows on ${kind}`, async () => {
    const db = getDb();
    const id = randomUUID();
    const [a, b] = [randomUUID(), randomUUID()];
    await db.insert(estates).values([
      { tenantId: a, id, name: 'A' },
      { tenantId: b, id, name: 'B' },
    ]);
    const rows = await db.select().from(estates).where(eq(estates.id, id));
    expect(rows.map((r) => r.name).sort()).toEqual(['A', 'B']);
    await expect(db.insert(estates).values({ tenantId: a, id, name: 'again' })).rejects.toThrow();
  });

  it(`claims a due timer with FOR UPDATE SKIP LOCKED inside a transaction on ${kind}`, async () => {
    const db = getDb();
    const tenantId = randomUUID();
    const instanceId = randomUUID();
    await db.insert(timers).values({
      tenantId, id: randomUUID(), instanceId, key: 't1', event: 'EXPIRE', dueAt: new Date(Date.now() - 1000),
    });
    const claimed = await db.transaction(async (tx) => {
      const due = await tx.select().from(timers)
        .where(and(eq(timers.tenantId, tenantId), eq(timers.status, 'armed')))
        .for('update', { skipLocked: true }).limit(10);
      for (const t of due) await tx.update(timers).set({ status: 'fired', firedAt: new Date() }).where(and(eq(timers.tenantId, t.tenantId), eq(timers.id, t.id)));
      return due.length;
    });
    expect(claimed).toBe(1);
    const [after] = await db.select().from(timers).where(eq(timers.tenantId, tenantId));
    expect(after?.status).toBe('fired');
    expect(await db.select().from(instances).where(eq(instances.tenantId, tenantId))).toEqual([]);
  });
});
