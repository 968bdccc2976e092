import { sql } from 'drizzle-orm';
import type { DbOrTx } from '@estateflow/db';
import { rowsOf } from '../store/index.ts';
import { peopleNamed } from './people-named.ts';
import { dayStart, estateTimeZone } from './rollups.ts';

/**
 * Accountability (CP-9: 责任追究). A complaint handled late, upheld, or handled carelessly has the
 * person responsible recorded on it (the complaint bundle's `RECORD_ACCOUNTABILITY` event: person,
 * department, reason, measure), one history entry each; this gathers a month of them per person.
 * The person is a pick of the estate's staff (#18: a user id, shown by display name); a record made
 * before that names them as typed, and is gathered under that text.
 */
export const ACCOUNTABILITY_EVENT = 'RECORD_ACCOUNTABILITY';
const REASONS = ['late', 'upheld', 'careless'] as const;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** The records made in `month` (YYYY-MM, the estate's local time) in an estate's requests, per person, most records first. */
export async function accountabilityOf(db: DbOrTx, tenantId: string, estateId: string, month: string) {
  const tz = await estateTimeZone(db, tenantId, estateId);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  const from = dayStart(`${month}-01`, tz);
  const to = dayStart(`${next}-01`, tz);
  const rows = rowsOf<{ instance_id: string; serial: string; workflow_key: string; at: string | Date; data: Record<string, unknown>; actor_id: string | null }>(await db.execute(sql`
    select e.instance_id, i.serial, i.workflow_key, e.at, e.data, e.actor_id
    from instances i join events e on e.tenant_id = i.tenant_id and e.instance_id = i.id
    where i.tenant_id = ${tenantId}::uuid and i.estate_id = ${estateId}::uuid
      and e.type = ${ACCOUNTABILITY_EVENT} and e.at >= ${from.toISOString()}::timestamptz and e.at < ${to.toISOString()}::timestamptz
    order by e.at, e.instance_id, e.seq`));
  const names = await peopleNamed(db, tenantId, rows.map((r) => r.actor_id), rows.map((r) => r.data.person));
  type Person = { person: string; personId: string | null; departments: string[]; late: number; upheld: number; careless: number; total: number; records: unknown[] };
  const people = new Map<string, Person>();
  for (const r of rows) {
    // a record whose person was cleared (the privacy clean-up, CP-13) is counted under "—"
    const picked = str(r.data.person);
    const named = picked === null ? undefined : names[picked.toLowerCase()];
    const person = picked ?? '—';
    const reason = str(r.data.reason) ?? '';
    const department = str(r.data.department);
    const p = people.get(person) ?? { person: named ?? person, personId: named === undefined ? null : picked, departments: [], late: 0, upheld: 0, careless: 0, total: 0, records: [] };
    if (department && !p.departments.includes(department)) p.departments.push(department);
    if ((REASONS as readonly string[]).includes(reason)) p[reason as (typeof REASONS)[number]]++;
    p.total++;
    p.records.push({
      instanceId: r.instance_id, serial: r.serial, workflow: r.workflow_key, at: new Date(r.at).toISOString(), reason, department,
      measure: str(r.data.measure), recordedBy: (r.actor_id && names[r.actor_id]) ?? null,
    });
    people.set(person, p);
  }
  return {
    estateId, month, from: from.toISOString(), to: to.toISOString(),
    people: [...people.values()].sort((a, b) => b.total - a.total || a.person.localeCompare(b.person, 'zh')),
  };
}
