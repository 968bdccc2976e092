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
