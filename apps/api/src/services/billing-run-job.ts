import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { billingRuns, buildings, unitBillingProfiles, units, type BillingRunRow, type Db, type DbOrTx } from '@estateflow/db';
import { parsePeriod, type Text } from '@estateflow/billing';
import { ApiError, notFound } from '../errors.ts';
import { runBilling, type RunResult } from './billing-run.ts';
import { byPlace, loadPlan, loadSchedule, withPlaces } from './billing-store.ts';

/**
 * A billing run as a job (the run page, issue #20): `startRunJob` records it in `billing_runs`
 * (queued), then `driveRunJob` bills its units in batches of `RUN_BATCH`, each batch its own
 * transaction (`runBilling` with the batch's units), and writes the progress (units done of all)
 * and the result so far after each one, so `GET /api/billing/runs/{id}` shows a real progress bar.
 * A batch that fails as a whole is retried unit by unit, so one bad bill fails its unit alone and
 * every other unit is billed. A rerun is safe: every bill is already there, and the result says
 * nothing new. The API process drives the jobs it starts; the worker takes over a job left queued
 * or running with no progress for `RUN_STALE_MS` (its process ended), from the units not yet done.
 */

/** Units billed per batch (not in the field documents: a batch's transaction stays short; 25 units ≈ one floor of a block). */
export const RUN_BATCH = 25;
/** A job with no progress for this long is taken over by the worker (not in the field documents). */
export const RUN_STALE_MS = 2 * 60_000;

type Placed<T> = T & { unitLabel?: string; building?: string };
export interface JobResult {
  plan: string;
  period: string;
  created: Placed<RunResult['created'][number]>[];
  existing: number;
  errors: Placed<RunResult['errors'][number]>[];
}

export interface RunJobView extends JobResult {
  id: string;
  status: BillingRunRow['status'];
  progress: { done: number; total: number };
  /** true when the run is done and made no bill (every bill was already there) */
  nothingNew: boolean;
  /** what the run did, in words (zh/en), once it is done or failed */
  message: Text | null;
  error: Text | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface StartInput {
  tenantId: string;
  estateId: string;
  planKey: string;
  periodId: string;
  buildingId?: string;
  userId: string;
  now: Date;
}

/** The profiled units of the run, by building then unit in natural order (the order batches go in). */
async function runUnits(db: DbOrTx, tenantId: string, estateId: string, buildingId?: string): Promise<string[]> {
  const rows = await db.select({ id: units.id, unitLabel: units.label, building: buildings.name }).from(units)
    .innerJoin(unitBillingProfiles, and(eq(unitBillingProfiles.tenantId, units.tenantId), eq(unitBillingProfiles.unitId, units.id)))
    .innerJoin(buildings, and(eq(buildings.tenantId, units.tenantId), eq(buildings.id, units.buildingId)))
    .where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), buildingId === undefined ? undefined : eq(units.buildingId, buildingId)));
  return byPlace(rows).map((r) => r.id);
}

/** The job's words once it ends: how many bills, or nothing new. */
function summary(r: JobResult, status: BillingRunRow['status']): Text | null {
  if (status === 'done' && r.created.length === 0) {
    return { zh: `已是最新：${r.period} 的账单都已开出（${r.existing} 张），本次没有新账单${r.errors.length ? `；${r.errors.length} 户未能出账，原因见下` : ''}`, en: `Nothing new: every bill of ${r.period} is already there (${r.existing}); this run made none${r.errors.length ? `; ${r.errors.length} unit(s) could not be billed, see why below` : ''}` };
  }
  if (status === 'done') {
    return { zh: `已开出 ${r.created.length} 张账单${r.existing ? `（另有 ${r.existing} 张此前已开出）` : ''}${r.errors.length ? `；${r.errors.length} 户未能出账，原因见下` : ''}`, en: `${r.created.length} bill(s) made${r.existing ? ` (${r.existing} were already there)` : ''}${r.errors.length ? `; ${r.errors.length} unit(s) could not be billed, see why below` : ''}` };
  }
  return null;
}

export function jobView(row: BillingRunRow): RunJobView {
  const r = (row.result as JobResult | null) ?? { plan: row.planKey, period: row.periodId, created: [], existing: 0, errors: [] };
  return {
    id: row.id, status: row.status, plan: r.plan, period: r.period, created: r.created, existing: r.existing, errors: r.errors,
    progress: { done: row.unitsDone, total: row.unitsTotal },
    nothingNew: row.status === 'done' && r.created.length === 0,
    message: summary(r, row.status), error: row.error ?? null,
    createdAt: row.createdAt.toISOString(), finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/**
 * Checks the plan and period (a missing plan is a 404 naming it and how to install or create it;
 * a bad period 422), then records the job, queued, with its units counted. A job of the same plan
 * and period still queued or running (and not stale) is answered instead of a second one.
 */
export async function startRunJob(db: Db, input: StartInput): Promise<{ row: BillingRunRow; started: boolean }> {
  const { tenantId, estateId, planKey, periodId, buildingId, userId, now } = input;
  const plan = await loadPlan(db, tenantId, estateId, planKey);
  const period = parsePeriod(plan, periodId);
  if ('reason' in period) throw new ApiError('invalid-request', period.message, { field: 'period' });
  await loadSchedule(db, tenantId, estateId, plan.feeSchedule);
  return db.transaction(async (tx) => {
    // one start at a time per plan and period: the check for a run in flight and the insert together
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`billing-run:${tenantId}:${estateId}:${plan.id}:${period.id}`}))`);
    const [running] = await tx.select().from(billingRuns).where(and(
      eq(billingRuns.tenantId, tenantId), eq(billingRuns.estateId, estateId), eq(billingRuns.planKey, plan.id), eq(billingRuns.periodId, period.id),
      inArray(billingRuns.status, ['queued', 'running']), sql`${billingRuns.updatedAt} > ${new Date(now.getTime() - RUN_STALE_MS).toISOString()}::timestamptz`,
    )).limit(1);
    if (running && buildingId === undefined) return { row: running, started: false };
    const total = (await runUnits(tx, tenantId, estateId, buildingId)).length;
    const result: JobResult = { plan: plan.id, period: period.id, created: [], existing: 0, errors: [] };
    const [row] = await tx.insert(billingRuns).values({
      tenantId, id: randomUUID(), estateId, planKey: plan.id, periodId: period.id, status: 'queued', unitsDone: 0, unitsTotal: total,
      result: { ...result, ...(buildingId ? { buildingId } : {}) } as unknown as Record<string, unknown>, createdAt: now, createdBy: userId, updatedAt: now,
    }).returning();
    return { row: row!, started: true };
  });
}

export async function loadRunJob(db: DbOrTx, tenantId: string, estateId: string, id: string): Promise<BillingRunRow> {
  const [row] = await db.select().from(billingRuns).where(and(eq(billingRuns.tenantId, tenantId), eq(billingRuns.estateId, estateId), eq(billingRuns.id, id)));
  if (!row) throw notFound('billing run', id);
  return row;
}

const unitFailed = (unitId: string): RunResult['errors'][number] => ({
  unitId, reason: 'unit-failed',
  message: { zh: '本房屋出账时出错，本期未出账；其他房屋不受影响，请核对其收费资料后重新出账', en: 'Billing this unit failed; it was not billed (every other unit was): check its billing profile and run billing again' },
});

/**
 * Bills the job's units not yet done, batch by batch, writing progress and the result after each
 * batch; ends done, or failed with the reason when the plan or schedule went missing meanwhile.
 * Safe to call twice on one job (the bills' keys make a second pass a no-op).
 */
export async function driveRunJob(db: Db, tenantId: string, id: string, now: () => Date, batch = RUN_BATCH): Promise<BillingRunRow> {
  const [start] = await db.select().from(billingRuns).where(and(eq(billingRuns.tenantId, tenantId), eq(billingRuns.id, id)));
  if (!start) throw notFound('billing run', id);
  if (start.status === 'done' || start.status === 'failed') return start;
  const { estateId, planKey, periodId } = start;
  const saved = start.result as (JobResult & { buildingId?: string }) | null;
  const result: JobResult = { plan: planKey, period: periodId, created: saved?.created ?? [], existing: saved?.existing ?? 0, errors: saved?.errors ?? [] };
  const buildingId = saved?.buildingId;
  const write = async (set: Partial<BillingRunRow>) => {
    const [row] = await db.update(billingRuns).set({ ...set, result: { ...result, ...(buildingId ? { buildingId } : {}) } as unknown as Record<string, unknown>, updatedAt: now() })
      .where(and(eq(billingRuns.tenantId, tenantId), eq(billingRuns.id, id))).returning();
    return row!;
  };
  let done = start.unitsDone;
  let row = await write({ status: 'running' });
  try {
    const all = await runUnits(db, tenantId, estateId, buildingId);
    const total = Math.max(all.length, done);
    for (let i = done; i < all.length; i += batch) {
      const ids = all.slice(i, i + batch);
      const one = (unitIds: readonly string[]) => db.transaction((tx) => runBilling(tx, { tenantId, estateId, planKey, periodId, now: now(), unitIds }));
      let part: RunResult;
      try {
        part = await one(ids);
      } catch (e) {
        if (e instanceof ApiError && e.reason === 'not-found') throw e; // the plan or schedule went away: the run fails
        // one bad unit fails alone: the batch again, unit by unit
        part = { plan: planKey, period: periodId, created: [], existing: 0, errors: [] };
        for (const unitId of ids) {
          try {
            const r = await one([unitId]);
            part.created.push(...r.created);
            part.existing += r.existing;
            part.errors.push(...r.errors);
          } catch (err) {
            if (err instanceof ApiError && err.reason === 'not-found') throw err;
            part.errors.push(unitFailed(unitId));
          }
        }
      }
      const placed = await withPlaces(db, tenantId, part);
      result.created = byPlace([...result.created, ...placed.created]);
      result.existing += part.existing;
      result.errors = byPlace([...result.errors, ...placed.errors]);
      done = Math.min(i + ids.length, all.length);
      row = await write({ unitsDone: done, unitsTotal: total });
    }
    row = await write({ status: 'done', unitsDone: total, unitsTotal: total, finishedAt: now() });
  } catch (e) {
    const message: Text = e instanceof ApiError ? e.text : { zh: '出账中途出错，已开出的账单保留；请重新出账，已有的账单不会重复', en: 'The run stopped on an error; the bills made so far stay: run it again, no bill is made twice' };
    if (!(e instanceof ApiError)) console.error('[billing-run]', e);
    row = await write({ status: 'failed', error: message, finishedAt: now() });
  }
  return row;
}

/**
 * The worker's side: runs queued jobs and takes over running ones with no progress for
 * `RUN_STALE_MS` (the process that drove them ended), each claimed by moving its `updated_at`
 * (a job another worker claimed meanwhile is left alone). Answers how many it drove.
 */
export async function resumeRunJobs(db: Db, now: () => Date, limit = 5): Promise<number> {
  const stale = new Date(now().getTime() - RUN_STALE_MS).toISOString();
  const due = await db.select({ tenantId: billingRuns.tenantId, id: billingRuns.id, updatedAt: billingRuns.updatedAt }).from(billingRuns)
    .where(or(
      and(eq(billingRuns.status, 'queued'), lt(billingRuns.updatedAt, sql`${stale}::timestamptz`)),
      and(eq(billingRuns.status, 'running'), lt(billingRuns.updatedAt, sql`${stale}::timestamptz`)),
    ))
    .orderBy(asc(billingRuns.updatedAt)).limit(limit);
  let driven = 0;
  for (const j of due) {
    const claimed = await db.update(billingRuns).set({ updatedAt: now() })
      .where(and(eq(billingRuns.tenantId, j.tenantId), eq(billingRuns.id, j.id), eq(billingRuns.updatedAt, j.updatedAt))).returning({ id: billingRuns.id });
    if (claimed.length === 0) continue;
    await driveRunJob(db, j.tenantId, j.id, now);
    driven += 1;
  }
  return driven;
}

