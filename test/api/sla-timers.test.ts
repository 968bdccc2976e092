import { and, eq, like } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { auditLog, outbox, timers } from '@estateflow/db';
import { at, intake, t0, tick } from '../support/complaint-clock.ts';
import { withDatabases } from '../support/db.ts';
import { buildWorld, type World } from '../support/world.ts';

// From t0 (Tuesday 2026-11-24 10:00 in Shanghai) the complaint's `accept` clock is 1 hour of wall
// time, warnings at 50 % and 80 %, breach and its one rung (cs_manager) at the hour
withDatabases((kind, getDb) => {
  const clock = { now: t0 };
  let w: World;
  let complaint: { id: string; serial: string };
  let stopped: string;

  const slaRows = async (instanceId: string) =>
    (await getDb().select().from(auditLog).where(and(eq(auditLog.tenantId, w.own.tenantId), eq(auditLog.target, `instance/${instanceId}`), like(auditLog.action, 'sla.%'))))
      .map((r) => ({ action: r.action, ...(r.detail as { metric: string; percent?: number; rung?: number }) }));
  const slaTimers = (instanceId: string) =>
    getDb().select().from(timers).where(and(eq(timers.tenantId, w.own.tenantId), eq(timers.instanceId, instanceId), like(timers.key, 'sla:%')));
  const notices = (instanceId: string) =>
    getDb().select().from(outbox).where(and(eq(outbox.tenantId, w.own.tenantId), eq(outbox.instanceId, instanceId)));

  beforeAll(async () => {
    w = await buildWorld(getDb(), { now: () => clock.now });
    const installed = await w.own.admin.call('POST', '/api/bundles/install', { estateId: w.own.estateId, bundleId: 'complaint', parameters: {} });
    expect(installed.status, JSON.stringify(installed.body)).toBe(200);
    const front = w.clients.get('front_desk')!;
    const a = await front.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'complaint', data: intake });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    complaint = { id: a.body.id, serial: a.body.serial };
    const b = await front.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'complaint', data: { ...intake, what: '楼道灯不亮' } });
    expect(b.status, JSON.stringify(b.body)).toBe(201);
    stopped = b.body.id;
  });

  it(`arms the accept clock's warnings, breach and rung as timers when a complaint is received on ${kind}`, async () => {
    const armed = (await slaTimers(complaint.id)).filter((t) => t.status === 'armed').map((t) => [t.key, t.dueAt.toISOString()]);
    expect(armed.sort()).toEqual([
      ['sla:complaint-clocks:accept:breach:0', at(60).toISOString()],
      ['sla:complaint-clocks:accept:escalation:0', at(60).toISOString()],
      ['sla:complaint-clocks:accept:warning:50', at(30).toISOString()],
      ['sla:complaint-clocks:accept:warning:80', at(48).toISOString()],
    ]);
  });

  it(`a clock stopped in time cancels its timers and arms nothing further on ${kind}`, async () => {
    clock.now = at(10);
    const dispatcher = w.clients.get('dispatcher')!;
    const res = await dispatcher.call('POST', `/api/instances/${stopped}/events`, { type: 'TRIAGE', data: { valid: false, explanation: '属市政供电，已协助报修' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.state).toBe('invalid');
    const ts = await slaTimers(stopped);
    expect(ts.length).toBe(4);
    expect(ts.every((t) => t.status === 'cancelled')).toBe(true);
  });

  it(`re-arms on re-grading: an important complaint's answer and resolve clocks, the same on the instance page, on ${kind}`, async () => {
    clock.now = at(10);
    const started = await w.clients.get('front_desk')!.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'complaint', data: { ...intake, what: '垃圾未清运' } });
    const id = started.body.id as string;
    const triaged = await w.clients.get('dispatcher')!.call('POST', `/api/instances/${id}/events`, { type: 'TRIAGE', data: { valid: true, grade: 'important', department: 'cleaning', handler: w.userIds.get('technician') } });
    expect(triaged.status, JSON.stringify(triaged.body)).toBe(200);
    const armed = (await slaTimers(id)).filter((t) => t.status === 'armed');
    // accept stopped at triage (its timers cancelled); answer = contactHours 24 h, resolve = importantResolveDays 3 days (bundle params)
    expect(armed.filter((t) => t.key.includes(':accept:'))).toEqual([]);
    const due = (key: string) => armed.find((t) => t.key === key)?.dueAt.toISOString();
    expect(due('sla:complaint-clocks:answer:breach:0')).toBe(at(10 + 24 * 60).toISOString());
    // the catalogue's answer clock warns cs_manager at 50 % and 80 %; at the breach the workflow's own timer escalates
    // to cs_manager, and the SLA ladder's only rung tells the property manager a day later (CP-9)
    expect(due('sla:complaint-clocks:answer:warning:50')).toBe(at(10 + 12 * 60).toISOString());
    expect(armed.filter((t) => t.key.startsWith('sla:complaint-clocks:answer:escalation')).map((t) => [t.key, t.dueAt.toISOString()]))
      .toEqual([['sla:complaint-clocks:answer:escalation:0', at(10 + 24 * 60 + 24 * 60).toISOString()]]);
    expect(due('sla:complaint-clocks:resolve:breach:0')).toBe(at(10 + 72 * 60).toISOString());
    const page = await w.clients.get('cs_manager')!.call('GET', `/api/instances/${id}`);
    const clocks = Object.fromEntries(page.body.clocks.map((c: { metricId: string; status: string; dueAt: string }) => [c.metricId, [c.status, c.dueAt]]));
    expect(clocks).toMatchObject({ accept: ['met', null], answer: ['running', due('sla:complaint-clocks:answer:breach:0')], resolve: ['running', due('sla:complaint-clocks:resolve:breach:0')] });
  });

  it(`records one warning at 50 %, nothing more before the next instant, on ${kind}`, async () => {
    await tick(getDb(), at(35), 'w1');
    expect(await slaRows(complaint.id)).toEqual([expect.objectContaining({ action: 'sla.warning', metric: 'accept', percent: 50 })]);
    const [n] = (await notices(complaint.id)).filter((r) => (r.payload as { sla?: unknown }).sla);
    expect(n).toMatchObject({ kind: 'notify', payload: { to: { role: 'cs_manager' } } });
    const text = (n!.payload as { message: { zh: string; en: string } }).message;
    expect(text.zh).toContain(complaint.serial);
    expect(text.zh).toContain('受理转交时限');
    expect(text.zh).toContain('2026-11-24 11:00'); // due 11:00 Shanghai time
    expect(text.en).toContain('Time to accept and route');
  });

  it(`past the breach: one row each for the 80 % warning, the breach and the rung, with notices, none duplicated on a second tick, on ${kind}`, async () => {
    const db = getDb();
    await tick(db, at(61), 'w1');
    await tick(db, at(62), 'w2');
    const rows = await slaRows(complaint.id);
    expect(rows.map((r) => [r.action, r.metric, r.percent ?? r.rung ?? null]).sort()).toEqual([
      ['sla.breach', 'accept', null],
      ['sla.escalation', 'accept', 0],
      ['sla.warning', 'accept', 50],
      ['sla.warning', 'accept', 80],
    ]);
    const sla = (await notices(complaint.id)).filter((r) => (r.payload as { sla?: unknown }).sla);
    expect(sla.map((r) => [r.kind, (r.payload as { sla: { kind: string } }).sla.kind, (r.payload as { to: { role: string } }).to.role]).sort()).toEqual([
      ['escalate', 'escalation', 'cs_manager'],
      ['notify', 'breach', 'cs_manager'],
      ['notify', 'warning', 'cs_manager'],
      ['notify', 'warning', 'cs_manager'],
    ]);
    expect(sla.every((r) => r.status === 'done')).toBe(true);
    const ts = await slaTimers(complaint.id);
    expect(ts.filter((t) => t.status === 'armed')).toEqual([]);
    expect(ts.filter((t) => t.status === 'fired').map((t) => t.firedBy)).toEqual(['w1', 'w1', 'w1', 'w1']);
    // the SLA timers never reached the machine: the complaint still waits in `received`
    const detail = await w.clients.get('cs_manager')!.call('GET', `/api/instances/${complaint.id}`);
    expect(detail.body).toMatchObject({ state: 'received', version: 1 });
    expect(await slaRows(stopped)).toEqual([]);
  });

  it(`the cs_manager sees the escalation among their notices on ${kind}`, async () => {
    clock.now = at(63);
    const res = await w.clients.get('cs_manager')!.call('GET', `/api/notices?estateId=${w.own.estateId}`);
    expect(res.status).toBe(200);
    const mine = res.body.items.filter((n: { instanceId: string; kind: string }) => n.instanceId === complaint.id && n.kind === 'escalate');
    expect(mine).toHaveLength(1);
  });
});
