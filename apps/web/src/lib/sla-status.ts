export type DueStatus = 'overdue' | 'warned' | 'ok' | 'none';

/** Where a row stands against its due and warning instants at `now`. */
export function dueStatus(dueAt: string | null | undefined, warnAt: string | null | undefined, now: number): DueStatus {
  if (!dueAt) return 'none';
  const due = Date.parse(dueAt);
  if (Number.isNaN(due)) return 'none';
  if (now >= due) return 'overdue';
  if (warnAt && now >= Date.parse(warnAt)) return 'warned';
  return 'ok';
}
