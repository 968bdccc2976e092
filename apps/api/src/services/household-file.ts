import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { buildings, events, instances, residents, unitBillingProfiles, units, type DbOrTx } from '@estateflow/db';
import { arrearsReport, estateDate, settleAccount } from '@estateflow/billing';
import type { AppEnv } from '../env.ts';
import { notFound } from '../errors.ts';
import { authOf } from '../route-table.ts';
import { accountInput, estateTimeZone } from './billing-store.ts';
import { exactTotal } from './exact-total.ts';
import { peopleNamed } from './people-named.ts';
import { auditReveal, maskPhone, maskText, mayReadPersonal, revealAsked } from './personal-data.ts';
import { unitResidents } from './resident-links.ts';
import { unitProfileHistory } from './unit-billing-profile.ts';

type Text = { zh: string; en: string };
type LayoutField = { field?: string; label?: Text; options?: { value?: unknown; label?: Text }[]; columns?: LayoutField[] };

/** The event a revisit is recorded by (the same as the revisit report's, routes/reports.ts). */
const REVISIT = 'REVISIT';
/**
 * A survey's returned opinion forms (revisit-and-survey's satisfaction-survey): one line per household
 * in the RETURNS event's `answers`, named by the unit's label (SV-1, SV-3).
 */
const SURVEY = 'satisfaction-survey';
const SURVEY_RETURNS = 'RETURNS';
/** Revisits shown in the file: the newest 50 (not in the field documents: a household's years of revisits fit). */
const REVISITS_SHOWN = 50;

/**
 * A revisit's answers as people read them: each field its form labels, with the option's label for
 * a choice; a field no form labels is left out (no machine names on the page). Phone and ID
 * numbers in free text are masked (services/personal-data.ts) unless `reveal`. With `group`, `data` is
 * one line of that repeatable group and is worded by its columns.
 */
export function labelledAnswers(data: Record<string, unknown>, forms: Iterable<{ layout?: { sections?: { fields?: LayoutField[] }[] } }>, reveal = false, group?: string) {
  const fields = new Map<string, LayoutField>();
  for (const form of forms) {
    for (const section of form.layout?.sections ?? []) {
      for (const f of section.fields ?? []) {
        // one line of a group (a survey's returned form: unit, overall, comments) is worded by that group's columns
        if (group !== undefined) {
          if (f.field === group) for (const col of f.columns ?? []) if (col.field && col.label && !fields.has(col.field)) fields.set(col.field, col);
        } else if (f.field && f.label && !fields.has(f.field)) fields.set(f.field, f);
      }
    }
  }
  const out: { label: Text; value: Text | string }[] = [];
  for (const [key, value] of Object.entries(data)) {
    const f = fields.get(key);
    if (!f?.label || value === null || value === undefined || value === '' || typeof value === 'object') continue;
    const option = f.options?.find((o) => o.value === value);
    out.push({ label: f.label, value: option?.label ?? (typeof value === 'boolean' ? (value ? { zh: '是', en: 'Yes' } : { zh: '否', en: 'No' }) : reveal ? String(value) : maskText(String(value))) });
  }
  return out;
}

/**
 * One unit's household file (一户一档, SV-3) for staff of its estate: the unit, its area and
 * profile with their history, its residents current and past (phones masked unless revealed with
 * the personal-data permission, audited), its account settled once as of the estate's today (for
 * roles that read bills), and its revisits and survey forms with their answers. Its requests are `GET /instances?unitId=`.
 */
export async function householdFile(c: Context<AppEnv>, estateId: string, unitId: string, opts: { readsBills: boolean }) {
  const auth = authOf(c);
  const { db, cache, config } = c.get('deps');
  const { tenantId } = auth;
  const [unit] = await db.select({ id: units.id, label: units.label, areaSqm: units.areaSqm, buildingId: units.buildingId, building: buildings.name, profile: unitBillingProfiles })
    .from(units)
    .innerJoin(buildings, and(eq(buildings.tenantId, units.tenantId), eq(buildings.id, units.buildingId)))
    .leftJoin(unitBillingProfiles, and(eq(unitBillingProfiles.tenantId, units.tenantId), eq(unitBillingProfiles.unitId, units.id)))
    .where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), eq(units.id, unitId)));
  if (!unit) throw notFound('unit', unitId);
  const reveal = revealAsked(c, estateId);
  const now = config.now();

  // a request's history from its start on: the months of history before it are pruned at run time, not probed
  // once per request (a busy estate's 263 surveys × every month's partition: 1.5 s at the large size). The
  // parts of the file are read at once (the surveys are the slowest, ~25 ms at the large size), the account too
  const sinceStart = sql`${events.at} >= ${instances.startedAt}`;
  const [history, links, revisitRows, surveyRows, account] = await Promise.all([
    unitProfileHistory(db, tenantId, estateId, unitId),
    unitResidents(db, tenantId, estateId, unitId, now),
    // the unit's requests on instances_unit_idx, their REVISIT events on the events' primary key
    db.select({ instanceId: instances.id, serial: instances.serial, workflow: instances.workflowKey, versionId: instances.definitionVersionId, at: events.at, actorId: events.actorId, data: events.data })
      .from(instances)
      .innerJoin(events, and(eq(events.tenantId, instances.tenantId), eq(events.instanceId, instances.id), eq(events.type, REVISIT), sinceStart))
      .where(and(eq(instances.tenantId, tenantId), eq(instances.estateId, estateId), eq(instances.unitId, unitId)))
      .orderBy(desc(events.at)).limit(REVISITS_SHOWN),
    // the estate's surveys, and the returns that hold this household's opinion form
    db.select({ instanceId: instances.id, serial: instances.serial, workflow: instances.workflowKey, versionId: instances.definitionVersionId, at: events.at, actorId: events.actorId, data: events.data })
      .from(instances)
      .innerJoin(events, and(eq(events.tenantId, instances.tenantId), eq(events.instanceId, instances.id), eq(events.type, SURVEY_RETURNS), sinceStart))
      .where(and(eq(instances.tenantId, tenantId), eq(instances.estateId, estateId), eq(instances.workflowKey, SURVEY),
        sql`${events.data}->'answers' @> ${JSON.stringify([{ unit: unit.label }])}::jsonb`))
      .orderBy(desc(events.at)).limit(REVISITS_SHOWN),
    opts.readsBills ? accountSummary(db, tenantId, estateId, unitId, now) : Promise.resolve(null),
  ]);
  const answered = surveyRows.map((r) => ({ ...r, group: 'answers', data: ((r.data as { answers?: Record<string, unknown>[] }).answers ?? []).find((a) => a['unit'] === unit.label) ?? {} }));
  const visits: ((typeof revisitRows)[number] & { group?: string })[] = [...revisitRows, ...answered].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, REVISITS_SHOWN);

  // residents' phones: masked (138****5678) unless revealed by a role with the personal-data permission
  const phones = new Map(links.length
    ? (await db.select({ id: residents.id, phone: residents.phone }).from(residents).where(and(eq(residents.tenantId, tenantId), inArray(residents.id, links.map((l) => l.id))))).map((r) => [r.id, r.phone])
    : []);
  const masked: string[] = [];
  const residentItems = links.map((l) => {
    const phone = phones.get(l.id) ?? null;
    if (phone) masked.push(`residents/${l.id}/phone`);
    return { id: l.id, userId: l.userId, name: l.name, displayName: l.displayName, kind: l.kind, phone: phone === null ? null : reveal ? phone : maskPhone(phone), startedAt: l.startedAt, endedAt: l.endedAt, active: l.active, linkedVia: l.linkedVia, linkedByName: l.linkedByName, endedByName: l.endedByName };
  });
  if (reveal && masked.length) await auditReveal(c, { estateId, target: `unit/${unitId}`, fields: masked, subject: { unitId, unitLabel: unit.label } });

  const names = await peopleNamed(db, tenantId, history.map((h) => h.changedBy), visits.map((r) => r.actorId));
  const revisits = await Promise.all(visits.map(async (r) => {
    const pinned = await cache.get(db, tenantId, r.versionId);
    return {
      instanceId: r.instanceId, serial: r.serial, title: pinned.compiled.definition.title as Text, at: r.at.toISOString(),
      byName: (r.actorId && names[r.actorId]) ?? null, answers: labelledAnswers(r.data as Record<string, unknown>, pinned.compiled.formDefinitions.values() as Iterable<never>, reveal, r.group),
    };
  }));

  const p = unit.profile;
  return {
    id: unit.id, estateId, label: unit.label, buildingId: unit.buildingId, building: unit.building, areaSqm: unit.areaSqm,
    profile: p ? { unitType: p.unitType, custody: p.custody, custodyAgreement: p.custodyAgreement ?? null, parking: p.parking, payer: p.payer, updatedAt: p.updatedAt.toISOString() } : null,
    history: history.map((h) => ({ id: h.id, effectiveFrom: h.effectiveFrom, changedAt: h.changedAt.toISOString(), changedByName: (h.changedBy && names[h.changedBy]) ?? null, changes: h.changes })),
    residents: residentItems,
    personal: { masked, revealed: reveal && masked.length > 0, mayReveal: mayReadPersonal(c, estateId) },
    account,
    revisits,
  };
}

/** The unit's account settled once as of the estate's today: bills, what they owe, arrears, credit, payments. */
async function accountSummary(db: DbOrTx, tenantId: string, estateId: string, unitId: string, now: Date) {
  const [asOf, input] = await Promise.all([
    estateTimeZone(db, tenantId, estateId).then((tz) => estateDate(now, tz)),
    accountInput(db, tenantId, estateId, unitId),
  ]);
  const state = settleAccount({ ...input, asOf });
  const arrears = arrearsReport({ ...input, asOf }).rows.find((r) => r.unitId === unitId);
  const issued = state.bills.filter((b) => b.bill.issueOn <= asOf);
  return {
    asOf,
    bills: issued.length,
    billedFen: exactTotal('/account/billedFen', issued.map((b) => b.bill.totalFen)),
    outstandingFen: exactTotal('/account/outstandingFen', issued.map((b) => b.outstandingFen)),
    arrearsFen: arrears?.totalFen ?? 0,
    creditFen: state.creditFen,
    paidFen: exactTotal('/account/paidFen', input.payments.map((p) => (p.kind === 'refund' ? -p.amountFen : p.amountFen))),
    payments: input.payments.length,
  };
}
