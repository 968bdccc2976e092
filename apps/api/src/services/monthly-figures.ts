import { and, eq } from 'drizzle-orm';
import { instances, type DbOrTx } from '@estateflow/db';
import { isFigureTable, type Figure, type FigureScalar, type FigureTable } from '@estateflow/definitions';
import { ApiError } from '../errors.ts';
import type { CompiledCache } from './compiled-cache.ts';
import { monthlyStatistics, refreshRollups } from './rollups.ts';

/**
 * The figures of a month signed by the monthly statistics workflow (#22: PS-8, PS-9, RP-5, SV-1,
 * SV-5). A form field marked `figure` (schemas/form.schema.json) holds one of them: before its
 * event reaches the workflow, the server fills every such field from `monthlyStatistics` (the
 * report rollups, the one path every report reads) for the request's `month`, whatever the filler
 * sent. The event's history entry then holds the figures as signed, by whom and when: a later
 * recount of the rollups changes the report, never what was signed.
 */

type Stats = Awaited<ReturnType<typeof monthlyStatistics>>;
type Row = Record<string, string | number | boolean>;

/** A ratio as a percentage to one decimal place (2/3 → 66.7), or undefined when there is nothing to divide by. */
const percent = (r: number | null): number | undefined => (r === null ? undefined : Math.round(r * 1000) / 10);
const defined = (o: Record<string, string | number | boolean | null | undefined>): Row =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Row;
const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** Every figure of a month's statistics by its name in the vocabulary (FIGURE_TABLES, FIGURE_SCALARS). */
export function figuresOf(s: Stats): Record<Figure, Row[] | number | boolean | undefined> {
  const total = <T>(rows: T[], f: (r: T) => number) => rows.reduce((n, r) => n + f(r), 0);
  const rv = s.revisits;
  const revisits = { finished: total(rv, (r) => r.finished), revisited: total(rv, (r) => r.revisited), revisits: total(rv, (r) => r.revisits), onSite: total(rv, (r) => r.onSite), satisfied: total(rv, (r) => r.satisfied), dissatisfied: total(rv, (r) => r.dissatisfied) };
  const tables: Record<FigureTable, Row[]> = {
    requests: s.requests.map((r) => defined(r)),
    byCategory: s.byCategory.map((r) => defined(r)),
    byChannel: s.byChannel.map((r) => defined(r)),
    onTime: s.onTime.map((r) => defined({ workflow: r.workflow, metric: `${r.policy}/${r.metricId}`, met: r.met, breached: r.breached, ratePercent: percent(r.rate) })),
    revisits: rv.map((r) => defined({ workflow: r.workflow, finished: r.finished, revisited: r.revisited, coveragePercent: percent(r.coverage), revisits: r.revisits, onSite: r.onSite, onSitePercent: percent(r.onSiteShare), satisfied: r.satisfied, dissatisfied: r.dissatisfied, satisfactionPercent: percent(r.satisfaction) })),
    rework: s.rework.map((r) => defined({ workflow: r.workflow, started: r.started, reworked: r.reworked, reworks: r.reworks, ratePercent: percent(r.rate) })),
    complaints: s.complaints.map((r) => defined(r)),
  };
  const scalars: Record<FigureScalar, number | boolean | undefined> = {
    'requests.started': total(s.requests, (r) => r.started),
    'requests.finished': total(s.requests, (r) => r.finished),
    'revisits.finished': revisits.finished,
    'revisits.revisited': revisits.revisited,
    'revisits.revisits': revisits.revisits,
    'revisits.onSite': revisits.onSite,
    'revisits.satisfied': revisits.satisfied,
    'revisits.dissatisfied': revisits.dissatisfied,
    'revisits.coveragePercent': percent(ratio(revisits.revisited, revisits.finished)),
    'revisits.onSitePercent': percent(ratio(revisits.onSite, revisits.revisits)),
    'revisits.satisfactionPercent': percent(ratio(revisits.satisfied, revisits.satisfied + revisits.dissatisfied)),
    'rework.reworked': total(s.rework, (r) => r.reworked),
    'rework.reworks': total(s.rework, (r) => r.reworks),
    'complaints.count': total(s.complaints, (r) => r.count),
    'surveys.households': s.surveys.households,
    'surveys.returned': s.surveys.returned,
    'surveys.returnPercent': percent(s.surveys.returnRate),
    'surveys.targetPercent': percent(s.surveys.target),
    'surveys.met': s.surveys.met ?? undefined,
  };
  return { ...tables, ...scalars };
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * The month's figures for the fields of an event's form marked `figure`, as the server would freeze
 * them now, or undefined when the form has none. The request names its month in its data (`month`,
 * YYYY-MM); without one the event is refused, naming the field. The rollups are brought up to date
 * first (one round of the worker's upkeep), so a request finished a moment ago is counted.
 */
export async function eventFigures(db: DbOrTx, cache: CompiledCache, tenantId: string, instanceId: string, type: string, now: Date): Promise<Record<string, unknown> | undefined> {
  const [inst] = await db.select({ estateId: instances.estateId, versionId: instances.definitionVersionId, snapshot: instances.snapshot }).from(instances)
    .where(and(eq(instances.tenantId, tenantId), eq(instances.id, instanceId)));
  if (!inst) return undefined;
  const pinned = await cache.get(db, tenantId, inst.versionId);
  const formId = pinned.compiled.definition.events[type]?.form;
  const form = formId ? pinned.compiled.formDefinitions.get(formId) : undefined;
  const fields = (form?.layout?.sections ?? []).flatMap((s) => s.fields).filter((f) => typeof (f as { figure?: string }).figure === 'string') as { field: string; figure: Figure }[];
  if (fields.length === 0) return undefined;
  const month = (inst.snapshot as { context?: { data?: Record<string, unknown> } }).context?.data?.month;
  if (typeof month !== 'string' || !MONTH.test(month)) {
    throw new ApiError('form-invalid', { zh: 'month：本申请没有统计月份（YYYY-MM），无法计算本月数字', en: 'month: this request names no month (YYYY-MM) to compute the figures of' }, { field: 'month', path: '/month' });
  }
  await refreshRollups(db, { now, tenantId, estateId: inst.estateId, batch: 1000 });
  const figures = figuresOf(await monthlyStatistics(db, tenantId, inst.estateId, month, now));
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = figures[f.figure];
    if (v === undefined) continue;
    // a table keeps the columns its group declares
    out[f.field] = isFigureTable(f.figure) && Array.isArray(v) ? v.map((row) => columnsOf(row, form, f.field)) : v;
  }
  return out;
}

function columnsOf(row: Row, form: unknown, field: string): Row {
  const items = (form as { schema?: { properties?: Record<string, { items?: { properties?: Record<string, unknown> } }> } }).schema?.properties?.[field]?.items?.properties;
  return items ? Object.fromEntries(Object.entries(row).filter(([k]) => k in items)) : row;
}

/** An event's data with its figure fields filled from the month's rollups (see the module's comment), or the data as sent when its form has none. */
export async function figuredEventData(db: DbOrTx, cache: CompiledCache, tenantId: string, instanceId: string, type: string, data: Record<string, unknown>, now: Date): Promise<Record<string, unknown>> {
  const figures = await eventFigures(db, cache, tenantId, instanceId, type, now);
  return figures === undefined ? data : { ...data, ...figures };
}

/** The first event of a request's workflow whose form holds a figure, if any. */
export async function firstFiguredEvent(db: DbOrTx, cache: CompiledCache, tenantId: string, versionId: string): Promise<string | undefined> {
  const pinned = await cache.get(db, tenantId, versionId);
  for (const [type, e] of Object.entries(pinned.compiled.definition.events)) {
    const form = e.form ? pinned.compiled.formDefinitions.get(e.form) : undefined;
    if ((form?.layout?.sections ?? []).some((s) => s.fields.some((f) => typeof (f as { figure?: string }).figure === 'string'))) return type;
  }
  return undefined;
}
