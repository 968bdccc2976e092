import { readdirSync, readFileSync } from 'node:fs';
import { createAjv } from '@estateflow/definitions';
import { evaluateExpr } from '@estateflow/expr';
import { computeClocks, type SlaEvaluate, type SlaHistoryEntry, type SlaPolicy } from '@estateflow/sla';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const json = <T>(path: string): T => JSON.parse(readFileSync(new URL(path, root), 'utf8')) as T;
const slaFiles = readdirSync(new URL('workflows/', root), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => {
    try {
      return readdirSync(new URL(`workflows/${d.name}/sla/`, root)).filter((f) => f.endsWith('.sla.json')).map((f) => `workflows/${d.name}/sla/${f}`);
    } catch {
      return [];
    }
  });

const paramsOf = (workflow: string): Record<string, unknown> => {
  const wf = json<{ params?: Record<string, { default?: unknown }> }>(`workflows/${workflow}/workflow.json`);
  return Object.fromEntries(Object.entries(wf.params ?? {}).map(([k, v]) => [k, v.default]));
};
const evaluator = (params: Record<string, unknown>): SlaEvaluate => (expr, scope) => evaluateExpr(expr, { event: scope.event, context: scope.context, params, now: scope.now });
const sh = (local: string): Date => new Date(`${local}:00+08:00`);

describe('SLA policies of the template bundles', () => {
  it('validate against schemas/sla.schema.json', () => {
    const ajv = createAjv();
    ajv.addSchema(json('schemas/common.schema.json'));
    const validate = ajv.compile(json('schemas/sla.schema.json'));
    expect(slaFiles.length).toBeGreaterThan(0);
    for (const file of slaFiles) expect(validate(json(file)), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
  });

  it('repair: with onSiteFrom = dispatch the on-site clock reads the minutes parameter through a nested state value (RP-2)', () => {
    const policy = json<SlaPolicy>('workflows/repair/sla/repair.sla.json');
    const history: SlaHistoryEntry[] = [
      { at: sh('2026-03-02T09:00'), type: 'REPORT', state: 'received', context: {} },
      { at: sh('2026-03-02T09:05'), type: 'DISPATCH', state: { work: 'dispatched' }, context: {} },
      { at: sh('2026-03-02T09:40'), type: 'ARRIVE', state: { work: 'quoting' }, context: {} },
    ];
    const fromDispatch = { ...paramsOf('repair'), onSiteFrom: 'dispatch', onSiteMinutes: 30 };
    const onSite = computeClocks(policy, history, { now: sh('2026-03-02T10:00'), evaluate: evaluator(fromDispatch) }).find((c) => c.metricId === 'on-site');
    expect(onSite?.status).toBe('breached');
    expect(onSite?.breachedAt).toEqual(sh('2026-03-02T09:35'));
    const tenMinutes = computeClocks(policy, history.slice(0, 2), { now: sh('2026-03-02T09:06'), evaluate: evaluator({ ...fromDispatch, onSiteMinutes: 10 }) }).find((c) => c.metricId === 'on-site');
    expect(tenMinutes?.nextInstants.find((i) => i.kind === 'breach')?.at).toEqual(sh('2026-03-02T09:15'));
  });

  it('repair: with onSiteFrom = report the on-site clock runs from the valid report, a late dispatch or a reschedule does not extend it, a cancel stops it short of met (RP-2)', () => {
    const policy = json<SlaPolicy>('workflows/repair/sla/repair.sla.json');
    // the default is seed 000's reading "30 minutes from a valid report"; "10 minutes from dispatch" is the option
    expect(paramsOf('repair')).toMatchObject({ onSiteFrom: 'report', onSiteMinutes: 30 });
    const params = paramsOf('repair');
    const history: SlaHistoryEntry[] = [
      { at: sh('2026-05-06T09:00'), type: 'start', state: 'received', context: {} },
      { at: sh('2026-05-06T09:20'), type: 'CLASSIFY', state: { work: 'dispatched' }, context: { kind: 'urgent' } },
      { at: sh('2026-05-06T09:25'), type: 'RESCHEDULE', state: { work: 'dispatched' }, context: { kind: 'urgent' } },
    ];
    const clock = (h: SlaHistoryEntry[], now: string, p = params) => computeClocks(policy, h, { now: sh(now), evaluate: evaluator(p) }).find((c) => c.metricId === 'on-site');
    // the same due instant as the workflow's own onSiteDue timer in scenario rp-onsite-from-report
    expect(clock(history, '2026-05-06T09:26')?.dueAt).toEqual(sh('2026-05-06T09:30'));
    expect(clock(history, '2026-05-06T09:31')?.status).toBe('breached');
    const arrived = [...history, { at: sh('2026-05-06T09:29'), type: 'ARRIVE', state: { work: 'repairing' }, context: { kind: 'urgent' } }];
    expect(clock(arrived, '2026-05-06T10:00')?.status).toBe('met');
    const cancelled: SlaHistoryEntry[] = [history[0]!, { at: sh('2026-05-06T09:10'), type: 'CANCEL', state: 'cancelled', context: {} }];
    // the cancel ends the request: its clock stops there, neither met nor breached (never "达标" on a cancelled repair)
    const stopped = computeClocks(policy, cancelled, { now: sh('2026-05-06T10:00'), endedAt: sh('2026-05-06T09:10'), evaluate: evaluator(params) }).find((c) => c.metricId === 'on-site');
    expect([stopped?.status, stopped?.stoppedAt, stopped?.nextInstants]).toEqual(['stopped', sh('2026-05-06T09:10'), []]);
    // from dispatch (the other reading) the clock starts at dispatch and a reschedule restarts it
    const fromDispatch = clock(history, '2026-05-06T09:26', { ...params, onSiteFrom: 'dispatch' });
    expect(fromDispatch?.startedAt).toEqual(sh('2026-05-06T09:25'));
    expect(fromDispatch?.dueAt).toEqual(sh('2026-05-06T09:55'));
  });

  it('complaint: an important complaint must be resolved within 3 days of handling, paused while informing (CP-4)', () => {
    const policy = json<SlaPolicy>('workflows/complaint/sla/complaint.sla.json');
    const ctx = { grade: 'important', requestedBy: '' };
    const history: SlaHistoryEntry[] = [
      { at: sh('2026-03-02T10:00'), type: 'RECEIVE', state: 'received', context: ctx },
      { at: sh('2026-03-02T10:30'), type: 'ROUTE', state: { handling: 'contacting' }, context: ctx },
    ];
    const clocks = computeClocks(policy, history, { now: sh('2026-03-02T11:00'), evaluate: evaluator(paramsOf('complaint')) });
    const resolve = clocks.find((c) => c.metricId === 'resolve');
    expect(resolve?.status).toBe('running');
    expect(resolve?.dueAt).toEqual(sh('2026-03-05T10:30'));
    expect(clocks.find((c) => c.metricId === 'accept')?.status).toBe('met');
  });
});
