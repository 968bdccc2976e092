import type { DbOrTx } from '@estateflow/db';
import { refreshRollups } from '../../apps/api/src/services/rollups.ts';

/** What the worker does between rounds, until it is caught up: every changed request counted into the report rollups (with `sweep`, as its periodic sweep). */
export async function catchUpRollups(db: DbOrTx, now: Date = new Date(), batch = 200, sweep = false): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await refreshRollups(db, { now, batch, sweep });
    total += n;
    if (n === 0) return total;
  }
}
