import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { events, instances, tasks, type Db } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { ticketBundle } from '../support/bundle.ts';
import { buildWorld, type World } from '../support/world.ts';

// Issue #15: a task whose assignee expression (`user`) does not yield a user of the estate is an
// `expr-error` naming the expression, not a task stored with no assignee that no inbox shows. An
// expression that yields nothing leaves the task to its role.

/** The assignee expression: the ACK form's `method` field, nothing when it is left blank (blank values are dropped). */
const EXPR = 'has(event.data.method) ? event.data.method : null';

/** The test ticket, with a task in `working` assigned by that expression. */
const assignBundle = (() => {
  const b = structuredClone(ticketBundle) as typeof ticketBundle & { files: Record<string, Record<string, unknown>> };
  b.bundle = { ...b.bundle, id: 'test-assign', title: { zh: '派给某人', en: 'Assign to someone' } };
  const wf = b.files['workflow.json'] as unknown as { id: string; title: unknown; serialPrefix?: string; machine: { states: Record<string, Record<string, unknown>> } };
  wf.id = 'test-assign';
  wf.title = { zh: '派给某人', en: 'Assign to someone' };
  wf.serialPrefix = 'AS';
  wf.machine.states.working = {
    ...wf.machine.states.working,
    tasks: [{ id: 'fix', title: { zh: '维修', en: 'Fix' }, role: 'technician', user: EXPR, events: ['CLOSE'] }],
  };
  return b;
})();

withDatabases((kind, getDb) => {
  let w: World;
  let db: Db;

  beforeAll(async () => {
    db = getDb();
    w = await buildWorld(db);
    const install = await w.own.admin.call('POST', '/api/bundles/install', { estateId: w.own.estateId, package: assignBundle, parameters: { ackMinutes: 1 } });
    expect(install.status, JSON.stringify(install.body).slice(0, 500)).toBe(200);
  });

  const started = async () => {
    const r = await w.clients.get('dispatcher')!.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'test-assign', data: { summary: '门锁坏了' } });
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(201);
    return r.body.id as string;
  };
  const ack = (id: string, method: string | undefined) =>
    w.clients.get('dispatcher')!.call('POST', `/api/instances/${id}/events`, { type: 'ACK', data: { note: '已派', ...(method === undefined ? {} : { method }) } });
  const state = async (id: string) => {
    const [row] = await db.select({ version: instances.version }).from(instances).where(and(eq(instances.tenantId, w.own.tenantId), eq(instances.id, id)));
    const open = await db.select({ key: tasks.key, assigneeId: tasks.assigneeId, status: tasks.status }).from(tasks).where(and(eq(tasks.tenantId, w.own.tenantId), eq(tasks.instanceId, id)));
    const history = await db.select({ seq: events.seq }).from(events).where(and(eq(events.tenantId, w.own.tenantId), eq(events.instanceId, id)));
    return { version: row!.version, tasks: open.map((t) => [t.key, t.status, t.assigneeId]).sort(), history: history.length };
  };

  describe(`a task's assignee expression on ${kind}`, () => {
    for (const [what, value] of [['a user name', 'tech-liu'], ['an id that is no user of the estate', randomUUID()]] as const) {
      it(`refuses ${what} as an expr-error naming the task, the value and the expression; nothing is written`, async () => {
        const id = await started();
        const before = await state(id);
        const r = await ack(id, value);
        expect(r.status, JSON.stringify(r.body)).toBe(422);
        expect(r.body.error.reason).toBe('event-refused');
        expect(r.body.error.message.en).toBe(`Task "fix": its assignee expression ${EXPR} gave "${value}", which is not a user of this estate; the task was not created`);
        expect(r.body.error.message.zh).toContain(EXPR);
        expect(r.body.error.message.zh).toContain(value);
        expect(await state(id)).toEqual(before);
      });
    }

    it('refuses a user of another estate of the same company', async () => {
      const id = await started();
      // the other estate's admin holds no role in this estate
      const other = await w.otherEstate.admin.call('GET', '/api/auth/me');
      expect(other.status).toBe(200);
      const r = await ack(id, other.body.user.id);
      expect(r.status, JSON.stringify(r.body)).toBe(422);
      expect(r.body.error.message.en).toContain('which is not a user of this estate');
    });

    it('assigns the task to a user of the estate; an expression that yields nothing leaves it to its role', async () => {
      const tech = w.userIds.get('technician')!;
      const id = await started();
      const r = await ack(id, tech);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect((await state(id)).tasks).toContainEqual(['fix', 'open', tech]);
      const pool = await started();
      const p = await ack(pool, '');
      expect(p.status, JSON.stringify(p.body)).toBe(200);
      expect((await state(pool)).tasks).toContainEqual(['fix', 'open', null]);
    });
  });
});
