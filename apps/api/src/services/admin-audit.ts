import { randomUUID } from 'node:crypto';
import { and, lt, or, like } from 'drizzle-orm';
import { auditLog, type DbOrTx } from '@estateflow/db';

/**
 * One `audit_log` line for an administrative action (a person created, roles granted, an account
 * deactivated, a password reset, personal data read unmasked). Kept at least `auditRetentionDays`
 * (Cybersecurity Law art. 21: six months); `pruneAdminAudit` removes only older lines.
 */
export async function auditAdmin(
  db: DbOrTx,
  line: { tenantId: string; actorId: string | null; action: string; target: string; estateId?: string | null; detail?: Record<string, unknown>; at: Date; outcome?: 'accepted' | 'refused' },
): Promise<void> {
  await db.insert(auditLog).values({
    tenantId: line.tenantId, id: randomUUID(), estateId: line.estateId ?? null, actorId: line.actorId, action: line.action,
    target: line.target, outcome: line.outcome ?? 'accepted', detail: line.detail ?? {}, at: line.at,
  });
}

/** Days administrative audit lines are kept: env EF_AUDIT_RETENTION_DAYS, never below 180 (Cybersecurity Law art. 21: six months). */
export const auditRetentionDays = (): number => Math.max(180, Number(process.env.EF_AUDIT_RETENTION_DAYS) || 180);

/** Deletes administrative audit lines (`people.*`, `account.*`, `roles.*`, `auth.*`, `pii.*`) older than the retention; answers how many. */
export async function pruneAdminAudit(db: DbOrTx, now: Date, retentionDays: number): Promise<number> {
  const days = Math.max(180, retentionDays);
  const before = new Date(now.getTime() - days * 86_400_000);
  const gone = await db.delete(auditLog)
    .where(and(lt(auditLog.at, before), or(...['people.%', 'account.%', 'roles.%', 'auth.%', 'pii.%'].map((p) => like(auditLog.action, p)))))
    .returning({ id: auditLog.id });
  return gone.length;
}
