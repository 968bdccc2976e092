/**
 * Durable events through the API's one event path (`sendEvent`: one statement reads the instance
 * with its calendars fingerprint and SLA binding, the form is validated and the pinned definition
 * stepped in Node, one statement writes snapshot + event row + timers + tasks + outbox + audit on
 * the condition that the version is unchanged, in autocommit) on PostgreSQL with synchronous
 * commit, beside a baseline that sends the very same SQL statements (recorded from the event path,
 * ids renewed) with the same driver (postgres-js, named prepared statements as the event path
 * sends them), the same round trips (one after the other, autocommit), the same pool and the same
 * concurrency, and nothing else.
 *
 * Workload: lost-and-found, each instance gets REGISTER (form check, CEL guard and assign, task
 * closed, task opened, retention timer armed) then LEAD_EXHAUSTED (task closed, notice to the
 * outbox). Sizes are modest so the whole `pnpm bench` fits in 10 minutes on 2 cores: 3 rounds of
 * 250 instances (500 events) per side, latency for ~4 s, PGlite 250 instances.
 */
import type { BenchResult } from './run.ts';
import { sendEvent } from '@estateflow/api';
import type { Instance } from '@estateflow/db';
import {
  openPglite, openPostgres, pool, quantile, scratchDatabase, seedLostAndFound, sleep, startMany,
  type BenchDb, type Place, type Recorded,
} from './support/world.ts';
import { describeFloor, pgbenchFloor } from './support/pgbench.ts';

type EngineEvent = Parameters<typeof sendEvent>[1]['event'];

const CONCURRENCY = 8;
const INSTANCES = 250;
const ROUNDS = 3;
const LATENCY_SECONDS = 4;

const register: EngineEvent = { type: 'REGISTER', data: { valueFen: 5000, storage: '物业前台保险柜 A-3', hasLead: true, lead: '钱包内有名片' } };
const exhausted: EngineEvent = { type: 'LEAD_EXHAUSTED', data: {} };

async function send(place: Place, inst: Instance, event: EngineEvent): Promise<void> {
  await sendEvent(place.deps, { tenantId: place.tenantId, instanceId: inst.id, event, actor: { id: place.userId, role: 'duty_manager' } });
}

/** Events/s through the event path: each lane takes an instance and sends its two events in order. */
async function oursThroughput(place: Place, insts: Instance[]): Promise<number> {
  const t0 = performance.now();
  await pool(CONCURRENCY, insts.length, async (i) => {
    await send(place, insts[i]!, register);
    await send(place, insts[i]!, exhausted);
  });
  return (insts.length * 2) / ((performance.now() - t0) / 1000);
}

/** The statements one event sends, recorded on a template instance (the definition cache is warm). */
async function recordEvent(bdb: BenchDb, place: Place, inst: Instance, event: EngineEvent): Promise<Recorded[]> {
  const into: Recorded[] = [];
  bdb.record.into = into;
  try {
    await send(place, inst, event);
  } finally {
    bdb.record.into = null;
  }
  return into;
}

const uuids = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * The recorded statements for another instance: its id in place of the template's, new ids for new
 * rows, also inside a parameter's text (the write is one JSON parameter).
 */
function replayFor(stmts: Recorded[], template: string, target: string, keep: Set<string>): Recorded[] {
  const fresh = new Map<string, string>();
  const renew = (id: string): string => {
    if (id === template) return target;
    if (keep.has(id)) return id;
    let n = fresh.get(id);
    if (!n) fresh.set(id, (n = crypto.randomUUID()));
    return n;
  };
  const map = (v: unknown): unknown => (typeof v === 'string' ? v.replace(uuids, renew) : v);
  return stmts.map((s) => ({ query: s.query, params: s.params.map(map) }));
}

async function baselineThroughput(bdb: BenchDb, plan: { reg: Recorded[]; le: Recorded[]; template: string; keep: Set<string> }, insts: Instance[]): Promise<number> {
  const client = bdb.client!;
  // the same round-trip pattern as the event path: its statements one after the other, each in
  // autocommit (the read, then the one statement that writes), prepared once per connection as it does
  const tx = async (stmts: Recorded[]) => {
    for (const s of stmts) await client.unsafe(s.query, s.params as never[], { prepare: true });
  };
  const t0 = performance.now();
  await pool(CONCURRENCY, insts.length, async (i) => {
    const id = insts[i]!.id;
    await tx(replayFor(plan.reg, plan.template, id, plan.keep));
    await tx(replayFor(plan.le, plan.template, id, plan.keep));
  });
  return (insts.length * 2) / ((performance.now() - t0) / 1000);
}

/** Latency of one bare commit (begin, one-row insert, commit), unloaded, sequential. */
async function bareCommit(bdb: BenchDb): Promise<number[]> {
  const client = bdb.client!;
  await client.unsafe('create table if not exists bench_commit (id bigserial primary key, v int not null)');
  const out: number[] = [];
  for (let i = 0; i < 400; i++) {
    const t0 = performance.now();
    await client.begin((c) => c.unsafe('insert into bench_commit (v) values ($1)', [i]));
    out.push(performance.now() - t0);
  }
  return out.slice(50);
}

/** Open-loop arrivals of `count` jobs at `rate` per second; latency from arrival (not from start) to completion. */
async function openLoop(count: number, rate: number, job: (i: number) => Promise<unknown>): Promise<number[]> {
  const lat: number[] = [];
  const inflight: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inflight.push(job(i).then(() => void lat.push(performance.now() - due)));
  }
  await Promise.all(inflight);
  return lat;
}

async function postgresSide(): Promise<{ ours: number; base: number; results: BenchResult[] }> {
  const scratch = await scratchDatabase();
  const bdb = await openPostgres(scratch.url, CONCURRENCY);
  try {
    const sc = String((await bdb.client!.unsafe('show synchronous_commit'))[0]?.synchronous_commit);
    const fsync = String((await bdb.client!.unsafe('show fsync'))[0]?.fsync);
    const place = await seedLostAndFound(bdb.db);
    const [warm] = await startMany(place, 1, 1);
    await send(place, warm!, register);
    await send(place, warm!, exhausted);
    // started after the warm-up, like every measured instance: the process keeps it (the estate's
    // calendars fingerprint is known by now), so its events send what theirs send
    const [template] = await startMany(place, 1, 1);
    const plan = {
      reg: await recordEvent(bdb, place, template!, register),
      le: await recordEvent(bdb, place, template!, exhausted),
      template: template!.id,
      keep: new Set([place.tenantId, place.estateId, place.userId]),
    };
    // ids the read names (tenant, definitions…) stay; only the template instance's and new rows' ids change
    for (const s of [...plan.reg, ...plan.le]) if (!/^select ef_commit\b/i.test(s.query)) for (const p of s.params) if (typeof p === 'string') for (const id of p.match(uuids) ?? []) if (id !== plan.template) plan.keep.add(id);
    const ours: number[] = [];
    const base: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      base.push(await baselineThroughput(bdb, plan, await startMany(place, INSTANCES, CONCURRENCY)));
      ours.push(await oursThroughput(place, await startMany(place, INSTANCES, CONCURRENCY)));
    }
    const peak = Math.max(...ours);
    const baseline = Math.max(...base);
    const commits = await bareCommit(bdb);
    const commitP50 = quantile(commits, 0.5);
    const rate = Math.max(5, peak / 2);
    const alone: number[] = [];
    for (const inst of await startMany(place, 100, CONCURRENCY)) {
      const t0 = performance.now();
      await send(place, inst, register);
      alone.push(performance.now() - t0);
    }
    // the same for instances the process does not hold (started elsewhere, or pushed out of its cache): read + write
    const cold: number[] = [];
    const coldInsts = await startMany(place, 100, CONCURRENCY);
    place.deps.cache.instances.clear();
    for (const inst of coldInsts) {
      const t0 = performance.now();
      await send(place, inst, register);
      cold.push(performance.now() - t0);
    }
    const loopInsts = await startMany(place, Math.min(1500, Math.round(rate * LATENCY_SECONDS)), CONCURRENCY);
    const lat = await openLoop(loopInsts.length, rate, (i) => send(place, loopInsts[i]!, register));
    const p50 = quantile(lat, 0.5);
    const p99 = quantile(lat, 0.99);
    // the machine's floor at that load: bare commits arriving the same way, same pool (not a target, for reading the ratio)
    const client = bdb.client!;
    const bareLoaded = await openLoop(lat.length, rate, (i) => client.begin((c) => c.unsafe('insert into bench_commit (v) values ($1)', [i])));
    // the same floor without Node: pgbench sending the bare commit at that rate to the same server
    const floor = await pgbenchFloor(scratch.url, 'bench_commit', rate, LATENCY_SECONDS, CONCURRENCY);
    const stmts = `${plan.reg.length} + ${plan.le.length} statements per REGISTER + LEAD_EXHAUSTED`;
    return {
      ours: peak,
      base: baseline,
      results: [
        {
          name: 'durable events/s, PostgreSQL (lost-and-found, concurrency 8)', value: peak, unit: 'events/s', ratio: peak / baseline, target: 'ratio ≥ 0.5',
          baseline: `same SQL and round trips, same driver and pool, nothing else: ${Math.round(baseline)} events/s`,
          note: `${stmts}; synchronous_commit=${sc}, fsync=${fsync}; best of ${ROUNDS} rounds of ${INSTANCES * 2} events per side`,
        },
        {
          name: 'event latency p50 at half of peak load', value: p50, unit: 'ms', ratio: p50 / commitP50, target: 'ratio ≤ 2',
          baseline: `one bare commit (begin, 1-row insert, commit) p50 ${commitP50.toFixed(2)} ms, p99 ${quantile(commits, 0.99).toFixed(2)} ms`,
          note: `open loop at ${Math.round(rate)} REGISTER/s for ${lat.length} events; one at a time, unloaded: p50 ${quantile(alone, 0.5).toFixed(1)} ms (instance kept in process), ${quantile(cold, 0.5).toFixed(1)} ms (not kept: read + write)`,
        },
        {
          name: 'event latency p99 at half of peak load', value: p99, unit: 'ms', ratio: p99 / commitP50, target: 'ratio ≤ 10', baseline: 'bare commit p50 as above',
          note: `bare commits arriving the same way (open loop at ${Math.round(rate)}/s, same pool): p50 ${quantile(bareLoaded, 0.5).toFixed(2)} ms, p99 ${quantile(bareLoaded, 0.99).toFixed(1)} ms (${(quantile(bareLoaded, 0.99) / commitP50).toFixed(1)}× the unloaded p50); ours p99 = ${(p99 / quantile(bareLoaded, 0.99)).toFixed(1)}× theirs`,
        },
        {
          name: 'the floor: bare commits at the same rate from pgbench, p99', value: floor ? quantile(floor.loaded, 0.99) : NaN, unit: 'ms',
          ratio: floor ? quantile(floor.loaded, 0.99) / quantile(floor.alone, 0.5) : undefined, target: '(reference: ≤ 10 would be needed for ours to be)',
          baseline: floor ? describeFloor(floor, rate) : 'pgbench not installed (it comes with the PostgreSQL client package): not measured',
          note: floor ? `${CONCURRENCY} clients, ${LATENCY_SECONDS} s; ratio = its p99 over its own p50 alone, the ratio the target sets for ours` : undefined,
        },
      ],
    };
  } finally {
    await bdb.close();
    await scratch.drop();
  }
}

async function pgliteSide(): Promise<number> {
  const bdb = await openPglite();
  try {
    const place = await seedLostAndFound(bdb.db);
    const [warm] = await startMany(place, 1, 1);
    await send(place, warm!, register);
    return await oursThroughput(place, await startMany(place, INSTANCES, CONCURRENCY));
  } finally {
    await bdb.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  const pg = await postgresSide();
  const embedded = await pgliteSide();
  return [
    ...pg.results,
    {
      name: 'durable events/s, embedded PGlite (on disk)', value: embedded, unit: 'events/s', ratio: embedded / pg.ours, target: 'ratio ≥ 0.4',
      baseline: `the same event path on PostgreSQL: ${Math.round(pg.ours)} events/s`, note: `${INSTANCES * 2} events, one PGlite connection`,
    },
  ];
}
