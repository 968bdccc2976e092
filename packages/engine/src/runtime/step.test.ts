import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile.ts';
import { sampleForms, sampleWorkflow } from '../test-support/sample-workflow.ts';
import type { EngineSnapshot, Outcome } from '../types.ts';
import { availableEvents } from './available-events.ts';
import { replay } from './replay.ts';
import { start, step, type Result } from './step.ts';

const wf = compile(sampleWorkflow, { forms: sampleForms });
const desk = { id: 'u-desk', role: 'front_desk' };
const dispatcher = { id: 'u-d', role: 'dispatcher' };
const tech = { id: 'u-t', role: 'technician' };
const resident = { id: 'r-1', role: 'resident' };
const system = { id: 'system', role: 'system' };
const T0 = '2026-05-04T01:00:00.000Z';
const startInput = { now: T0, actor: desk, data: { name: '王先生' }, instanceId: 'i-1' };

function ok(r: Result<Outcome>): Outcome {
  if (!r.ok) throw new Error(`${r.error.reason}: ${r.error.message.en}`);
  return r.value;
}
const at = (min: number) => new Date(Date.parse(T0) + min * 60_000).toISOString();

describe('start and step', () => {
  it('starts with the start data in context, opens state tasks, arms the after timer and renders notices', () => {
    const o = ok(start(wf, startInput));
    expect(o.snapshot.value).toBe('intake');
    expect(o.snapshot.context.data).toMatchObject({ name: '王先生', serial: 'S-1' });
    expect(o.tasks.open.map((t) => [t.id, t.role, t.due])).toEqual([['accept', 'dispatcher', at(15)]]);
    // the arm instant and the delay's name are kept: a calendar published later can re-time it (retimeTimers)
    expect(o.timers.arm).toEqual([{ id: 'after:intake:respond', due: at(15), event: { type: 'timer.intake.respond' }, from: at(0), delay: 'respond' }]);
    expect(o.effects).toEqual([{ kind: 'notify', to: { resident: true }, message: { zh: '已登记 王先生', en: 'Registered 王先生' }, channel: 'sms' }]);
    expect(JSON.parse(JSON.stringify(o.snapshot))).toEqual(o.snapshot);
  });

  it('refuses a starter whose role is not listed and a start form missing a field', () => {
    const r = start(wf, { ...startInput, actor: resident });
    expect(r.ok || r.error.reason).toBe('not-allowed');
    const f = start(wf, { ...startInput, data: {} });
    expect(f.ok ? null : [f.error.reason, f.error.field]).toEqual(['form-invalid', '/name']);
    if (!f.ok) expect(f.error.message.zh).toContain('姓名');
  });

  it('fires the escalation timer once; a late duplicate is stale', () => {
    const s0 = ok(start(wf, startInput));
    const timer = s0.timers.arm[0]!;
    const fired = ok(step(wf, s0.snapshot, { type: timer.event.type, timer: { id: timer.id, due: timer.due } }, { now: at(20), actor: system }));
    expect(fired.stale).toBeUndefined();
    expect(fired.effects).toEqual([
      { kind: 'escalate', ladder: 'unhappy', rung: 0, roles: ['cs_manager'] },
    ]);
    expect(fired.snapshot.context.sys.timers).toEqual({});
    const again = ok(step(wf, fired.snapshot, { type: timer.event.type, timer: { id: timer.id, due: timer.due } }, { now: at(21), actor: system }));
    expect(again.stale).toBe(true);
    expect(again.snapshot).toBe(fired.snapshot);
  });

  it('cancels timers and closes tasks on exit, arms the next state timers and a scheduled event', () => {
    const s0 = ok(start(wf, startInput));
    const o = ok(step(wf, s0.snapshot, { type: 'ACCEPT' }, { now: at(5), actor: dispatcher }));
    expect(o.snapshot.value).toBe('pricing');
    expect(o.tasks.close.map((t) => t.id)).toEqual(['accept']);
    expect(o.timers.cancel).toEqual(['after:intake:respond']);
    expect(o.timers.arm.map((t) => [t.id, t.due]).sort()).toEqual([['after:pricing:slow', at(65)], ['schedule:remind', at(65)]]);
    expect(o.transitions).toEqual(['intake:ACCEPT#0']);
  });

  it('names role, event and state when the sender may not send; rejects events the state does not take', () => {
    const s0 = ok(start(wf, startInput)).snapshot;
    const r = step(wf, s0, { type: 'ACCEPT' }, { now: at(1), actor: tech });
    if (r.ok) throw new Error('expected refusal');
    expect(r.error.reason).toBe('not-allowed');
    expect(r.error.message.en).toContain('"technician"');
    expect(r.error.message.en).toContain('"ACCEPT"');
    expect(r.error.message.zh).toContain('intake');
    const n = step(wf, s0, { type: 'PASS' }, { now: at(1), actor: resident });
    expect(n.ok ? null : n.error.reason).toBe('event-not-accepted');
    const u = step(wf, s0, { type: 'NOPE' }, { now: at(1), actor: resident });
    expect(u.ok ? null : u.error.reason).toBe('unknown-event');
    const s = step(wf, s0, { type: 'REMIND' }, { now: at(1), actor: dispatcher });
    expect(s.ok ? null : s.error.reason).toBe('not-allowed');
  });

  it('validates event data against the form and picks the first passing guard', () => {
    let snap = ok(start(wf, startInput)).snapshot;
    snap = ok(step(wf, snap, { type: 'ACCEPT' }, { now: at(1), actor: dispatcher })).snapshot;
    const bad = step(wf, snap, { type: 'PRICE', data: { priceFen: 'cheap' } }, { now: at(2), actor: tech });
    expect(bad.ok ? null : [bad.error.reason, bad.error.field]).toEqual(['form-invalid', '/priceFen']);
    const o = ok(step(wf, snap, { type: 'PRICE', data: { priceFen: 12000 } }, { now: at(2), actor: tech }));
    expect(o.snapshot.context.data).toMatchObject({ priceFen: 12000, approved: true });
    expect(o.timers.cancel).toEqual(['after:pricing:slow']);
    expect(Object.keys(o.snapshot.context.sys.timers)).toEqual(['schedule:remind']);
    const remind = o.snapshot.context.sys.timers['schedule:remind']!;
    const late = ok(step(wf, o.snapshot, { type: 'REMIND', timer: { id: remind.id, due: remind.due } }, { now: at(90), actor: system }));
    expect(late.stale).toBeUndefined();
    expect(late.transitions).toEqual([]);
    expect(late.effects).toEqual([]);
    expect(late.snapshot.value).toBe('trying');
    expect(late.snapshot.context.sys.timers).toEqual({});
  });

  it('loops rework once, then escalates; a pass charges the agreed price with the serial', () => {
    let snap = ok(start(wf, startInput)).snapshot;
    snap = ok(step(wf, snap, { type: 'ACCEPT' }, { now: at(1), actor: dispatcher })).snapshot;
    snap = ok(step(wf, snap, { type: 'PRICE', data: { priceFen: 5000 } }, { now: at(2), actor: tech })).snapshot;
    const pass = ok(step(wf, snap, { type: 'PASS' }, { now: at(3), actor: resident }));
    expect(pass.charges).toEqual([{ item: 'repair', amountFen: 5000, serial: 'S-1' }]);
    expect(pass.snapshot.status).toBe('done');
    const f1 = ok(step(wf, snap, { type: 'FAIL' }, { now: at(3), actor: resident }));
    expect(f1.snapshot.context.data.rework).toBe(1);
    const f2 = ok(step(wf, f1.snapshot, { type: 'FAIL' }, { now: at(4), actor: resident }));
    expect(f2.effects[0]).toMatchObject({ kind: 'escalate', rung: 0 });
    expect(f2.snapshot.status).toBe('done');
    const after = step(wf, f2.snapshot, { type: 'PASS' }, { now: at(5), actor: resident });
    expect(after.ok ? null : after.error.reason).toBe('instance-done');
  });

  it('turns an expression that fails at run time into an expr-error naming the definition path', () => {
    const broken = compile({
      ...sampleWorkflow, id: 'sample-broken',
      machine: { ...sampleWorkflow.machine, states: { ...sampleWorkflow.machine.states, intake: { on: { ACCEPT: { target: 'pricing', actions: [{ type: 'assign', params: { values: { x: 'event.data.nothing + 1' } } }] } } } } },
    } as typeof sampleWorkflow, { forms: sampleForms });
    const snap = ok(start(broken, startInput)).snapshot;
    const r = step(broken, snap, { type: 'ACCEPT' }, { now: at(1), actor: dispatcher });
    if (r.ok) throw new Error('expected expr-error');
    expect(r.error.reason).toBe('expr-error');
    expect(r.error.path).toBe('/machine/states/intake/on/ACCEPT/actions/0');
    expect(r.error.message.zh).toContain('/machine/states/intake/on/ACCEPT/actions/0');
  });

  it('stops a runaway eventless loop with loop-limit', () => {
    const snap = ok(start(wf, startInput)).snapshot;
    const r = step(wf, snap, { type: 'SPIN' }, { now: at(1), actor: { id: 'a', role: 'admin' } });
    expect(r.ok ? null : r.error.reason).toBe('loop-limit');
  });

  it('lists the events a role may send now, with labels and forms', () => {
    let snap: EngineSnapshot = ok(start(wf, startInput)).snapshot;
    expect(availableEvents(wf, snap, dispatcher).map((e) => e.type)).toEqual(['ACCEPT']);
    snap = ok(step(wf, snap, { type: 'ACCEPT' }, { now: at(1), actor: dispatcher })).snapshot;
    const ev = availableEvents(wf, snap, tech);
    expect(ev.map((e) => [e.type, e.formId, e.form?.id, e.label.zh])).toEqual([['PRICE', 'price', 'price', '报价']]);
    expect(availableEvents(wf, snap, resident)).toEqual([]);
  });

  it('replays the history into the same snapshot', () => {
    const s0 = ok(start(wf, startInput));
    const history = [s0.history];
    let snap = s0.snapshot;
    const events: [string, Record<string, unknown>, { id: string; role: string }][] = [
      ['ACCEPT', {}, dispatcher], ['PRICE', { priceFen: 300 }, tech], ['FAIL', {}, resident],
    ];
    events.forEach(([type, data, actor], i) => {
      const o = ok(step(wf, snap, { type, data }, { now: at(i + 1), actor }));
      history.push(o.history);
      snap = o.snapshot;
    });
    expect(replay(wf, startInput, history)).toEqual(snap);
  });
});
