import type { Workflow } from './generated/index.ts';

/**
 * The prefix of a workflow's request serials: its `serialPrefix`, or, for a workflow written before
 * prefixes existed, the initials of its id (`paid-service` → `PS`, `repair` → `R`; the old rule,
 * which is why `repair` and `renovation` both issued `R-000001`).
 * @example serialPrefixOf({ id: 'repair', serialPrefix: 'RP' }) // 'RP'
 */
export function serialPrefixOf(wf: Pick<Workflow, 'id' | 'serialPrefix'>): string {
  return wf.serialPrefix ?? wf.id.split('-').map((w) => w[0]?.toUpperCase() ?? '').join('');
}

/**
 * A request serial as people read and say it: prefix, hyphen, six digits (`RP-000012`); past
 * 999,999 the number simply grows.
 * @example formatSerial('RP', 12) // 'RP-000012'
 */
export function formatSerial(prefix: string, n: number): string {
  return `${prefix}-${String(n).padStart(6, '0')}`;
}

/**
 * The serial of a workflow's `n`-th request in an estate: `formatSerial(serialPrefixOf(wf), n)`.
 * The one rule the event path numbers requests by.
 * @example instanceSerial({ id: 'repair', serialPrefix: 'RP' }, 12) // 'RP-000012'
 */
export function instanceSerial(wf: Pick<Workflow, 'id' | 'serialPrefix'>, n: number): string {
  return formatSerial(serialPrefixOf(wf), n);
}

/**
 * The serial a request's charge is billed under: the request's serial for its first charge, with
 * `-2`, `-3` … for later ones, so each bill line of an estate has its own. A request numbered
 * before prefixes existed whose serial another request of the estate shares (repair and renovation
 * both issued `R-000001`) is told apart by its workflow: `repair:R-000001`.
 * @example chargeSerial('RP-000012', 2) // 'RP-000012-2'
 * @example chargeSerial('R-000001', 1, { workflow: 'renovation' }) // 'renovation:R-000001'
 */
export function chargeSerial(serial: string, nth: number, shared?: { workflow: string }): string {
  const base = shared ? `${shared.workflow}:${serial}` : serial;
  return nth <= 1 ? base : `${base}-${nth}`;
}

/**
 * Workflows whose serial prefixes collide: for each prefix used by more than one workflow id, the
 * ids using it (first seen first). Serials are unique in an estate only while every workflow has
 * its own prefix.
 * @example prefixClashes([{ id: 'repair' }, { id: 'renovation' }]) // Map { 'R' => ['repair', 'renovation'] }
 */
export function prefixClashes(workflows: Iterable<Pick<Workflow, 'id' | 'serialPrefix'>>): Map<string, string[]> {
  const byPrefix = new Map<string, string[]>();
  for (const wf of workflows) {
    const p = serialPrefixOf(wf);
    const ids = byPrefix.get(p) ?? [];
    if (!ids.includes(wf.id)) ids.push(wf.id);
    byPrefix.set(p, ids);
  }
  return new Map([...byPrefix].filter(([, ids]) => ids.length > 1));
}
