/**
 * Seeds many instances with armed timers in SQL (the event path is far too slow to build 100,000
 * of them inside a bench): one lost-and-found instance is registered through the event path, so
 * its retention timer is armed, then cloned; each clone's snapshot carries its own due time, so
 * the engine accepts the timer when it fires.
 */
import { sendEvent } from '@estateflow/api';
import { startMany, type BenchDb, type Place } from './world.ts';

export interface TimerSeed {
  /** instances cloned from the template */
  clones: number;
  /** the first `due` clones get the real timer, due at `t0 + i / perSecond` */
  due: number;
  t0: Date;
  perSecond: number;
  /** armed timers in all; every clone past `due`, and extra rows up to this count, hold a timer due in a year */
  pending: number;
}

/** Returns the id → due (ms) of the real timers. Leaves the clones in table `bench_clone (i, id, due)`. */
export async function seedTimers(bdb: BenchDb, place: Place, seed: TimerSeed): Promise<Map<string, number>> {
  const c = bdb.client!;
  const [template] = await startMany(place, 1, 1);
  await sendEvent(place.deps, {
    tenantId: place.tenantId, instanceId: template!.id, actor: { id: place.userId, role: 'duty_manager' },
    event: { type: 'REGISTER', data: { valueFen: 5000, storage: 'A-3', hasLead: false } },
  });
  const [timer] = await c.unsafe('select key, event, data::text as data from timers where tenant_id = $1 and instance_id = $2 and status = $3', [place.tenantId, template!.id, 'armed']);
  if (!timer) throw new Error('the template instance has no armed timer');
  const cols = (await c.unsafe(`select column_name from information_schema.columns where table_name = 'instances' and table_schema = 'public' order by ordinal_position`)).map((r) => r.column_name as string);
  const pick = (col: string) => {
    if (col === 'id') return 'g.id';
    if (col === 'serial') return `s.serial || '-' || g.i`;
    if (col === 'snapshot') return `jsonb_set(s.snapshot, array['context','sys','timers',$3::text,'due'], to_jsonb(to_char(g.due at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))`;
    return `s.${col}`;
  };
  await c.unsafe(
    `create table bench_clone as select i, gen_random_uuid() as id,
       case when i < $3::int then $1::timestamptz + i * interval '1 millisecond' * $2::float8 else now() + interval '1 year' end as due
     from generate_series(0, $4::int - 1) i`,
    [seed.t0.toISOString(), 1000 / seed.perSecond, seed.due, seed.clones],
  );
  await c.unsafe(`insert into instances (${cols.join(', ')}) select ${cols.map(pick).join(', ')} from instances s, bench_clone g where s.tenant_id = $1 and s.id = $2`, [place.tenantId, template!.id, timer.key]);
  await c.unsafe(
    `insert into timers (tenant_id, id, instance_id, key, event, data, due_at)
     select $1, gen_random_uuid(), g.id, case when g.i < $5::int then $2 else 'bench-future' end, $3, $4::jsonb, g.due from bench_clone g`,
    [place.tenantId, timer.key, timer.event, timer.data, seed.due],
  );
  const extra = seed.pending - seed.clones;
  if (extra > 0) {
    await c.unsafe(
      `insert into timers (tenant_id, id, instance_id, key, event, data, due_at)
       select $1, gen_random_uuid(), g.id, 'bench-future', $2, '{}'::jsonb, now() + interval '1 year'
       from generate_series(0, $3::int - 1) k join bench_clone g on g.i = k % $4::int`,
      [place.tenantId, timer.event, extra, seed.clones],
    );
  }
  await c.unsafe('analyze timers');
  await c.unsafe('analyze instances');
  return dueTimes(bdb, timer.key as string);
}

async function dueTimes(bdb: BenchDb, key: string): Promise<Map<string, number>> {
  const rows = await bdb.client!.unsafe(`select t.id, (extract(epoch from t.due_at) * 1000)::bigint::text as due_ms from timers t join bench_clone g on g.id = t.instance_id where t.key = $1`, [key]);
  return new Map(rows.map((r) => [r.id as string, Number(r.due_ms)]));
}

/** Moves every real timer (row and snapshot) by `ms`, e.g. so the first falls due shortly after seeding. */
export async function shiftTimers(bdb: BenchDb, ms: number): Promise<void> {
  const c = bdb.client!;
  await c.unsafe(`update timers set due_at = due_at + $1::float8 * interval '1 millisecond' where key <> 'bench-future' and instance_id in (select id from bench_clone)`, [ms]);
  await c.unsafe(`update instances i set snapshot = jsonb_set(i.snapshot, array['context','sys','timers',t.key,'due'], to_jsonb(to_char(t.due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
    from timers t where t.instance_id = i.id and t.key <> 'bench-future' and i.id in (select id from bench_clone)`);
}

/**
 * Counts the known timers in the statement the worker sends to write a batch (`select ef_commit($1, true)`,
 * whose write plans give each instance's claimed timers their new status, `firedTimers`); `at` is when it was sent.
 */
export function firedRecorder(bdb: BenchDb, dues: Map<string, number>): { lateness: number[]; last: () => number; stop: () => void } {
  const lateness: number[] = [];
  let last = 0;
  bdb.record.into = {
    push(r: { query: string; params: unknown[] }) {
      if (!r.query.startsWith('select ef_commit(') || typeof r.params[0] !== 'string') return 0;
      // one statement writes a whole batch: every known timer given a status in it counts
      const at = Date.now();
      for (const p of JSON.parse(r.params[0]) as { firedTimers?: { timers: { id: string }[] } }[]) {
        for (const t of p.firedTimers?.timers ?? []) {
          if (!dues.has(t.id)) continue;
          last = at;
          lateness.push(at - dues.get(t.id)!);
        }
      }
      return 0;
    },
  } as unknown as never[];
  return { lateness, last: () => last, stop: () => void (bdb.record.into = null) };
}
