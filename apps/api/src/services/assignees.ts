/**
 * A task's assignee must be a user of the estate where the instance runs: the engine names the
 * users an outcome assigns tasks to (`assigneesOf`), this looks them up in one query, and the
 * engine's `checkAssignees` refuses an unknown one as an `expr-error` naming the expression.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { memberships, type DbOrTx } from '@estateflow/db';
import { assigneesOf, checkAssignees, type CompiledWorkflow, type EngineError, type Outcome } from '@estateflow/engine';

const uuidLike = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The first task of the outcome assigned to someone who is not a user of the estate, as the engine's refusal; undefined when none is. */
export async function unknownAssignee(db: DbOrTx, tenantId: string, estateId: string, compiled: CompiledWorkflow, outcome: Outcome): Promise<EngineError | undefined> {
  const named = assigneesOf(outcome);
  if (named.length === 0) return undefined;
  const ids = named.filter((u) => uuidLike.test(u));
  const members = new Set(ids.length
    ? (await db.selectDistinct({ userId: memberships.userId }).from(memberships)
      .where(and(eq(memberships.tenantId, tenantId), eq(memberships.estateId, estateId), inArray(memberships.userId, ids)))).map((m) => m.userId)
    : []);
  return checkAssignees(compiled, outcome, (id) => members.has(id));
}
