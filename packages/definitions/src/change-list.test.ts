import { describe, expect, it } from 'vitest';
import { changeList } from './change-list.ts';

const roleName = (r: string) => ({ finance: { zh: '财务', en: 'Finance' }, front_desk: { zh: '前台', en: 'Front desk' } })[r] ?? { zh: r, en: r };

const published = {
  kind: 'workflow',
  id: 'lease',
  title: { zh: '车位租赁', en: 'Parking lease' },
  roles: ['front_desk', 'resident'],
  start: { form: 'lease-apply', roles: ['resident'] },
  params: { dispatchMinutes: { schema: { type: 'integer', minimum: 1 }, default: 15, title: { zh: '派单时限（分钟）', en: 'Dispatch time limit (minutes)' } }, depositFen: { schema: { type: 'integer' }, default: 50000, title: { zh: '押金', en: 'Deposit' } } },
  delays: { review: { after: { amount: 1, unit: 'days' }, working: true } },
  events: { APPROVE: { label: { zh: '审核通过', en: 'Approve' }, roles: ['front_desk'] }, REJECT: { label: { zh: '驳回', en: 'Reject' }, roles: ['front_desk'] } },
  machine: {
    initial: 'review',
    states: {
      review: { title: { zh: '待审核', en: 'In review' }, on: { APPROVE: 'active', REJECT: 'rejected' }, after: { review: 'rejected' } },
      active: { title: { zh: '租赁中', en: 'Leased' } },
      rejected: { title: { zh: '已驳回', en: 'Rejected' }, type: 'final' },
    },
  },
};

type Draft = typeof published & { delays: Record<string, unknown>; roles: string[]; events: Record<string, { label: { zh: string; en: string }; roles: string[] }> };
function draft(change: (d: Draft) => void) {
  const d = structuredClone(published) as Draft;
  change(d);
  return d;
}

describe('changeList (#19 review before publish)', () => {
  it('names a parameter change with its title and unit', () => {
    const lines = changeList(published, draft((d) => (d.params.dispatchMinutes.default = 10)), { roleName });
    expect(lines.map((l) => l.text.zh)).toEqual(['派单时限 15 → 10 分钟']);
    expect(lines[0]!.text.en).toBe('Dispatch time limit 15 → 10 minutes');
    expect(lines[0]!.path).toBe('/params/dispatchMinutes/default');
  });

  it('shows money parameters in yuan, never fen', () => {
    const [l] = changeList(published, draft((d) => (d.params.depositFen.default = 80000)));
    expect(l!.text.zh).toBe('押金 ¥500.00 → ¥800.00');
  });

  it('names a money parameter\'s rule changes in yuan, each rule on its own line (#19)', () => {
    const lines = changeList(published, draft((d) => { Object.assign(d.params.depositFen.schema, { maximum: 500000, multipleOf: 100 }); }));
    expect(lines.map((l) => l.text.zh)).toEqual(['参数 押金 的最大值 无 → ¥5000.00', '参数 押金 的倍数 无 → ¥1.00']);
    expect(lines[1]!.text.en).toBe('Deposit: multiple of none → ¥1.00');
    expect(lines.map((l) => l.path)).toEqual(['/params/depositFen/schema/maximum', '/params/depositFen/schema/multipleOf']);
  });

  it('names a new state by its title and the transition into it', () => {
    const lines = changeList(published, draft((d) => {
      (d.machine.states as Record<string, unknown>).awaitingPayment = { title: { zh: '待缴费', en: 'Awaiting payment' } };
      d.machine.states.review.on.APPROVE = 'awaitingPayment';
    }));
    const zh = lines.map((l) => l.text.zh);
    expect(zh).toContain('新增状态 待缴费');
    expect(zh).toContain('转换 审核通过（待审核）目标 租赁中 → 待缴费');
    expect(lines.map((l) => l.text.en)).toContain('New state Awaiting payment');
  });

  it('names a role added to a transition in both languages', () => {
    const lines = changeList(published, draft((d) => {
      d.events.APPROVE.roles = ['front_desk', 'finance'];
      d.roles = [...d.roles, 'finance'];
    }), { roleName });
    expect(lines.map((l) => l.text.zh)).toEqual(['流程增加角色 财务', '转换 审核通过 增加角色 财务']);
    expect(lines[1]!.text.en).toBe('Transition Approve adds role Finance');
  });

  it('names a working-time delay change, a removed state and a final state', () => {
    const lines = changeList(published, draft((d) => {
      d.delays.review = { after: { amount: 2, unit: 'days' }, working: true };
      delete (d.machine.states as Record<string, unknown>).active;
      d.machine.states.review.on.APPROVE = 'rejected';
    }));
    const zh = lines.map((l) => l.text.zh);
    expect(zh).toContain('时限 review 1 个工作日 → 2 个工作日');
    expect(zh).toContain('删除状态 租赁中');
  });

  it('covers every difference: one no phrase names is listed by its path', () => {
    const lines = changeList(published, draft((d) => ((d as Record<string, unknown>).requirements = ['PK-1'])));
    expect(lines).toEqual([{ path: '/requirements', text: { zh: '其他变更 /requirements', en: 'Other change /requirements' } }]);
  });

  it('answers nothing for an unchanged draft and "first version" without a published one', () => {
    expect(changeList(published, structuredClone(published))).toEqual([]);
    expect(changeList(null, published)[0]!.text.zh).toBe('首次发布');
  });

  it('names SLA goal deadline changes of a metric', () => {
    const sla = { kind: 'sla', id: 'lease-sla', title: { zh: '租赁时限', en: 'Lease SLA' }, workflow: 'lease', metrics: [{ id: 'review', title: { zh: '审核', en: 'Review' }, start: [{ enter: 'review' }], stop: [{ leave: 'review' }], goals: [{ deadline: { after: { amount: 1, unit: 'days' }, working: true } }] }] };
    const next = structuredClone(sla);
    next.metrics[0]!.goals[0]!.deadline.after.amount = 2;
    const [l] = changeList(sla, next);
    expect(l!.text.en).toBe('Metric Review: deadline 1 working days → 2 working days');
    expect(l!.path).toBe('/metrics/0/goals/0');
  });

  it('names form fields added and made required by their labels', () => {
    const form = { kind: 'form', id: 'f', title: { zh: '表', en: 'F' }, schema: { type: 'object', properties: { a: { type: 'string' } }, required: [] as string[] }, layout: { sections: [{ id: 's', fields: [{ field: 'a', label: { zh: '车牌', en: 'Plate' } }] }] } };
    const next = structuredClone(form);
    (next.schema.properties as Record<string, unknown>).b = { type: 'integer' };
    next.schema.required = ['a'];
    const zh = changeList(form, next).map((l) => l.text.zh);
    expect(zh).toContain('新增字段 b');
    expect(zh).toContain('字段 车牌 改为必填');
  });
});
