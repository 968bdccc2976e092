/**
 * The event path's two statements (issue #9), on top of the PL/pgSQL functions of migration 0003:
 * `ef_instance_context` reads instances with what their events need (calendars fingerprint, SLA
 * binding, armed SLA timers, history when a policy is bound) in one round trip, and `ef_apply`
 * writes every row of one or many events in one statement. Both run the same on PostgreSQL and
 * PGlite. What goes in and out is JSON: one parameter in, one value out.
 */
import { randomUUID } from 'node:crypto';
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import { instances, type DbOrTx, type Instance } from '@estateflow/db';
import type { Outcome } from '@estateflow/engine';

/** An instance as read, with what stepping it and re-arming its SLA timers needs. */
export interface InstanceContext {
  row: Instance;
  /** fingerprint of the estate's calendars (`key@xmin,…`): the compiled cache keeps them until it changes */
  calendarStamp: string;
  /** latest version of each SLA policy of the estate bound to the workflow; null when none is */
  sla: { id: string; key: string; version: number }[] | null;
  /** the instance's armed SLA timers */
  armed: { id: string; key: string; dueAt: Date }[];
  /** the instance's history by seq, only when a policy is bound */
  history: HistoryRow[] | null;
}

export interface HistoryRow {
  at: Date;
  type: string;
  data: Record<string, unknown>;
  stateAfter: unknown;
}

type Internals = {
  session: { prepareQuery(query: unknown, fields: undefined, name: string, arrayMode: boolean): { execute(): Promise<unknown> } };
  dialect: { sqlToQuery(query: SQL): unknown };
};

/**
 * Runs `query` as a named prepared statement. `db.execute` sends unnamed ones, which postgres-js
 * describes first (its parameter types) and then runs: two round trips per statement; a named
 * statement is described once per connection, then runs in one. (PGlite ignores the name.) Goes
 * through drizzle's session, so its logger still sees the statement.
 */
export function executeNamed(db: DbOrTx, name: string, query: SQL): Promise<unknown> {
  const d = db as unknown as Internals;
  return d.session.prepareQuery(d.dialect.sqlToQuery(query), undefined, name, false).execute();
}

export const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : ((r as { rows?: T[] }).rows ?? [])) as T[];

/** A json/jsonb value as the driver hands it over (parsed by both drivers; a string if not). */
export const jsonValue = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

const instanceColumns = Object.entries(getTableColumns(instances)).map(([prop, col]) => ({ prop, name: col.name, date: col.dataType === 'date' }));

/** An `instances` row from `to_jsonb(row)` (snake_case keys, timestamps as ISO text). */
function instanceFromJson(j: Record<string, unknown>): Instance {
  const row: Record<string, unknown> = {};
  for (const c of instanceColumns) {
    const v = j[c.name] ?? null;
    row[c.prop] = c.date && v !== null ? new Date(v as string) : v;
  }
  return row as unknown as Instance;
}

type ContextJson = {
  row: Record<string, unknown>;
  cal: string;
  sla: [string, string, number][] | null;
  armed: [string, string, number][];
  history: [number, string, Record<string, unknown>, unknown][] | null;
};

export function contextsFromJson(value: unknown): InstanceContext[] {
  return (jsonValue<ContextJson[] | null>(value) ?? []).map((c) => ({
    row: instanceFromJson(c.row),
    calendarStamp: c.cal,
    sla: c.sla ? c.sla.map(([id, key, version]) => ({ id, key, version })) : null,
    armed: c.armed.map(([id, key, due]) => ({ id, key, dueAt: new Date(due) })),
    history: c.history ? c.history.map(([at, type, data, stateAfter]) => ({ at: new Date(at), type, data: data ?? {}, stateAfter })) : null,
  }));
}

/** Reads instances by `[tenantId, id]` in one statement; missing ones are left out. */
export async function loadContexts(db: DbOrTx, keys: [string, string][]): Promise<InstanceContext[]> {
  const [r] = rowsOf<{ c: unknown }>(await executeNamed(db, 'ef_instance_context', sql`select ef_instance_context(${JSON.stringify(keys)}::jsonb) as c`));
  return contextsFromJson(r?.c);
}

/**
 * The same for one instance, as a plain statement (the event path's read): prepared once per
 * connection, it skips the function call and the key list (~0.1 ms of the server's time per event).
 */
export async function loadContext(db: DbOrTx, tenantId: string, id: string): Promise<InstanceContext | undefined> {
  const [r] = rowsOf<{ c: unknown }>(await executeNamed(db, 'ef_instance_context_one', sql`select json_build_object(
      'row', row_to_json(i),
      'cal', (select coalesce(string_agg(c.key || '@' || c.xmin::text, ',' order by c.key), '') from calendars c where c.tenant_id = i.tenant_id and c.estate_id = i.estate_id),
      'sla', b.bound,
      'armed', (select coalesce(json_agg(json_build_array(tm.id, tm.key, ef_ms(tm.due_at))), '[]'::json) from timers tm
                where tm.tenant_id = i.tenant_id and tm.instance_id = i.id and tm.status = 'armed' and tm.key like 'sla:%'),
      'history', case when b.bound is not null then (
        select json_agg(json_build_array(ef_ms(e.at), e.type, e.data, e.state_after) order by e.seq) from events e
        where e.tenant_id = i.tenant_id and e.instance_id = i.id) end
    ) as c
    from instances i
    left join lateral (
      select json_agg(json_build_array(d.id, d.key, d.version)) as bound from (
        select distinct on (d.key) d.id, d.key, d.version from definition_versions d
        where d.tenant_id = i.tenant_id and d.estate_id = i.estate_id and d.kind = 'sla' and d.document->>'workflow' = i.workflow_key
        order by d.key, d.version desc) d
    ) b on true
    where i.tenant_id = ${tenantId}::uuid and i.id = ${id}::uuid`));
  return r ? contextsFromJson([jsonValue(r.c)])[0] : undefined;
}

/** One event's writes (see `ef_apply_group` in migration 0003 for what each field does). */
export interface StepWrite {
  /** ISO instant of the event: updated_at, history `at`, task close/open, outbox and audit `at` */
  at: string;
  u?: {
    v: number; snapshot: unknown; state: unknown; status: 'active' | 'done'; grade: string | null; search: string; ended: string | null;
    /** set when the step ran on a cached context: the write holds only while these are unchanged (`ef_context_holds`, migration 0005) */
    fp?: ContextFingerprint;
  };
  ev?: { seq: number; type: string; data: Record<string, unknown>; actor: string | null; role: string; idem: string | null; state: unknown };
  tc?: string[];
  ta?: { id: string; key: string; event: string; data: Record<string, unknown>; due: string }[];
  kc?: string[];
  ko?: { id: string; key: string; title: unknown; role: string | null; assignee: string | null; form: string | null; events: string[]; due: string | null }[];
  ka?: { key: string; role: string | null; assignee: string | null }[];
  ob?: { id: string; kind: string; payload: Record<string, unknown> }[];
  au?: AuditWrite[];
  sla?: SlaArmWrite;
}

/** What a cached context was stepped with besides the row: calendars fingerprint, workflow key, bound SLA policy version ids. */
export interface ContextFingerprint {
  cal: string;
  wf: string;
  sla: string[];
}

export const fingerprintOf = (ctx: InstanceContext): ContextFingerprint => ({ cal: ctx.calendarStamp, wf: ctx.row.workflowKey, sla: ctx.sla ? ctx.sla.map((b) => b.id) : [] });

export interface AuditWrite {
  id: string;
  actor: string | null;
  role: string;
  action: string;
  target: string;
  outcome: 'accepted' | 'refused';
  detail: Record<string, unknown>;
}

/** The instance's SLA timers as they should be armed: future armed ones not in `wanted` are cancelled, missing ones inserted. */
export interface SlaArmWrite {
  now: string;
  except: string | null;
  wanted: { id: string; key: string; event: string; data: Record<string, unknown>; due: string }[];
}

/** All the events of one instance in one write, then (worker) the status of its claimed timers. */
export interface GroupWrite {
  t: string;
  i: string;
  e: string;
  steps: StepWrite[];
  timers?: { id: string; status: 'fired' | 'cancelled' }[];
  at?: string;
  by?: string;
}

export interface ApplyResult {
  /** groups whose instance had moved past the version read (nothing written for them) */
  conflicts: number[];
  /** isolated groups whose writes failed and were undone: [index, sqlstate, message] */
  failed: [number, string, string][];
}

/** Writes the groups in one statement; `isolate` gives each group its own subtransaction (the worker). */
export async function applyWrites(db: DbOrTx, groups: GroupWrite[], isolate: boolean): Promise<ApplyResult> {
  const [r] = rowsOf<{ r: unknown }>(await executeNamed(db, 'ef_apply', sql`select ef_apply(${JSON.stringify(groups)}::jsonb, ${isolate}) as r`));
  return jsonValue<ApplyResult>(r?.r);
}

type Waiting = { group: GroupWrite; resolve: (conflict: boolean) => void; reject: (e: unknown) => void };

/**
 * Write statements in flight per database handle before further writes wait and go out together.
 * PostgreSQL: 4 of the pool's connections (measured with `pnpm bench events` on 2 cores: with 1 or 2,
 * one backend does every write's work and the open-loop latency at half of peak climbed to 90-380 ms;
 * 4, 8 and unlimited measured alike). PGlite is one connection: waiting writes always go together.
 */
const inFlightLimit = (db: DbOrTx): number => (typeof (db as { $client?: unknown }).$client === 'function' ? 4 : 1);
/** Groups per group-commit statement at most. */
const GROUP_COMMIT_MAX = 64;

class CommitQueue {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private readonly limit: number;
  constructor(private readonly db: DbOrTx) {
    this.limit = inFlightLimit(db);
  }

  push(group: GroupWrite): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.waiting.push({ group, resolve, reject });
      if (this.inFlight < this.limit) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.inFlight++;
    try {
      while (this.waiting.length) {
        const batch = this.waiting.splice(0, GROUP_COMMIT_MAX);
        try {
          const r = await applyWrites(this.db, batch.map((w) => w.group), false);
          const conflicts = new Set(r.conflicts);
          batch.forEach((w, n) => w.resolve(conflicts.has(n)));
        } catch (e) {
          if (batch.length === 1) batch[0]!.reject(e);
          // one event's failing write must not fail the others: each goes again on its own
          else await Promise.all(batch.map((w) => applyWrites(this.db, [w.group], false).then((r) => w.resolve(r.conflicts.length > 0), w.reject)));
        }
      }
    } finally {
      this.inFlight--;
    }
  }
}

const queues = new WeakMap<object, CommitQueue>();

/**
 * One event's write in autocommit (the event path), grouped with the writes of other events that
 * are waiting at the same moment: while a write is in flight, the next ones queue and go out in one
 * `ef_apply` statement (one commit) when it returns. Each event gets its own answer: true when its
 * instance had moved on (or its context changed) and nothing was written for it; a statement that
 * fails for a group of several is sent again one group at a time, so an error reaches only its event.
 */
export function applyGrouped(db: DbOrTx, group: GroupWrite): Promise<boolean> {
  let q = queues.get(db);
  if (!q) queues.set(db, (q = new CommitQueue(db)));
  return q.push(group);
}

const uuidLike = /^[0-9a-f-]{36}$/i;

/** What the engine decided (timers, tasks, effects, charges) as fields of the event's write. */
export function outcomeWrite(inst: { id: string; serial: string }, outcome: Outcome): Omit<StepWrite, 'at'> {
  const w: Omit<StepWrite, 'at'> = {};
  const rearmed = outcome.timers.arm.map((t) => t.id);
  const cancel = [...new Set([...outcome.timers.cancel, ...rearmed])];
  if (cancel.length) w.tc = cancel;
  if (outcome.timers.arm.length) {
    w.ta = outcome.timers.arm.map((t) => ({ id: randomUUID(), key: t.id, event: t.event.type, data: t.event.data ?? {}, due: new Date(t.due).toISOString() }));
  }
  if (outcome.tasks.close.length) w.kc = outcome.tasks.close.map((t) => t.id);
  if (outcome.tasks.open.length) {
    w.ko = outcome.tasks.open.map((t) => ({
      id: randomUUID(), key: t.id, title: t.title, role: t.role ?? null, assignee: t.user && uuidLike.test(t.user) ? t.user : null,
      form: t.form ?? null, events: t.events ?? [], due: t.due ? new Date(t.due).toISOString() : null,
    }));
  }
  if (outcome.tasks.assign.length) {
    w.ka = outcome.tasks.assign.map((t) => ({ key: t.id, role: t.role ?? null, assignee: t.user && uuidLike.test(t.user) ? t.user : null }));
  }
  const effects = [
    ...outcome.effects.map((e) => ({ kind: e.kind, payload: e as unknown as Record<string, unknown> })),
    ...outcome.charges.map((ch) => ({ kind: 'charge', payload: { ...ch, instanceId: inst.id, serial: ch.serial || inst.serial } as Record<string, unknown> })),
  ];
  if (effects.length) w.ob = effects.map((e) => ({ id: randomUUID(), kind: e.kind, payload: e.payload }));
  return w;
}
