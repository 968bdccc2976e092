import { randomUUID } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditLog, events, instances, residents, units, type Db } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import type { Client } from '../support/api.ts';
import { buildWorld, type World } from '../support/world.ts';

// Issue #16, "Undeclared fields" and "Refused events": form data may hold only what its form
// declares, a start or event without a form only `{}`, history keeps what the engine accepted, and
// the audit line of a refusal keeps a bounded summary (size, first keys), never the payload.

withDatabases((kind, getDb) => {
  let w: World;
  let db: Db;
  let estateId: string;
  let resident: Client;
  let dispatcher: Client;
  let unitId: string;

  const count = async (t: typeof instances | typeof events) => Number((await db.select({ n: sql<number>`count(*)::int` }).from(t))[0]!.n);
  const lastAudit = async () => (await db.select().from(auditLog).where(eq(auditLog.tenantId, w.own.tenantId)).orderBy(desc(auditLog.at), desc(auditLog.id)).limit(1))[0]!;
  const bilingual = (body: { error: { message: { zh: string; en: string } } }) => {
    expect(body.error.message.zh).toMatch(/[\u4e00-\u9fff]/);
    expect(body.error.message.en).toMatch(/[a-z]/);
  };

  beforeAll(async () => {
    db = getDb();
    w = await buildWorld(db);
    estateId = w.own.estateId;
    resident = w.clients.get('resident')!;
    dispatcher = w.clients.get('dispatcher')!;
    const [unit] = await db.select().from(units).where(and(eq(units.tenantId, w.own.tenantId), eq(units.estateId, estateId), eq(units.label, '1-101')));
    unitId = unit!.id;
    await db.insert(residents).values({ tenantId: w.own.tenantId, id: randomUUID(), estateId, unitId, name: '王先生', kind: 'owner', userId: w.userIds.get('resident')! });
  });

  describe(`undeclared fields on ${kind}`, () => {
    it('refuses a resident\'s start with an undeclared 500 KB field: 422 naming it, nothing in history, the audit line keeps only its size and keys', async () => {
      const before = { instances: await count(instances), events: await count(events) };
      const data = { summary: '漏水', blob: 'x'.repeat(500_000) };
      const res = await resident.call('POST', '/api/instances', { estateId, workflow: 'test-ticket', unitId, data });
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(422);
      expect(res.body.error.reason).toBe('form-invalid');
      expect(res.body.error.field).toBe('/blob');
      expect(res.body.error.message.en).toContain('"/blob": the form has no such field');
      bilingual(res.body);
      expect({ instances: await count(instances), events: await count(events) }).toEqual(before);
      const line = await lastAudit();
      expect(line.outcome).toBe('refused');
      expect((line.detail as { data: unknown }).data).toEqual({ bytes: Buffer.byteLength(JSON.stringify(data)), keys: ['summary', 'blob'] });
      expect(JSON.stringify(line.detail).length).toBeLessThan(2_000);
    });

    it('refuses an undeclared field in event data with 422 naming it; the instance stays where it was', async () => {
      const started = await dispatcher.call('POST', '/api/instances', { estateId, workflow: 'test-ticket', data: { summary: '漏水' } });
      expect(started.status).toBe(201);
      const res = await dispatcher.call('POST', `/api/instances/${started.body.id}/events`, { type: 'ACK', data: { note: '到了', extra: { nested: true } } });
      expect(res.status).toBe(422);
      expect(res.body.error.field).toBe('/extra');
      bilingual(res.body);
      const detail = await dispatcher.call('GET', `/api/instances/${started.body.id}`);
      expect(detail.body.version).toBe(started.body.version);
    });

    it('lets an event without a form take only an empty object', async () => {
      const started = await dispatcher.call('POST', '/api/instances', { estateId, workflow: 'test-ticket', data: { summary: '漏水' } });
      const acked = await dispatcher.call('POST', `/api/instances/${started.body.id}/events`, { type: 'ACK', data: { note: '到了' } });
      expect(acked.status).toBe(200);
      const refused = await dispatcher.call('POST', `/api/instances/${started.body.id}/events`, { type: 'CLOSE', data: { why: 'x' } });
      expect(refused.status).toBe(422);
      expect(refused.body.error.field).toBe('/why');
      expect(refused.body.error.message.en).toBe('Event "CLOSE" has no form and takes no data: "/why"');
      expect(refused.body.error.message.zh).toBe('事件“CLOSE”没有表单，不接受数据：“/why”');
      const closed = await dispatcher.call('POST', `/api/instances/${started.body.id}/events`, { type: 'CLOSE', data: {} });
      expect(closed.status).toBe(200);
    });

    it('records in history what the form accepted (blank values dropped), not what was sent', async () => {
      const started = await dispatcher.call('POST', '/api/instances', { estateId, workflow: 'test-ticket', data: { summary: '漏水', grade: '' } });
      expect(started.status).toBe(201);
      const history = await dispatcher.call('GET', `/api/instances/${started.body.id}/history`);
      expect(history.body.items[0].data).toEqual({ summary: '漏水' });
    });
  });

  describe(`refused events on ${kind}`, () => {
    it('cuts an echoed event type to 64 characters in the answer and the audit line, and keeps a summary of the data', async () => {
      const type = `X${'Y'.repeat(100_000)}`;
      const res = await dispatcher.call('POST', `/api/instances/${w.own.instanceId}/events`, { type, data: { note: 'z'.repeat(100_000) } });
      expect(res.status).toBe(422);
      expect(res.body.error.reason).toBe('event-refused');
      bilingual(res.body);
      expect(JSON.stringify(res.body).length).toBeLessThan(1_000);
      expect(res.body.error.message.en).toContain(`"${type.slice(0, 64)}…"`);
      const line = await lastAudit();
      expect(line.action).toBe(`event:${type.slice(0, 64)}…`);
      expect((line.detail as { data: unknown }).data).toEqual({ bytes: 100_011, keys: ['note'] });
      expect(JSON.stringify(line.detail).length).toBeLessThan(2_000);
    });
  });
});
