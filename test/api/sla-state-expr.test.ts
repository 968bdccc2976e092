import { and, eq, like } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { outbox, timers } from '@estateflow/db';
import { at, complaintUnderEditedPolicy, t0, tick } from '../support/complaint-clock.ts';
import { withDatabases } from '../support/db.ts';
import type { World } from '../support/world.ts';

// SLA expressions see `instance.state` as the workflow's guards do (validate and publish type-check
// them in the workflow's scope): a goal can depend on where the request is, and a breach notice
// can name it. Before, the clocks were computed without it, so such a policy was accepted on
// publish and then failed on every request (the instance page listed the expression's error and
// no timer was armed for it).

withDatabases((kind, getDb) => {
  const clock = { now: t0 };
  let w: World;
  let complaint: string;

  beforeAll(async () => {
    ({ w, complaint: { id: complaint } } = await complaintUnderEditedPolicy(getDb(), clock, 'goal by state', (accept) => {
      // a request still at reception gets 2 hours (a hypothetical estate rule), any other 1 hour
      accept.goals = [
        { when: "instance.state == 'received'", deadline: { after: { amount: 2, unit: 'hours' } } },
        { when: 'true', deadline: { after: { amount: 1, unit: 'hours' } } },
      ];
      accept.onBreach = { ...accept.onBreach, actions: [{ type: 'notify', params: { to: { role: 'property_manager' }, message: { zh: '投诉仍在“{{instance.state}}”', en: 'Complaint still at {{instance.state}}' } } }] };
    }));
  });

  it(`a goal chosen by instance.state arms its deadline, and the instance page shows the same clock with no issue, on ${kind}`, async () => {
    const armed = await getDb().select().from(timers).where(and(eq(timers.tenantId, w.own.tenantId), eq(timers.instanceId, complaint), like(timers.key, 'sla:complaint-clocks:accept:breach:%')));
    expect(armed.map((t) => [t.status, t.dueAt.toISOString()])).toEqual([['armed', at(120).toISOString()]]);
    const page = await w.clients.get('front_desk')!.call('GET', `/api/instances/${complaint}`);
    expect(page.status).toBe(200);
    expect(page.body.clockIssues).toEqual([]);
    expect(page.body.clocks.find((c: { metricId: string }) => c.metricId === 'accept')).toMatchObject({ status: 'running', dueAt: at(120).toISOString() });
  });

  it(`a breach action's template names the state the request is in on ${kind}`, async () => {
    clock.now = at(121);
    await tick(getDb(), at(121), 'sla-state');
    const notices = (await getDb().select().from(outbox).where(and(eq(outbox.tenantId, w.own.tenantId), eq(outbox.instanceId, complaint))))
      .filter((r) => r.kind === 'notify' && (r.payload as { to: { role?: string } }).to.role === 'property_manager');
    expect(notices.map((r) => (r.payload as { message: unknown }).message)).toEqual([{ zh: '投诉仍在“received”', en: 'Complaint still at received' }]);
  });
});
