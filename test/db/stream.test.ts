import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sql, type SQL } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { streamRows, type StreamStats } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const heap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

const ROWS = 100_000;
const BATCH = 1_000;

/**
 * Big reads stream (issue #21): 100,000 history rows read through `streamRows` arrive in batches of
 * 1,000 (PostgreSQL: one statement through a server cursor; PGlite: keyset pages), and the heap holds
 * one batch at a time: its growth stays flat, far below that of reading the same rows at once.
 */
withDatabases((kind, getDb) => {
  it(`a 100,000-row read streams in batches with flat memory on ${kind}`, async () => {
    const db = getDb();
    const tenantId = randomUUID();
    await db.execute(sql`insert into events (tenant_id, instance_id, seq, type, data, actor_role, at)
      select ${tenantId}::uuid, md5('s' || (g / 10))::uuid, g % 10, 'REVISIT', jsonb_build_object('note', repeat('回访记录 ', 20), 'g', g), 'dispatcher', now() - g * interval '1 second'
      from generate_series(0, ${ROWS - 1}::int) g`);
    type Row = { instance_id: string; seq: number; data: { g: number } };
    const read = (tail: SQL) => sql`select e.instance_id, e.seq, e.data from events e where e.tenant_id = ${tenantId}::uuid${tail}`;
    const query = {
      all: read(sql` order by e.instance_id, e.seq`),
      page: (after: Row | undefined, limit: number) => read(sql`${after ? sql` and (e.instance_id, e.seq) > (${after.instance_id}::uuid, ${after.seq}::int)` : sql``} order by e.instance_id, e.seq limit ${limit}`),
    };

    const base = heap();
    let peak = 0;
    let sum = 0;
    let largest = 0;
    const stats: StreamStats = { batches: 0, rows: 0, via: 'keyset' };
    for await (const batch of streamRows<Row>(db, query, BATCH, stats)) {
      largest = Math.max(largest, batch.length);
      for (const r of batch) sum += Number(r.data.g);
      if (stats.batches % 10 === 0) peak = Math.max(peak, heap() - base);
    }
    expect(stats.rows).toBe(ROWS);
    expect(sum).toBe((ROWS * (ROWS - 1)) / 2);
    expect(largest).toBeLessThanOrEqual(BATCH);
    expect(stats.via).toBe(kind === 'postgres' ? 'cursor' : 'keyset');
    expect(stats.batches).toBeGreaterThanOrEqual(ROWS / BATCH);

    // the same rows read at once, for scale: what streaming saves
    const before = heap();
    const all = await db.execute(query.all);
    const whole = heap() - before;
    expect((Array.isArray(all) ? all : (all as { rows: unknown[] }).rows).length).toBe(ROWS);
    console.info(`[stream ${kind}] ${stats.batches} batches via ${stats.via}; heap growth streaming ≤ ${(peak / 1e6).toFixed(1)} MB, whole read ${(whole / 1e6).toFixed(1)} MB`);
    expect(peak).toBeLessThan(16e6);
    expect(peak * 4).toBeLessThan(whole);
  }, 300_000);
});
