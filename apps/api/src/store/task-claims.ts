/**
 * The inbox's own changes to task rows: a staff member claims an open task, a supervisor reassigns
 * one. They change who works a task, not the instance (its snapshot and version stay); the tasks
 * an instance opens, closes and reassigns are written by the EventStore, in its plan.
 */
import { and, eq, isNull, or } from 'drizzle-orm';
import { tasks, type DbOrTx, type Task } from '@estateflow/db';

/** Assigns an open task to `userId` unless someone else holds it; undefined when it was taken meanwhile. */
export async function claimTask(db: DbOrTx, tenantId: string, taskId: string, userId: string, at: Date): Promise<Task | undefined> {
  const [updated] = await db.update(tasks).set({ assigneeId: userId, claimedAt: at })
    .where(and(eq(tasks.tenantId, tenantId), eq(tasks.id, taskId), eq(tasks.status, 'open'), or(isNull(tasks.assigneeId), eq(tasks.assigneeId, userId))))
    .returning();
  return updated;
}

/** Sets a task's assignee (none: back to the role's pool) and role. */
export async function reassignTask(db: DbOrTx, tenantId: string, taskId: string, to: { userId: string | null; role: string | null; at: Date }): Promise<Task | undefined> {
  const [updated] = await db.update(tasks).set({ assigneeId: to.userId, role: to.role, claimedAt: to.userId ? to.at : null })
    .where(and(eq(tasks.tenantId, tenantId), eq(tasks.id, taskId)))
    .returning();
  return updated;
}
