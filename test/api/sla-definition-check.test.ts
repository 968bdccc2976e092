import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { withDatabases } from '../support/db.ts';
import { buildWorld, type World } from '../support/world.ts';

// SLA policies are checked on the server like workflows before they are published: CEL type-checked,
// states and events of the estate's latest published workflow, its params, the estate's calendars
// (RP-2 on-site clock of the repair bundle). Refused with the first issue's zh/en message and path.
type Sla = {
  workflow: string;
  calendar?: string;
  metrics: { start: { enter?: string }[]; goals: { when?: string; deadline: { after?: { amount: unknown; unit: string } } }[] }[];
};

const onBreach = (d: Sla): Record<string, unknown> => ((d.metrics[0] as unknown as { onBreach: Record<string, unknown> }).onBreach);

withDatabases((kind, getDb) => {
  let w: World;
  let estateId: string;
  let original: Sla;
  const repairDir = join(import.meta.dirname, '../../workflows/repair');

  const admin = () => w.own.admin;
  const versions = async () => {
    const r = await admin().call('GET', `/api/definitions/versions?estateId=${estateId}&kind=sla&key=repair-clocks`);
    expect(r.status).toBe(200);
    return (r.body.items as { version: number }[]).map((v) => v.version);
  };
  const edited = (edit: (d: Sla) => void): Sla => {
    const d = structuredClone(original);
    edit(d);
    return d;
  };
  const publish = (document: Sla) => admin().call('POST', '/api/definitions/publish', { estateId, kind: 'sla', key: 'repair-clocks', changeNote: 'RP-2 edit', document });
  const validate = (document: Sla) => admin().call('POST', '/api/definitions/validate', { estateId, document });

  beforeAll(async () => {
    w = await buildWorld(getDb());
    estateId = w.own.estateId;
    const installed = await admin().call('POST', '/api/bundles/install', { estateId, bundleId: 'repair', parameters: {} });
    expect(installed.status, JSON.stringify(installed.body)).toBe(200);
    original = (await readBundleFolder(repairDir)).files['sla/repair.sla.json'] as unknown as Sla;
  });

  const broken: [string, (d: Sla) => void, string, { zh: string; en: string }][] = [
    ['a goal condition that does not parse', (d) => (d.metrics[0]!.goals[0]!.when = "context.kind == "), '/metrics/0/goals/0/when', { zh: '表达式不完整', en: 'incomplete' }],
    ['a goal condition that is not a bool', (d) => (d.metrics[1]!.goals[0]!.when = "size(context.kind) + 1"), '/metrics/1/goals/0/when', { zh: '布尔', en: 'must return bool' }],
    ['an unknown state', (d) => (d.metrics[0]!.start = [{ enter: 'work.dispachted' }]), '/metrics/0/start/0/enter', { zh: '流程“repair”没有状态“work.dispachted”', en: 'Did you mean "work.dispatched"' }],
    ['an undeclared param', (d) => (d.metrics[0]!.goals[0]!.deadline = { after: { amount: 'params.onSiteMinutez', unit: 'minutes' } }), '/metrics/0/goals/0/deadline/after/amount', { zh: '参数“onSiteMinutez”未在流程 params 中声明', en: 'Parameter "onSiteMinutez" is not declared' }],
    ['an unknown calendar', (d) => (d.calendar = 'cn-nowhere'), '/calendar', { zh: '日历“cn-nowhere”不存在', en: 'Calendar "cn-nowhere" does not exist' }],
    ['a workflow the estate has not published', (d) => (d.workflow = 'repairs'), '/workflow', { zh: '找不到流程“repairs”', en: 'Workflow "repairs" was not found' }],
    // onBreach runs outside the machine: only notify and recordIncident, their CEL checked like the rest
    ['an onBreach action that would change the instance', (d) => (onBreach(d).actions = [{ type: 'assign', params: { values: { late: 'true' } } }]), '/metrics/0/onBreach/actions/0/type', { zh: '超时处理只能执行 notify（通知）和 recordIncident（记录事件）；“assign”会改变工单', en: 'onBreach runs only notify and recordIncident; "assign" changes the instance' }],
    ['an onBreach notice naming an undeclared param', (d) => (onBreach(d).actions = [{ type: 'notify', params: { to: { role: 'cs_manager' }, message: { zh: '{{context.unit}} 超过 {{params.onSiteMinutez}} 分钟未到场', en: 'late' } } }]), '/metrics/0/onBreach/actions/0/params/message/zh', { zh: '参数“onSiteMinutez”未在流程 params 中声明', en: 'Parameter "onSiteMinutez" is not declared' }],
    // every role a policy notifies is one of the company's (#17): a ladder rung, a warning, a breach notice
    ['a ladder rung notifying a role the company lacks', (d) => (onBreach(d).ladder = [{ after: { after: { amount: 0, unit: 'minutes' } }, notify: ['cs_manager', 'night_watch'] }]), '/metrics/0/onBreach/ladder/0/notify/1', { zh: '公司的角色目录中没有角色“night_watch”', en: 'has no role "night_watch"' }],
    ['a warning notifying a role the company lacks', (d) => ((d.metrics[0] as unknown as { warnings: unknown[] }).warnings = [{ percent: 80, notify: ['night_watch'] }]), '/metrics/0/warnings/0/notify/0', { zh: '公司的角色目录中没有角色“night_watch”', en: 'has no role "night_watch"' }],
    ['a breach notice to a role the company lacks', (d) => (onBreach(d).actions = [{ type: 'notify', params: { to: { role: 'night_watch' }, message: { zh: '超时', en: 'late' } } }]), '/metrics/0/onBreach/actions/0/params/to/role', { zh: '公司的角色目录中没有角色“night_watch”', en: 'has no role "night_watch"' }],
  ];

  for (const [what, edit, path, text] of broken) {
    it(`refuses ${what} on validate and publish, naming ${path}, publishing nothing, on ${kind}`, async () => {
      const before = await versions();
      const doc = edited(edit);
      const v = await validate(doc);
      expect(v.status).toBe(200);
      expect(v.body.valid).toBe(false);
      expect(v.body.issues[0]).toMatchObject({ path });
      const p = await publish(doc);
      expect(p.status, JSON.stringify(p.body)).toBe(422);
      expect(p.body.error.reason).toBe('invalid-definition');
      expect(p.body.error.path).toBe(path);
      expect(p.body.error.message.zh).toContain(text.zh);
      expect(p.body.error.message.en).toContain(text.en);
      expect(p.body.error.message.en).toContain(`(at ${path})`);
      expect(await versions()).toEqual(before);
    });
  }

  it(`stores an invalid draft and answers its issues; publishing that draft is refused, on ${kind}`, async () => {
    const before = await versions();
    const doc = edited((d) => (d.metrics[0]!.start = [{ enter: 'work.dispachted' }]));
    const draft = await admin().call('PUT', '/api/definitions/drafts', { estateId, document: doc });
    expect(draft.status).toBe(200);
    expect(draft.body.valid).toBe(false);
    expect(draft.body.issues.map((i: { path: string }) => i.path)).toContain('/metrics/0/start/0/enter');
    const stored = await admin().call('GET', `/api/definitions/drafts/sla/repair-clocks?estateId=${estateId}`);
    expect(stored.body.document.metrics[0].start).toEqual([{ enter: 'work.dispachted' }]);
    const p = await admin().call('POST', '/api/definitions/publish', { estateId, kind: 'sla', key: 'repair-clocks', changeNote: 'from the draft' });
    expect(p.status).toBe(422);
    expect(p.body.error.path).toBe('/metrics/0/start/0/enter');
    expect(await versions()).toEqual(before);
  });

  it(`publishes a good edit (RP-2: 45 minutes on site) as the next version, on ${kind}`, async () => {
    const before = await versions();
    const doc = edited((d) => (d.metrics[0]!.goals[0]!.deadline = { after: { amount: 45, unit: 'minutes' } }));
    expect((await validate(doc)).body).toEqual({ valid: true, issues: [], warnings: [] });
    const p = await publish(doc);
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body.version).toBe(Math.max(...before) + 1);
    expect(await versions()).toEqual([Math.max(...before) + 1, ...before]);
  });

  it(`refuses a bundle upload whose SLA does not type-check, naming the file and path, installing nothing, on ${kind}`, async () => {
    const pkg = await readBundleFolder(repairDir);
    const sla = pkg.files['sla/repair.sla.json'] as unknown as Sla;
    sla.metrics[2]!.goals[0]!.when = "context.category = 'safety'";
    const before = await versions();
    const r = await admin().call('POST', '/api/bundles/install', { estateId, package: pkg, parameters: {} });
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.error.reason).toBe('invalid-definition');
    expect(r.body.error).toMatchObject({ field: 'sla/repair.sla.json', path: '/metrics/2/goals/0/when' });
    expect(r.body.error.message.en).toContain('Invalid bundle');
    expect(await versions()).toEqual(before);
  });
});
