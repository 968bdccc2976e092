import { and, eq, like } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { auditLog, outbox } from '@estateflow/db';
import { at, complaintUnderEditedPolicy, t0, tick } from '../support/complaint-clock.ts';
import { withDatabases } from '../support/db.ts';
import type { World } from '../support/world.ts';

// An SLA policy's onBreach.actions run when the breach is recorded (CP-9: a complaint not accepted in
// time is escalated): a notice rendered against the request and an incident record, as outbox rows
// shaped like the engine's effects; the ladder's notices are sent as before.

withDatabases((kind, getDb) => {
  const clock = { now: t0 };
  let w: World;
  let complaint: { id: string; serial: string };

  beforeAll(async () => {
    ({ w, complaint } = await complaintUnderEditedPolicy(getDb(), clock, 'CP-9 breach actions', (accept) => {
      accept.onBreach = {
        ...accept.onBreach,
        actions: [
          { type: 'notify', params: { to: { role: 'property_manager' }, message: { zh: '{{context.unit}} 的投诉（{{context.what}}）超过 1 小时未受理', en: 'Complaint from {{context.unit}} not accepted within an hour' } } },
          { type: 'recordIncident', params: { kind: 'sla-breach', severity: "'minor'", summary: { zh: '投诉受理超时：{{context.what}}', en: 'Complaint accepted late' } } },
        ],
      };
    }));
  });

  const rows = () => getDb().select().from(outbox).where(and(eq(outbox.tenantId, w.own.tenantId), eq(outbox.instanceId, complaint.id)));

  it(`runs nothing before the breach, then the notice and the incident once it is recorded, and only once, on ${kind}`, async () => {
    clock.now = at(50);
    await tick(getDb(), at(50), 'breach-actions');
    expect((await rows()).filter((r) => r.kind === 'incident' || (r.payload as { to?: { role?: string } }).to?.role === 'property_manager')).toEqual([]);

    clock.now = at(61);
    await tick(getDb(), at(61), 'breach-actions');
    await tick(getDb(), at(62), 'breach-actions');
    const all = await rows();
    const notice = all.filter((r) => r.kind === 'notify' && (r.payload as { to: { role?: string } }).to.role === 'property_manager');
    expect(notice).toHaveLength(1);
    expect(notice[0]!.payload).toMatchObject({
      kind: 'notify', channel: 'in-app',
      message: { zh: '1-101 的投诉（电话无人接听）超过 1 小时未受理', en: 'Complaint from 1-101 not accepted within an hour' },
      sla: { policy: 'complaint-clocks', metric: 'accept', kind: 'breach', serial: complaint.serial },
    });
    const incidents = all.filter((r) => r.kind === 'incident');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.payload).toMatchObject({ kind: 'incident', incidentKind: 'sla-breach', severity: 'minor', summary: { zh: '投诉受理超时：电话无人接听' } });
    // the ladder's rung still notifies the cs_manager, as without actions
    expect(all.some((r) => r.kind === 'escalate' && (r.payload as { to: { role?: string } }).to.role === 'cs_manager')).toBe(true);
    const [line] = await getDb().select().from(auditLog).where(and(eq(auditLog.tenantId, w.own.tenantId), eq(auditLog.target, `instance/${complaint.id}`), like(auditLog.action, 'sla.breach')));
    expect(line!.detail).toMatchObject({ metric: 'accept', actions: ['notify', 'incident'] });
    expect(line!.detail).not.toHaveProperty('actionErrors');
  });
});
