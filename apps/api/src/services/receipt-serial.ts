import { sql } from 'drizzle-orm';
import { counters, type DbOrTx } from '@estateflow/db';
import { formatReceiptSerial, SERIAL_PREFIX, type CivilDate } from '@estateflow/billing';

/** Counter scopes: payments keep the `receipt:` scope they were first numbered under. */
const SCOPE = { payment: 'receipt', refund: 'refund' } as const;

/**
 * BL-7: the next serial of a payment's receipt (`SJ-2027-000042`) or a refund's slip
 * (`TK-2027-000001`): one counter per kind, estate and year of `on`, incremented in the caller's
 * transaction, so a rolled-back write takes no number and two writers never share one.
 */
export async function issueSerial(tx: DbOrTx, tenantId: string, estateId: string, kind: keyof typeof SERIAL_PREFIX, on: CivilDate): Promise<string> {
  const year = Number(on.slice(0, 4));
  const [counter] = await tx.insert(counters).values({ tenantId, scope: `${SCOPE[kind]}:${estateId}:${year}`, value: 1 })
    .onConflictDoUpdate({ target: [counters.tenantId, counters.scope], set: { value: sql`${counters.value} + 1` } })
    .returning({ value: counters.value });
  return formatReceiptSerial(SERIAL_PREFIX[kind], year, counter!.value);
}
