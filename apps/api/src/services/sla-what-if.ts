import { and, asc, eq, gte, inArray } from 'drizzle-orm';
import { earliestStart } from './instance-scan.ts';
import { definitionVersions, events, historySince, instances, type DbOrTx, type Instance } from '@estateflow/db';
import { computeClocks, type CalendarSource, type Clock, type SlaHistoryEntry, type SlaPolicy } from '@estateflow/sla';
import type { Text } from '../errors.ts';
import { estateCalendars, latestVersion } from './definition-store.ts';
import { ClockInputCache, slaEvaluate } from './sla-clocks.ts';

/** The days of history a what-if replays. */
export const WHAT_IF_DAYS = 90;
/** At most this many requests are replayed (the newest); the answer says when more were left out. */
const MAX_REQUESTS = 2000;

/** `stopped`: the request ended (cancelled, withdrawn) within its goal before the clock's stop condition held: neither met nor still open. */
type Outcome = 'met' | 'breached' | 'open' | 'stopped';
type Tally = Record<Outcome, number>;
export type WhatIfRow = { metricId: string; metric: Text; grade: Text; published: Tally; draft: Tally };
export type WhatIfFlip = { instanceId: string; serial: string; title: Text; metricId: string; metric: Text; published: Outcome; draft: Outcome };
export type WhatIf = { from: string; to: string; requests: number; leftOut: number; rows: WhatIfRow[]; flips: WhatIfFlip[] };

const both = (zh: string, en: string): Text => ({ zh, en });
const outcomeOf = (c: Clock | undefined): Outcome =>
  !c ? 'open' : c.breached || c.status === 'breached' ? 'breached' : c.status === 'met' || c.status === 'stopped' ? c.status : 'open';
const zero = (): Tally => ({ met: 0, breached: 0, open: 0, stopped: 0 });

/**
 * How the estate's requests of the last 90 days would have fared under a draft SLA policy or
 * calendar next to what is published (#19 "what-if on real history"): every request's clocks are
 * recomputed from its history (`computeClocks`, as the timers and reports compute them) once with
 * the published inputs and once with the draft's, tallied per metric and grade (the goal chosen),
 * and the requests whose outcome flips are listed. Pure reading: nothing is stored.
 */
export async function slaWhatIf(db: DbOrTx, tenantId: string, estateId: string, document: Record<string, unknown>, now: Date): Promise<WhatIf> {
  const since = new Date(now.getTime() - WHAT_IF_DAYS * 86_400_000);
  const calendarsNow = await estateCalendars(db, tenantId, estateId);
  const published: CalendarSource = Object.values(calendarsNow) as unknown as CalendarSource;
  const isSla = document.kind === 'sla';
  const workflowKey = isSla && typeof document.workflow === 'string' ? document.workflow : undefined;
  const draftCalendars: CalendarSource = isSla ? published : (Object.values({ ...calendarsNow, [String(document.id)]: document }) as unknown as CalendarSource);
  const publishedSla = isSla ? await latestVersion(db, tenantId, estateId, 'sla', String(document.id)) : undefined;

  const conds = [eq(instances.tenantId, tenantId), eq(instances.estateId, estateId), gte(instances.startedAt, since), ...(workflowKey ? [eq(instances.workflowKey, workflowKey)] : [])];
  const all = await db.select().from(instances).where(and(...conds)).orderBy(asc(instances.startedAt));
  const list = all.slice(-MAX_REQUESTS);
  const histories = new Map<string, SlaHistoryEntry[]>();
  const versionIds = new Set<string>();
  for (const inst of list) versionIds.add(inst.definitionVersionId);
  // histories in chunks (one statement per 200 requests)
  for (let i = 0; i < list.length; i += 200) {
    const chunk = list.slice(i, i + 200);
    const rows = await db.select({ instanceId: events.instanceId, at: events.at, type: events.type, data: events.data, stateAfter: events.stateAfter }).from(events)
      .where(and(eq(events.tenantId, tenantId), inArray(events.instanceId, chunk.map((x) => x.id)), historySince(earliestStart(chunk)))).orderBy(asc(events.instanceId), asc(events.seq));
    const byId = new Map(chunk.map((x) => [x.id, x]));
    for (const r of rows) {
      const inst = byId.get(r.instanceId)!;
      const context = ((inst.snapshot as { context?: { data?: Record<string, unknown> } }).context?.data ?? {}) as Record<string, unknown>;
      const h = histories.get(r.instanceId) ?? [];
      h.push({ at: r.at, type: r.type, state: (r.stateAfter ?? inst.state) as SlaHistoryEntry['state'], data: r.data as Record<string, unknown>, context });
      histories.set(r.instanceId, h);
    }
  }
  const titles = new Map<string, Text>();
  if (versionIds.size) {
    const vs = await db.select({ id: definitionVersions.id, document: definitionVersions.document }).from(definitionVersions)
      .where(and(eq(definitionVersions.tenantId, tenantId), inArray(definitionVersions.id, [...versionIds])));
    for (const v of vs) titles.set(v.id, ((v.document as { title?: Text }).title ?? both('', '')));
  }

  const inputs = new ClockInputCache(db);
  const rows = new Map<string, WhatIfRow>();
  const flips: WhatIfFlip[] = [];
  const metricTitle = (p: SlaPolicy | undefined, id: string): Text => (p?.metrics.find((m) => m.id === id)?.title as Text | undefined) ?? both(id, id);
  const gradeOf = (p: SlaPolicy | undefined, c: Clock): Text => {
    const goal = c.goal === undefined ? undefined : p?.metrics.find((m) => m.id === c.metricId)?.goals[c.goal];
    if (!goal) return both('无目标', 'No goal');
    return (goal.title as Text | undefined) ?? (goal.when ? both(`条件 ${c.goal! + 1}`, `Condition ${c.goal! + 1}`) : both('全部', 'All'));
  };
  const count = (side: 'published' | 'draft', p: SlaPolicy | undefined, c: Clock) => {
    const grade = gradeOf(p, c);
    const key = `${c.metricId}\u0000${grade.zh}`;
    const row = rows.get(key) ?? { metricId: c.metricId, metric: metricTitle(p, c.metricId), grade, published: zero(), draft: zero() };
    row[side][outcomeOf(c)] += 1;
    rows.set(key, row);
  };
  for (const inst of list) {
    const got = await inputs.of(inst as Instance);
    const params = got?.params ?? {};
    const evaluate = slaEvaluate(inst, params);
    const history = histories.get(inst.id) ?? [];
    const opts = { now, endedAt: inst.endedAt ?? undefined, evaluate };
    // the policies each side measures with: the SLA draft against its published version; a calendar draft under every bound policy
    const sides: { published: SlaPolicy[]; draft: SlaPolicy[] } = isSla
      ? { published: publishedSla ? [publishedSla.document as unknown as SlaPolicy] : [], draft: [document as unknown as SlaPolicy] }
      : (() => {
          const ps = (got?.policies ?? []).map((x) => x.policy);
          return { published: ps, draft: ps };
        })();
    const before = new Map<string, { clock: Clock; policy: SlaPolicy }>();
    for (const p of sides.published) {
      for (const c of safeClocks(p, history, { ...opts, calendars: published })) {
        before.set(`${p.id}/${c.metricId}`, { clock: c, policy: p });
        count('published', p, c);
      }
    }
    const after = new Map<string, { clock: Clock; policy: SlaPolicy }>();
    for (const p of sides.draft) {
      for (const c of safeClocks(p, history, { ...opts, calendars: isSla ? published : draftCalendars })) {
        after.set(`${p.id}/${c.metricId}`, { clock: c, policy: p });
        count('draft', p, c);
      }
    }
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      const a = before.get(key);
      const b = after.get(key);
      const [pa, pb] = [outcomeOf(a?.clock), outcomeOf(b?.clock)];
      if (pa === pb) continue;
      const metricId = (a ?? b)!.clock.metricId;
      flips.push({ instanceId: inst.id, serial: inst.serial, title: titles.get(inst.definitionVersionId) ?? both(inst.workflowKey, inst.workflowKey), metricId, metric: metricTitle((b ?? a)!.policy, metricId), published: pa, draft: pb });
    }
  }
  return { from: since.toISOString(), to: now.toISOString(), requests: list.length, leftOut: all.length - list.length, rows: [...rows.values()], flips: flips.slice(0, 500) };
}

/** A policy's clocks over a history; a policy that cannot be computed (an expression failing) counts no clock. */
function safeClocks(policy: SlaPolicy, history: readonly SlaHistoryEntry[], options: Parameters<typeof computeClocks>[2]): Clock[] {
  try {
    return computeClocks(policy, history, options);
  } catch {
    return [];
  }
}

