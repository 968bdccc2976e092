/**
 * The fast EventStore: one statement reads (`ef_instance_context`), one statement writes
 * (`ef_commit`, PL/pgSQL, which keeps its inner statements' plans per connection), instances kept
 * in process between a read or write and the next event (`InstanceCache`: a copy may be stale, and
 * its plan carries the context fingerprint and expected version the commit checks), and group
 * commit: while writes are in flight, the next ones queue and go out together in one statement
 * (one commit), each plan with its own answer. It gives the same answers as the reference store
 * (reference-store.ts) on the contract suite.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '@estateflow/db';
import type { InstanceCache } from '../services/compiled-cache.ts';
import { IdempotencyRace, type CommitAnswer, type EventStore, type InstanceContext, type InstanceKey, type LoadOptions, type WithinOptions } from './event-store.ts';
import { historyAfter, rowAfter, type NewInstance } from './plan-write.ts';
import { contextsFromJson, executeNamed, jsonValue, rowsOf, sqlState } from './sql.ts';
import type { WritePlan } from './write-plan.ts';

type Answer = 'ok' | 'moved' | [string, string];

async function readContexts(db: DbOrTx, keys: InstanceKey[]): Promise<InstanceContext[]> {
  if (keys.length === 0) return [];
  const [r] = rowsOf<{ c: unknown }>(await executeNamed(db, 'ef_instance_context', sql`select ef_instance_context(${JSON.stringify(keys)}::jsonb) as c`));
  return contextsFromJson(r?.c);
}

async function commitStatement(db: DbOrTx, plans: WritePlan[], isolate: boolean): Promise<Answer[]> {
  try {
    const [r] = rowsOf<{ r: unknown }>(await executeNamed(db, 'ef_commit', sql`select ef_commit(${JSON.stringify(plans)}::jsonb, ${isolate}) as r`));
    return jsonValue<Answer[]>(r?.r);
  } catch (e) {
    if (sqlState(e) === 'EF409' && plans.length === 1 && plans[0]!.idempotency) throw new IdempotencyRace(plans[0]!.idempotency.key);
    throw e;
  }
}

type Waiting = { plan: WritePlan; resolve: (a: CommitAnswer) => void; reject: (e: unknown) => void };

/**
 * Write statements in flight per database handle before further writes wait and go out together.
 * PostgreSQL: 4 of the pool's connections (measured with `pnpm bench events` on 2 cores: with 1 or 2,
 * one backend does every write's work and the open-loop latency at half of peak climbed to 90-380 ms;
 * 4, 8 and unlimited measured alike). PGlite is one connection: waiting writes always go together.
 */
const inFlightLimit = (db: DbOrTx): number => (typeof (db as { $client?: unknown }).$client === 'function' ? 4 : 1);
/** Plans per group-commit statement at most. */
const GROUP_COMMIT_MAX = 64;

class CommitQueue {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private readonly limit: number;
  constructor(private readonly db: DbOrTx) {
    this.limit = inFlightLimit(db);
  }

  push(plan: WritePlan): Promise<CommitAnswer> {
    return new Promise<CommitAnswer>((resolve, reject) => {
      this.waiting.push({ plan, resolve, reject });
      if (this.inFlight < this.limit) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.inFlight++;
    try {
      while (this.waiting.length) {
        const batch = this.waiting.splice(0, GROUP_COMMIT_MAX);
        try {
          const answers = await commitStatement(this.db, batch.map((w) => w.plan), false);
          batch.forEach((w, n) => w.resolve(answers[n] === 'ok' ? 'ok' : 'moved'));
        } catch (e) {
          if (batch.length === 1) batch[0]!.reject(e);
          // one plan's failing write must not fail the others: each goes again on its own
          else await Promise.all(batch.map((w) => commitStatement(this.db, [w.plan], false).then((a) => w.resolve(a[0] === 'ok' ? 'ok' : 'moved'), w.reject)));
        }
      }
    } finally {
      this.inFlight--;
    }
  }
}

const queues = new WeakMap<object, CommitQueue>();

/** The context a committed plan leaves, from the copy it was planned on (or the start it creates). */
function contextAfter(before: InstanceContext | undefined, plan: WritePlan): InstanceContext | undefined {
  const s = plan.snapshot;
  const fresh = s?.write === 'create';
  // what the copy knows must be what the plan was made on: a start planned with its context, an event from the version kept
  if (fresh ? !plan.context : (!before || !s || s.write === 'hold' || before.row.version !== s.expectedVersion)) return undefined;
  const base: InstanceContext | NewInstance = fresh
    ? { tenantId: plan.tenantId, id: plan.instanceId, estateId: plan.estateId!, ...s.created, calendarStamp: plan.context?.calendars ?? '', sla: null }
    : before!;
  const sla = plan.context ? (plan.context.sla.length ? plan.context.sla : null) : (before?.sla ?? null);
  const added = historyAfter(plan);
  const history = sla ? [...(before?.history ?? []), ...(added ? [added] : [])] : null;
  return {
    row: rowAfter(base, plan),
    calendarStamp: plan.context?.calendars ?? before!.calendarStamp,
    sla,
    armed: plan.slaTimers ? plan.slaTimers.wanted.map((w) => ({ id: w.id, dueAt: new Date(w.dueAt) })) : (before?.armed ?? []),
    history,
  };
}

export class FastEventStore implements EventStore {
  /**
   * @param cache instances kept in process (the compiled cache's `instances`); none inside a transaction
   */
  constructor(private readonly db: DbOrTx, private readonly cache?: InstanceCache, private readonly tx?: WithinOptions) {}

  async load(keys: InstanceKey[], options: LoadOptions = {}): Promise<InstanceContext[]> {
    const cache = this.cache;
    if (!cache) return readContexts(this.db, keys);
    // the caller gets copies: it appends to their history while planning, the kept one stays as read
    const copy = (c: InstanceContext): InstanceContext => ({ ...c, history: c.history ? [...c.history] : null });
    const found = new Map<string, InstanceContext>();
    const misses: InstanceKey[] = [];
    for (const [t, i] of keys) {
      const hit = options.fresh ? undefined : cache.get(t, i);
      if (hit) found.set(`${t}/${i}`, { ...copy(hit), cached: true });
      else misses.push([t, i]);
    }
    for (const c of await readContexts(this.db, misses)) {
      cache.set(c);
      found.set(`${c.row.tenantId}/${c.row.id}`, copy(c));
    }
    return keys.flatMap(([t, i]) => found.get(`${t}/${i}`) ?? []);
  }

  async commit(plans: WritePlan[]): Promise<CommitAnswer[]> {
    if (plans.length === 0) return [];
    if (this.tx) {
      const answers = await commitStatement(this.db, plans, this.tx.isolate ?? false);
      return answers.map((a, n) => {
        if (Array.isArray(a)) this.tx!.onFailure?.(plans[n]!, a[0], a[1]);
        return a === 'ok' ? 'ok' : 'moved';
      });
    }
    let q = queues.get(this.db);
    if (!q) queues.set(this.db, (q = new CommitQueue(this.db)));
    const queue = q;
    const answers = await Promise.all(plans.map(async (plan) => {
      try {
        return await queue.push(plan);
      } catch (e) {
        this.cache?.delete(plan.tenantId, plan.instanceId);
        throw e;
      }
    }));
    if (this.cache) {
      plans.forEach((plan, n) => {
        // a claim changes a task, not what the copy holds
        if (plan.claim) return;
        const next = answers[n] === 'ok' ? contextAfter(this.cache!.get(plan.tenantId, plan.instanceId), plan) : undefined;
        if (next) this.cache!.set(next);
        else this.cache!.delete(plan.tenantId, plan.instanceId);
      });
    }
    return answers;
  }

  within(tx: Tx, options: WithinOptions = {}): EventStore {
    // what the transaction writes is not committed yet: the process's copies of its instances go
    const cache = this.cache;
    const store = new FastEventStore(tx, undefined, options);
    return {
      load: (keys, o) => store.load(keys, o),
      commit: async (plans) => {
        for (const p of plans) cache?.delete(p.tenantId, p.instanceId);
        return store.commit(plans);
      },
      within: (inner, o) => store.within(inner, o),
    };
  }
}
