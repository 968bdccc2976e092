import { runWorkerOnce } from '@estateflow/api';
import type { Db } from '@estateflow/db';

/** Tuesday 2026-11-24 10:00 in Shanghai: the complaint SLA tests' start; the `accept` clock is 1 hour of wall time. */
export const t0 = new Date('2026-11-24T02:00:00Z');
export const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
/** A valid complaint intake (cp-intake form). */
export const intake = { channel: 'phone', name: '王女士', unit: '1-101', against: '客服中心', what: '电话无人接听' };

/** Worker rounds at `now` until nothing is left to fire (one timer per instance per round: the instance is locked); answers how many fired. */
export async function tick(db: Db, now: Date, workerId: string): Promise<number> {
  let fired = 0;
  for (let round = 0; round < 20; round++) {
    const r = await runWorkerOnce({ db, workerId, now: () => now });
    fired += r.fired;
    if (r.fired + r.skipped + r.cancelled === 0) break;
  }
  return fired;
}
