import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { instances, outbox, type Tx } from '@estateflow/db';
import { chargeSerial } from '@estateflow/definitions';

/** A pending charge (an outbox row of kind `charge`) with the request it came from. */
export type ChargeRef = { id: string; instanceId: string; serial: string; workflowKey: string };

/**
 * The serial each charge is billed under (`chargeSerial`, by outbox row id): its request's serial;
 * `-2`, `-3` … for that request's later charges, counted over all its charge rows oldest first, so
 * a charge keeps its number from one billing run to the next; and, where a request numbered before
 * prefixes shares its serial with another request of the estate (`R-000001` of repair and of
 * renovation), the workflow in front (`renovation:R-000001`). Lines billed earlier keep the serial
 * they carry. Each charge thus gets its own order serial under `bill_lines_order_uq`.
 */
export async function chargeSerials(tx: Tx, tenantId: string, estateId: string, charges: readonly ChargeRef[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (charges.length === 0) return out;
  const instanceIds = [...new Set(charges.map((c) => c.instanceId))];
  const serials = [...new Set(charges.map((c) => c.serial))];
  const [all, shared] = await Promise.all([
    tx.select({ id: outbox.id, instanceId: outbox.instanceId }).from(outbox)
      .where(and(eq(outbox.tenantId, tenantId), eq(outbox.kind, 'charge'), inArray(outbox.instanceId, instanceIds)))
      .orderBy(asc(outbox.createdAt), asc(outbox.id)),
    tx.select({ serial: instances.serial }).from(instances)
      .where(and(eq(instances.tenantId, tenantId), eq(instances.estateId, estateId), inArray(instances.serial, serials)))
      .groupBy(instances.serial).having(sql`count(*) > 1`),
  ]);
  const nth = new Map<string, number>();
  const seen = new Map<string, number>();
  for (const r of all) {
    const k = (seen.get(r.instanceId!) ?? 0) + 1;
    seen.set(r.instanceId!, k);
    nth.set(r.id, k);
  }
  const sharedSerials = new Set(shared.map((r) => r.serial));
  for (const c of charges) {
    out.set(c.id, chargeSerial(c.serial, nth.get(c.id) ?? 1, sharedSerials.has(c.serial) ? { workflow: c.workflowKey } : undefined));
  }
  return out;
}
