import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveDeadline } from '@estateflow/sla';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as LintModule from '../../apps/web/src/lib/sla/policy-lint.ts';
import type * as DocModule from '../../apps/web/src/lib/sla/policy-doc.ts';
import type { Policy } from '../../apps/web/src/lib/sla/policy-doc.ts';
import type * as PreviewModule from '../../apps/web/src/lib/sla/preview.ts';
import type * as ParamsModule from '../../apps/web/src/lib/simulate/params.ts';
import type * as CalendarsModule from '../../apps/web/src/lib/simulate/calendars.ts';
import type * as SimModule from '../../apps/web/src/lib/simulate/simulation.ts';

// The pure modules behind the SLA policy editor and Simulate's parameters (apps/web/src/lib/sla,
// apps/web/src/lib/simulate). Their files sit under apps/web, whose tsconfig extends the one
// `svelte-kit sync` writes, so that runs first when missing; the modules are imported after it.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const webDir = join(root, 'apps/web');
type Lint = typeof LintModule;
type Doc = typeof DocModule;
type Preview = typeof PreviewModule;
type Params = typeof ParamsModule;
type Calendars = typeof CalendarsModule;
type Sim = typeof SimModule;
let lint: Lint, doc: Doc, preview: Preview, params: Params, calendars: Calendars, sim: Sim;

beforeAll(async () => {
  if (!existsSync(join(webDir, '.svelte-kit/tsconfig.json'))) execFileSync('pnpm', ['exec', 'svelte-kit', 'sync'], { cwd: webDir, stdio: 'pipe' });
  [lint, doc, preview, params, calendars, sim] = await Promise.all([
    import('../../apps/web/src/lib/sla/policy-lint.ts'),
    import('../../apps/web/src/lib/sla/policy-doc.ts'),
    import('../../apps/web/src/lib/sla/preview.ts'),
    import('../../apps/web/src/lib/simulate/params.ts'),
    import('../../apps/web/src/lib/simulate/calendars.ts'),
    import('../../apps/web/src/lib/simulate/simulation.ts'),
  ]);
}, 120_000);

const json = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8')) as Record<string, unknown>;
const bundles = readdirSync(join(root, 'workflows'), { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(root, 'workflows', d.name, 'sla')));

function repair() {
  const wf = json('workflows/repair/workflow.json') as { params: Record<string, unknown> };
  const policy = json('workflows/repair/sla/repair.sla.json') as never as Policy;
  return { wf, policy, ctx: { workflow: wf as never, calendars: ['cn-statutory'], params: Object.keys(wf.params) } };
}

describe('SLA policy editor: findings at the field', () => {
  it('finds no error in any catalogue SLA policy checked against its own workflow', () => {
    expect(bundles.length).toBeGreaterThan(5);
    for (const b of bundles) {
      const dir = join(root, 'workflows', b.name);
      const workflows = readdirSync(dir).filter((f) => f.endsWith('workflow.json')).map((f) => json(`workflows/${b.name}/${f}`));
      for (const file of readdirSync(join(dir, 'sla'))) {
        const policy = json(`workflows/${b.name}/sla/${file}`);
        const wf = workflows.find((w) => w.id === policy.workflow) as { params?: Record<string, unknown> } | undefined;
        const errors = lint.lintPolicy(policy, { workflow: wf as never, calendars: ['cn-statutory'], params: Object.keys(wf?.params ?? {}) }).filter((f) => f.severity === 'error');
        expect(errors, `${b.name}/sla/${file}`).toEqual([]);
      }
    }
  });

  it('names a broken CEL goal condition, an unknown state and event, an undeclared parameter, an unknown calendar and a negative rung at their JSON paths (CP-4, RP-2)', () => {
    const { policy, ctx } = repair();
    const m = policy.metrics[0]!;
    m.goals[0]!.when = "context.kind == ";
    m.goals[0]!.deadline = { after: { amount: 'params.onSiteMinutez', unit: 'minutes' }, calendar: 'cn-nowhere' };
    m.start = [{ enter: 'work.dispachted' }];
    m.reset = [{ event: 'RESCHEDULED' }];
    // the catalogue's on-site clock leaves its breach notices to the workflow's escalation: a rung added here
    m.onBreach = { once: true, ladder: [{ after: { after: { amount: -5, unit: 'minutes' } }, notify: ['cs_manager'] }] };
    const found = lint.lintPolicy(policy, ctx);
    const at = (p: string) => lint.findingsAt(found, p).map((f) => f.message.zh).join(' | ');
    expect(at('/metrics/0/goals/0/when')).toContain('表达式不完整');
    expect(at('/metrics/0/goals/0/deadline/after/amount')).toBe('参数“onSiteMinutez”未在流程 params 中声明，您是不是要写 "onSiteMinutes"？');
    expect(at('/metrics/0/goals/0/deadline/calendar')).toContain('日历“cn-nowhere”不存在');
    expect(at('/metrics/0/start/0/enter')).toBe('流程“repair”没有状态“work.dispachted”，您是不是要写 "work.dispatched"？');
    expect(at('/metrics/0/reset/0/event')).toBe('流程“repair”未声明事件“RESCHEDULED”，您是不是要写 "RESCHEDULE"？');
    expect(at('/metrics/0/onBreach/ladder/0/after/after/amount')).toBe('数值须 >= 0');
    expect(lint.findingsAt(found, '/metrics/0/goals/0', true).length).toBeGreaterThanOrEqual(3);
    expect(found.every((f) => f.message.en.length > 0)).toBe(true);
  });

  it('reports a metric id used twice and a required list left empty', () => {
    const { policy, ctx } = repair();
    policy.metrics[1]!.id = policy.metrics[0]!.id;
    policy.metrics[2]!.stop = [];
    const found = lint.lintPolicy(policy, ctx);
    expect(lint.findingsAt(found, '/metrics/1/id')[0]?.message.en).toBe('Metric id "on-site" is used twice');
    expect(lint.findingsAt(found, '/metrics/2/stop')[0]?.message.zh).toContain('少于下限 1');
  });
});

describe('SLA policy editor: editing operations', () => {
  it('switches a condition between kinds, keeping the state between enter and leave', () => {
    expect(doc.switchCondition({ enter: 'work.dispatched' }, 'leave')).toEqual({ leave: 'work.dispatched' });
    expect(doc.switchCondition({ enter: 'work.dispatched' }, 'event')).toEqual({ event: '' });
    expect(doc.switchCondition({ event: 'X' }, 'expr')).toEqual({ expr: 'true' });
  });

  it('switches a deadline between kinds, keeping its calendar where the kind takes one, and wraps it into cases', () => {
    const d = { after: { amount: 3, unit: 'days' }, working: true, calendar: 'cn-office' };
    expect(doc.switchDeadline(d, 'endOfDay')).toEqual({ endOfDay: true, calendar: 'cn-office' });
    expect(doc.switchDeadline(d, 'cases')).toEqual({ cases: [{ when: 'true', deadline: d }], else: { after: { amount: 1, unit: 'days' } } });
    expect(doc.switchDeadline(d, 'expr')).toEqual({ expr: 'now + hours(1)' });
    expect(doc.deadlineKind({ dayOfMonth: 10 })).toBe('dayOfMonth');
  });

  it('tells a fixed amount from a parameter and from an expression', () => {
    expect(doc.amountMode(30, ['onSiteMinutes'])).toBe('fixed');
    expect(doc.amountMode('params.onSiteMinutes', ['onSiteMinutes'])).toBe('param');
    expect(doc.amountMode('params.onSiteMinutes * 2', ['onSiteMinutes'])).toBe('expr');
    expect(doc.amountMode('params.unknown', ['onSiteMinutes'])).toBe('expr');
  });

  it('moves rows within bounds and writes a warning without recipients as a bare number', () => {
    const list = ['a', 'b', 'c'];
    doc.move(list, 0, -1);
    doc.move(list, 2, 1);
    expect(list).toEqual(['a', 'b', 'c']);
    doc.move(list, 0, 1);
    expect(list).toEqual(['b', 'a', 'c']);
    expect(doc.normaliseWarning({ percent: 80, notify: [] })).toBe(80);
    expect(doc.normaliseWarning({ percent: 80, notify: ['cs_manager'] })).toEqual({ percent: 80, notify: ['cs_manager'] });
  });

  it('a new metric and a new rung are valid against the schema once their states are named', () => {
    const { policy, ctx } = repair();
    const m = doc.newMetric(policy.metrics);
    m.start = [{ enter: 'revisit' }];
    m.stop = [{ leave: 'revisit' }];
    m.onBreach!.ladder!.push(doc.newRung(m.onBreach!.ladder![0]));
    policy.metrics.push(m);
    expect(m.id).toBe('metric-4');
    expect(m.onBreach!.ladder![1]!.after).toEqual({ after: { amount: 15, unit: 'minutes' } });
    expect(lint.lintPolicy(policy, ctx).filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('SLA policy preview', () => {
  it('moves the due, warning and rung instants with the goal target (RP-2 on site from Friday 2026-09-25 17:50)', () => {
    const { policy } = repair();
    const from = new Date('2026-09-25T17:50:00+08:00');
    const iso = (d: Date | undefined) => d?.toISOString();
    let onSite = preview.previewPolicy(policy, from, {}, { onSiteMinutes: 30 })[0]!.goals[0]!;
    expect(iso(onSite.due)).toBe('2026-09-25T10:20:00.000Z');
    policy.metrics[0]!.goals[0]!.deadline = { after: { amount: 45, unit: 'minutes' } };
    // (the catalogue's on-site clock has no ladder of its own: its breach notices are the workflow's escalation)
    policy.metrics[0]!.onBreach = { once: true, ladder: [{ after: { after: { amount: 0, unit: 'minutes' } }, notify: ['cs_manager'] }, { after: { after: { amount: 30, unit: 'minutes' } }, notify: ['property_manager'] }] };
    onSite = preview.previewPolicy(policy, from, {}, { onSiteMinutes: 30 })[0]!.goals[0]!;
    expect(iso(onSite.due)).toBe('2026-09-25T10:35:00.000Z');
    expect(onSite.warnings.map((w) => [w.percent, iso(w.at)])).toEqual([[50, '2026-09-25T10:12:30.000Z'], [80, '2026-09-25T10:26:00.000Z']]);
    expect(onSite.ladder.map((r) => iso(r.at))).toEqual(['2026-09-25T10:35:00.000Z', '2026-09-25T11:05:00.000Z']);
  });

  it('carries a bilingual error for a goal it cannot compute instead of failing the whole preview', () => {
    const { policy } = repair();
    policy.metrics[0]!.goals[0]!.deadline = { after: { amount: 'params.missing', unit: 'minutes' } };
    const goals = preview.previewPolicy(policy, new Date('2026-09-25T17:50:00+08:00'), {}, {})[0]!.goals;
    expect(goals[0]!.error?.zh).toBeTruthy();
    expect(goals[0]!.due).toBeUndefined();
  });
});

describe('Simulate: parameters', () => {
  const declared = {
    calloutFeeFen: { schema: { type: 'integer', minimum: 0, maximum: 100000 }, default: 5000, title: { zh: '上门费', en: 'Call-out fee' } },
    lateAfterMinutes: { schema: { type: 'integer', minimum: 5, maximum: 240 }, default: 60, title: { zh: '超时分钟数', en: 'Minutes until late' } },
    cadence: { schema: { type: 'string', enum: ['quarterly', 'monthly'] }, default: 'quarterly', title: { zh: '周期', en: 'Cadence' } },
    worksHoursStart: { schema: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', maxLength: 5 }, default: '08:00', title: { zh: '施工开始', en: 'Works start' } },
    lateFeePerMille: { schema: { type: 'integer', minimum: 0, maximum: 100 }, default: 3, title: { zh: '滞纳金', en: 'Late fee' } },
  };

  it('chooses a widget from the schema and the unit in the name', () => {
    const fields = params.paramFields(declared as never);
    expect(fields.map((f) => [f.name, f.kind, f.unit?.zh])).toEqual([
      ['calloutFeeFen', 'money', '元'],
      ['lateAfterMinutes', 'duration', '分钟'],
      ['cadence', 'enum', undefined],
      ['worksHoursStart', 'time', undefined],
      ['lateFeePerMille', 'permille', '‰'],
    ]);
    expect(params.displayValue(fields[0]!, 5000)).toBe('50.00');
  });

  it('reads yuan into integer fen and refuses a third decimal, naming the parameter in zh and en', () => {
    const [fee, late, cadence] = params.paramFields(declared as never);
    expect(params.parseInput(fee!, '80')).toEqual({ value: 8000 });
    expect(params.parseInput(fee!, '0.1')).toEqual({ value: 10 });
    expect(params.parseInput(fee!, '12.345').error).toEqual({ zh: '“上门费”（calloutFeeFen） 须为金额（元，最多两位小数）', en: '"Call-out fee" (calloutFeeFen) must be an amount in yuan with at most two decimals' });
    expect(params.parseInput(late!, '2.5').error?.en).toContain('whole number');
    expect(params.parseInput(cadence!, 'yearly').error?.zh).toContain('quarterly、monthly');
  });

  it('checks values against the parameter schema, stating money limits in yuan', () => {
    const [fee, late, , works] = params.paramFields(declared as never);
    expect(params.checkParam(late!, 2)?.zh).toBe('“超时分钟数”（lateAfterMinutes） 不能小于 5');
    expect(params.checkParam(fee!, 100001)?.en).toBe('"Call-out fee" (calloutFeeFen) must be at most ¥1000.00');
    expect(params.checkParam(works!, '25:00')?.zh).toContain('格式不正确');
    expect(params.checkParam(late!, 30)).toBeNull();
    expect(params.changedFromDefault(params.paramFields(declared as never), { ...params.defaultValues(params.paramFields(declared as never)), lateAfterMinutes: 30 })).toEqual(['lateAfterMinutes']);
  });

  it('reads and writes a money parameter\'s rules in yuan while the stored rule stays integer fen, through one helper and no floats (#19)', () => {
    const [fee, late] = params.paramFields(declared as never);
    // the stored maximum 100000 fen reads as 1000.00 yuan; typed yuan comes back as integer fen
    expect(params.toShown(fee!, 100000)).toBe('1000.00');
    expect(params.toShown(fee!, 12345678)).toBe('123456.78');
    expect(params.parseRule(fee!, '1')).toEqual({ value: 100 });
    expect(params.parseRule(fee!, '0.29')).toEqual({ value: 29 }); // 0.29 * 100 is 28.999… in floating point
    expect(params.parseRule(fee!, '1,000.5')).toEqual({ value: 100050 });
    expect(params.parseRule(fee!, '')).toEqual({ value: undefined }); // blank removes the rule
    expect(params.parseRule(fee!, '1.234').error?.zh).toBe('“上门费”（calloutFeeFen） 的规则须为金额（元，最多两位小数）');
    expect(params.parseRule(fee!, 'abc').error?.en).toContain('yuan');
    // other kinds pass through as numbers
    expect(params.toShown(late!, 60)).toBe('60');
    expect(params.parseRule(late!, '90')).toEqual({ value: 90 });
    expect(params.parseRule(late!, 'x').error?.en).toContain('must be a number');
    // a value off the rule's multiple is refused in yuan
    const whole = params.paramFields({ rateFen: { schema: { type: 'integer', minimum: 0, multipleOf: 100 }, title: { zh: '月租', en: 'Rent' } } } as never)[0]!;
    expect(params.checkParam(whole, 30050)?.zh).toBe('“月租”（rateFen） 须为 ¥1.00 的整数倍');
    expect(params.parseInput(whole, '0.29')).toEqual({ value: 29 });
  });

  it("adds a bundle's own parameters after the workflow's, and orders by a known declaration order, else by zh title", () => {
    const bundle = { valuableThresholdFen: { schema: { type: 'integer', minimum: 0 }, default: 10000, title: { zh: '贵重物品价值下限（分）', en: 'Valuable from (fen)' } }, cadence: { schema: { type: 'string' }, title: { zh: '不用', en: 'Unused' } } };
    const fields = params.paramFields(declared as never, bundle as never);
    // the workflow's own declaration wins over a bundle spec of the same name
    expect(fields.map((f) => f.name)).toEqual(['calloutFeeFen', 'lateAfterMinutes', 'cadence', 'worksHoursStart', 'lateFeePerMille', 'valuableThresholdFen']);
    expect(fields.find((f) => f.name === 'cadence')!.kind).toBe('enum');
    expect(params.orderFields(fields, ['lateFeePerMille', 'cadence']).map((f) => f.name).slice(0, 2)).toEqual(['lateFeePerMille', 'cadence']);
    // pinyin order: 超 chāo, 贵 guì, 上 shàng, 施 shī, 滞 zhì, 周 zhōu
    expect(params.orderFields(fields, null).map((f) => f.title.zh)).toEqual(['超时分钟数', '贵重物品价值下限（分）', '上门费', '施工开始', '滞纳金', '周期']);
  });

  it("says where each default's number comes from: requirement ids, the reason it is not in the field documents (which wins), or nothing", () => {
    const fields = params.paramFields({
      dispatchMinutes: { schema: { type: 'integer' }, default: 15, title: { zh: '派单时限', en: 'Dispatch' }, source: ['PS-3'] },
      contactHours: { schema: { type: 'integer' }, default: 24, title: { zh: '联系时限', en: 'Contact' }, source: ['CP-5'], defaultNotInDocuments: { zh: '规程未给时限', en: 'No limit given' } },
      bare: { schema: { type: 'integer' }, default: 1, title: { zh: '无出处', en: 'Bare' } },
    } as never);
    expect(fields.map((f) => f.defaultSource)).toEqual([
      { kind: 'documents', ids: ['PS-3'] },
      { kind: 'not-in-documents', reason: { zh: '规程未给时限', en: 'No limit given' } },
      { kind: 'none' },
    ]);
  });

  it('says whether a value is the installed one, the default or an edit, and starts from the installed values', () => {
    const fields = params.paramFields(declared as never);
    const fee = fields[0]!;
    const installed = { calloutFeeFen: 8000 };
    expect(params.paramOrigin(fee, 8000, installed)).toBe('installed');
    expect(params.paramOrigin(fee, 5000, installed)).toBe('default');
    expect(params.paramOrigin(fee, 6000, installed)).toBe('edited');
    expect(params.paramOrigin(fee, 5000, null)).toBe('default');
    // an installed value equal to the default counts as installed: it is what the estate runs with
    expect(params.paramOrigin(fee, 5000, { calloutFeeFen: 5000 })).toBe('installed');
    expect(params.startingValues(fields, installed)).toEqual({ ...params.defaultValues(fields), calloutFeeFen: 8000 });
    expect(params.startingValues(fields, { unknown: 1 })).toEqual(params.defaultValues(fields));
  });
});

/** The deadlines here are literal: an expression reaching the evaluator is a test error. */
const noExpressions = (expr: string): never => {
  throw new Error(`unexpected expression ${expr}`);
};

describe('Simulate: calendars and rerun', () => {
  const office = { kind: 'calendar', id: 'office', inherits: 'cn-statutory', week: { mon: [['09:00', '12:00']], tue: [['09:00', '12:00']], wed: [['09:00', '12:00']], thu: [['09:00', '12:00']], fri: [['09:00', '12:00']], sat: [], sun: [] } };

  it('lets an estate calendar stand in for cn-statutory without an inheritance loop', () => {
    const cals = calendars.simulationCalendars({ office }, ['office'], 'office');
    // Monday 2026-06-08 11:30 + 1 working hour on the office's 09:00–12:00 days → Tuesday 09:30
    const due = resolveDeadline({ after: { amount: 1, unit: 'hours' }, working: true }, new Date('2026-06-08T11:30:00+08:00'), { calendars: cals, calendarId: 'cn-statutory', evaluate: noExpressions });
    expect(due.toISOString()).toBe('2026-06-09T01:30:00.000Z');
    const plain = resolveDeadline({ after: { amount: 1, unit: 'hours' }, working: true }, new Date('2026-06-08T11:30:00+08:00'), { calendars: calendars.simulationCalendars({ office }, ['office']), calendarId: 'cn-statutory', evaluate: noExpressions });
    expect(plain.toISOString()).not.toBe(due.toISOString());
    expect(Object.keys(calendars.simulationCalendars({ office }, []))).toEqual([]);
  });

  it('reruns the same steps with other parameters: a later timer and a larger charge', () => {
    const workflow = {
      kind: 'workflow', id: 'sim-params', title: { zh: '参数', en: 'Params' }, roles: ['dispatcher'], start: { roles: ['dispatcher'] },
      params: {
        lateAfterMinutes: { schema: { type: 'integer', minimum: 5 }, default: 60, title: { zh: '超时', en: 'Late' } },
        calloutFeeFen: { schema: { type: 'integer', minimum: 0 }, default: 5000, title: { zh: '上门费', en: 'Fee' } },
      },
      events: { DISPATCH: { label: { zh: '派单', en: 'Dispatch' }, roles: ['dispatcher'] } },
      delays: { overdue: { after: { amount: 'params.lateAfterMinutes', unit: 'minutes' } } },
      machine: { initial: 'open', states: {
        open: { on: { DISPATCH: { target: 'working', actions: [{ type: 'charge', params: { item: 'callout', amount: 'params.calloutFeeFen' } }] } } },
        working: { after: { overdue: 'late' } },
        late: { type: 'final' },
      } },
    };
    const first = new sim.Simulation(workflow, [], [], {}, '2026-06-09T01:00:00.000Z');
    expect(first.start('dispatcher', {})).toBeNull();
    expect(first.send('dispatcher', 'DISPATCH', {})).toBeNull();
    first.advanceBy(40 * sim.MINUTE);
    expect(Object.values(first.snapshot!.context.sys.timers).map((t) => t.due)).toEqual(['2026-06-09T02:00:00.000Z']);
    expect(first.state).toBe('working');

    const second = new sim.Simulation(workflow, [], [], {}, first.startAt, { params: { lateAfterMinutes: 30, calloutFeeFen: 8000 } });
    expect(second.replay(first.script)).toBeNull();
    expect(second.state).toBe('late');
    expect(second.clock).toBe('2026-06-09T01:40:00.000Z');
    const charges = (s: InstanceType<Sim['Simulation']>) => s.log.flatMap((l) => l.notes.map((n) => n.zh)).filter((n) => n.startsWith('收费'));
    expect(charges(first)).toEqual(['收费 callout ¥50.00']);
    expect(charges(second)).toEqual(['收费 callout ¥80.00']);
    expect(second.log.find((l) => l.kind === 'timer')?.at).toBe('2026-06-09T01:30:00.000Z');
  });
});
