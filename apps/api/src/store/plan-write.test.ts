import { describe, expect, it } from 'vitest';
import type { Instance } from '@estateflow/db';
import type { EngineSnapshot, Outcome } from '@estateflow/engine';
import type { InstanceContext } from './event-store.ts';
import { planClaim, planWrite, rowAfter, type NewInstance } from './plan-write.ts';

const now = new Date('2026-12-01T02:00:00.000Z');
let n = 0;
const ids = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

const snapshot = (value: string, data: Record<string, unknown> = {}, status: EngineSnapshot['status'] = 'active'): EngineSnapshot => ({
  workflow: { id: 'repair', version: '1' }, status, value,
  context: { data, sys: { instanceId: 'i', startedAt: now.toISOString(), params: {}, now: now.toISOString(), actor: { id: 'u', role: 'dispatcher' }, tasks: {}, timers: {}, ladders: {}, loops: 0, seq: 1 } },
});

const outcome = (next: EngineSnapshot, parts: Partial<Outcome> = {}): Outcome => ({
  snapshot: next, history: { seq: 2, at: now.toISOString(), actor: { id: 'u', role: 'dispatcher' }, event: { type: 'X', data: {} }, from: null, to: next.value },
  effects: [], charges: [], tasks: { open: [], assign: [], close: [], cancel: [] }, timers: { arm: [], cancel: [] }, transitions: [], entered: [], ...parts,
});

const row: Instance = {
  tenantId: 't-1', id: 'i-1', estateId: 'e-1', unitId: null, workflowKey: 'repair', definitionVersionId: 'v-1', workflowVersion: 1, serial: 'RP-000007',
  state: 'open', snapshot: snapshot('open') as unknown as Record<string, unknown>, status: 'active', grade: null, searchText: 'RP-000007', version: 3,
  startedAt: now, startedBy: 'u', requestedFor: null, updatedAt: now, endedAt: null,
};
const ctx: InstanceContext = { row, calendarStamp: 'office@12', sla: [{ id: 'sla-v2', key: 'repair-sla', version: 2 }], armed: [], history: [] };
const dispatcher = { id: '11111111-1111-4111-8111-111111111111', role: 'dispatcher' };

describe('planWrite (pure: no database)', () => {
  it('plans an event as the row moving from the version read to the next, its history row, timers, tasks, outbox and charges, with readable names', () => {
    const next = snapshot('dispatched', { grade: 'major', note: '漏水' });
    const plan = planWrite(ctx, {
      kind: 'step', actor: dispatcher, event: { type: 'DISPATCH', data: { note: '漏水' } },
      outcome: outcome(next, {
        timers: { arm: [{ id: 'after:dispatched:sla', due: '2026-12-01T04:00:00.000Z', event: { type: 'timer.dispatched.sla' } }], cancel: ['after:open:ack'] },
        tasks: { open: [{ id: 'visit', title: { zh: '上门', en: 'Visit' }, role: 'technician', openedAt: now.toISOString() }], assign: [], close: [{ id: 'ack', title: { zh: '', en: '' }, openedAt: now.toISOString() }], cancel: [{ id: 'wait', title: { zh: '', en: '' }, openedAt: now.toISOString() }] },
        effects: [{ kind: 'notify', to: { role: 'technician' }, message: { zh: '派工', en: 'Dispatched' }, channel: 'app' }],
        charges: [{ item: 'call-out', amountFen: 5000, serial: '' }],
      }),
    }, now, ids);
    expect(plan.snapshot).toMatchObject({ write: 'next', expectedVersion: 3, status: 'active', grade: 'major', searchText: 'RP-000007 major 漏水', endedAt: null });
    expect(plan.history).toEqual({ seq: 4, type: 'DISPATCH', data: { note: '漏水' }, actorId: dispatcher.id, actorRole: 'dispatcher', idempotencyKey: null, stateAfter: 'dispatched' });
    // a timer armed again is cancelled first; the old one goes
    expect(plan.timers).toEqual({ cancel: ['after:open:ack', 'after:dispatched:sla'], arm: [{ id: expect.any(String), key: 'after:dispatched:sla', event: 'timer.dispatched.sla', data: {}, dueAt: '2026-12-01T04:00:00.000Z' }] });
    expect(plan.tasks).toEqual({ close: ['ack'], cancel: ['wait'], open: [{ id: expect.any(String), key: 'visit', title: { zh: '上门', en: 'Visit' }, role: 'technician', assigneeId: null, form: null, events: [], dueAt: null }] });
    expect(plan.outbox?.map((o) => o.kind)).toEqual(['notify']);
    // a charge without its own serial bills under the instance's
    expect(plan.charges?.[0]?.payload).toEqual({ item: 'call-out', amountFen: 5000, serial: 'RP-000007', instanceId: 'i-1' });
    // a plan from a fresh read with no SLA timers carries no context to check
    expect(plan.context).toBeUndefined();
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('holds the plan to the context read when it comes from a kept copy or arms SLA timers, computed from the row the change leaves', () => {
    const next = snapshot('dispatched');
    const plan = planWrite(ctx, {
      kind: 'step', actor: dispatcher, event: { type: 'DISPATCH', data: {} }, outcome: outcome(next),
      slaTimers: (after) => ({ now: now.toISOString(), except: null, wanted: [{ id: 's1', policy: 'repair-sla', metric: 'fix', kind: 'breach', step: 0, event: 'sla.breach', data: { state: after.state }, dueAt: '2026-12-02T02:00:00.000Z' }] }),
    }, now, ids);
    expect(plan.context).toEqual({ calendars: 'office@12', workflow: 'repair', sla: [{ id: 'sla-v2', key: 'repair-sla', version: 2 }] });
    expect(plan.slaTimers?.wanted[0]?.data).toEqual({ state: 'dispatched' });
  });

  it('plans a start as a row created at version 1 with its audit line, its uploads claimed and the idempotency record answered from the new row', () => {
    const created: NewInstance = {
      tenantId: 't-1', id: 'i-9', estateId: 'e-1', unitId: null, workflowKey: 'repair', definitionVersionId: 'v-1', workflowVersion: 1, serial: 'RP-000009',
      startedBy: dispatcher.id, calendarStamp: 'office@12', sla: null,
    };
    const plan = planWrite(created, {
      kind: 'step', actor: dispatcher, event: { type: 'start', data: { photo: '/api/attachments/x' } }, outcome: outcome(snapshot('open')),
      audit: [{ actorId: dispatcher.id, actorRole: 'dispatcher', action: 'start', target: 'instance/i-9', outcome: 'accepted', detail: {} }],
      attachments: ['a-1', 'a-1'],
      idempotency: { userId: dispatcher.id, key: 'k-1', method: 'POST', path: '/api/instances', requestHash: 'h', answer: (r) => ({ status: 201, body: { id: r.id, version: r.version, at: r.startedAt } }) },
    }, now, ids);
    expect(plan.snapshot).toMatchObject({ write: 'create', created: { serial: 'RP-000009', workflowKey: 'repair', startedBy: dispatcher.id } });
    expect(plan.history?.seq).toBe(1);
    expect(plan.history?.idempotencyKey).toBe('k-1');
    // a start always checks the context it was planned with (an SLA publish in between re-plans it)
    expect(plan.context).toEqual({ calendars: 'office@12', workflow: 'repair', sla: [] });
    expect(plan.attachments).toEqual(['a-1']);
    expect(plan.audit).toEqual([{ id: expect.any(String), actorId: dispatcher.id, actorRole: 'dispatcher', action: 'start', target: 'instance/i-9', outcome: 'accepted', detail: {} }]);
    expect(plan.idempotency).toEqual({ userId: dispatcher.id, key: 'k-1', method: 'POST', path: '/api/instances', requestHash: 'h', statusCode: 201, response: { id: 'i-9', version: 1, at: now.toISOString() } });
    expect(rowAfter(created, plan)).toMatchObject({ id: 'i-9', version: 1, state: 'open', serial: 'RP-000009', startedAt: now, endedAt: null });
  });

  it('plans a re-arm as the row held at its version (no history, version unchanged) with the context it was computed from, and a re-timing moving rows', () => {
    const plan = planWrite(ctx, { kind: 'rearm', retimed: { document: snapshot('open'), timers: [{ key: 'after:open:ack', dueAt: '2026-12-03T02:00:00.000Z' }], tasks: [] } }, now, ids);
    expect(plan.snapshot).toEqual({ write: 'hold', expectedVersion: 3, document: snapshot('open') });
    expect(plan.history).toBeUndefined();
    expect(plan.timers).toEqual({ move: [{ key: 'after:open:ack', dueAt: '2026-12-03T02:00:00.000Z' }] });
    expect(plan.tasks).toBeUndefined();
    expect(plan.context?.calendars).toBe('office@12');
    expect(rowAfter(ctx, plan).version).toBe(3);
  });

  it('ends an instance once: its first end instant is kept by later steps; the worker retires the timers of an instance that is gone', () => {
    const ended = { ...ctx, row: { ...row, status: 'done' as const, endedAt: new Date('2026-11-30T00:00:00.000Z') } };
    const plan = planWrite(ended, { kind: 'step', actor: dispatcher, event: { type: 'NOTE', data: {} }, outcome: outcome(snapshot('closed', {}, 'done')) }, now, ids);
    expect(plan.snapshot).toMatchObject({ status: 'done', endedAt: '2026-11-30T00:00:00.000Z' });
    const gone = planWrite({ tenantId: 't-1', id: 'i-0', gone: true }, { kind: 'timers', firedTimers: { by: 'w1', timers: [{ id: 'tm', status: 'cancelled' }] } }, now, ids);
    expect(gone).toEqual({ tenantId: 't-1', instanceId: 'i-0', estateId: null, at: now.toISOString(), firedTimers: { by: 'w1', timers: [{ id: 'tm', status: 'cancelled' }] } });
    expect(() => planWrite({ tenantId: 't-1', id: 'i-0', gone: true }, { kind: 'timers' }, now, ids)).toThrow(/gone/);
  });

  it('plans a claim as the task part alone: no snapshot (the version stays), no context, nothing else', () => {
    const claim = { taskId: 'k-1', assigneeId: dispatcher.id, role: 'dispatcher', unlessHeld: true };
    const plan = planClaim({ tenantId: 't-1', instanceId: 'i-1', estateId: 'e-1' }, claim, now);
    expect(plan).toEqual({ tenantId: 't-1', instanceId: 'i-1', estateId: 'e-1', at: now.toISOString(), claim });
    expect(rowAfter(ctx, plan)).toBe(row);
  });
});
