import { describe, expect, it } from 'vitest';
import { validateDocument } from './validate-document.ts';
import { chineseNumber, quantities, REQUIREMENT_ID } from './lint/texts.ts';
import { renderDescriptions, textSites } from './texts.ts';

const T = (zh: string, en: string) => ({ zh, en });
const workflow = {
  kind: 'workflow', id: 'paid', title: T('特约服务', 'Paid service'), serialPrefix: 'PS', roles: ['dispatcher'],
  description: T('登记后 {{params.dispatchMinutes}} 分钟内派单', 'Dispatched within {{params.dispatchMinutes}} minutes'),
  params: { dispatchMinutes: { schema: { type: 'integer', minimum: 1 }, default: 15, title: T('派单时限（分钟）', 'Minutes to dispatch'), description: T('默认 15 分钟', '15 minutes by default') } },
  events: { GO: { label: T('派单', 'Dispatch'), roles: ['dispatcher'] } },
  machine: {
    initial: 'open',
    states: {
      open: {
        title: T('待派单', 'To dispatch'), description: T('{{params.dispatchMinutes}} 分钟内派单', 'Within {{params.dispatchMinutes}} minutes'),
        entry: [{ type: 'notify', params: { to: { role: 'dispatcher' }, message: T('工单 {{context.serial}} 待派单', 'Order {{context.serial}} to dispatch') } }],
        on: { GO: 'done' },
      },
      done: { title: T('已派单', 'Dispatched'), type: 'final' },
    },
  },
};

describe('the texts of a definition', () => {
  it('are told apart by use: descriptions (params only), instance notices, form errors, scenario titles', () => {
    const uses = Object.fromEntries(textSites(workflow).map((s) => [s.path.join('/'), s.use]));
    expect(uses['description']).toBe('description');
    expect(uses['params/dispatchMinutes/title']).toBe('description');
    expect(uses['machine/states/open/title']).toBe('description');
    expect(uses['machine/states/open/entry/0/params/message']).toBe('instance');
    expect(textSites({ kind: 'form', layout: { sections: [{ fields: [{ errors: { required: T('必填', 'Required') } }] }] } })[0]!.use).toBe('form');
    expect(textSites({ kind: 'scenario', title: T('场景', 'Scenario') })[0]!.use).toBe('script');
  });

  it('descriptions render with the estate\'s parameters through the one renderer, notices are left for the engine', () => {
    const shown = renderDescriptions(workflow, { dispatchMinutes: 10 });
    expect(shown.description).toEqual({ zh: '登记后 10 分钟内派单', en: 'Dispatched within 10 minutes' });
    expect(shown.machine.states.open.description.zh).toBe('10 分钟内派单');
    expect(shown.machine.states.open.entry[0]!.params.message.zh).toBe('工单 {{context.serial}} 待派单');
    expect(workflow.description.zh).toContain('{{params.dispatchMinutes}}');
    // a parameter the caller did not pass leaves the text as written rather than failing the page
    expect(renderDescriptions(workflow, {}).description.zh).toContain('{{params.dispatchMinutes}}');
  });
});

describe('numbers in texts', () => {
  it('reads quantities with their units, Chinese numerals included, and never inside a placeholder', () => {
    expect(quantities('登记后 15 分钟内派单，每天巡查两次，二十四小时受理，{{params.x}} 天')).toEqual([
      { value: 15, unit: '分钟', raw: '15 分钟' }, { value: 2, unit: '次', raw: '两次' }, { value: 24, unit: '小时', raw: '二十四小时' },
    ]);
    expect(quantities('within 3 working days and 80 % of households; 1栋 3-1502')).toEqual([
      { value: 3, unit: 'working days', raw: '3 working days' }, { value: 80, unit: '%', raw: '80 %' },
    ]);
    expect([chineseNumber('十五'), chineseNumber('三十'), chineseNumber('两'), chineseNumber('一百零八'), chineseNumber('号')]).toEqual([15, 30, 2, 108, undefined]);
  });

  it('warn where a text states a parameter\'s default, in that parameter\'s unit only; its own description may', () => {
    const doc = structuredClone(workflow) as typeof workflow & { params: Record<string, unknown> };
    doc.params['revisitHours'] = { schema: { type: 'integer' }, default: 2, title: T('回访时限（小时）', 'Hours to revisit') };
    doc.machine.states.open.description = T('15 分钟内派单，2 天内回访', 'Within 15 minutes; revisited within 2 days');
    const found = validateDocument(doc).filter((f) => f.rule === 'number-contradicts-param');
    // "2 天" is not the 2-hour parameter; the parameter's own "默认 15 分钟" is its default, stated on purpose
    expect(found.map((f) => f.pointer)).toEqual(['/machine/states/open/description/zh', '/machine/states/open/description/en']);
    expect(found[0]!.message.zh).toContain('{{params.dispatchMinutes}}');
    expect(found.every((f) => f.severity === 'warning')).toBe(true);
  });

  it('compare fen parameters with yuan and per-mille ones with per cent', () => {
    const doc = structuredClone(workflow) as typeof workflow & { params: Record<string, unknown> };
    doc.params['thresholdFen'] = { schema: { type: 'integer' }, default: 10000, title: T('阈值', 'Threshold') };
    doc.params['sharePermille'] = { schema: { type: 'integer' }, default: 700, title: T('比例', 'Share') };
    doc.machine.states.open.description = T('低于 100 元的按 70% 收取', 'Under 100 yuan: 70 %');
    const names = validateDocument(doc).filter((f) => f.rule === 'number-contradicts-param').map((f) => f.message.en.match(/parameter (\w+)/)![1]);
    expect(names).toEqual(['thresholdFen', 'sharePermille', 'thresholdFen', 'sharePermille']);
  });
});

describe('requirement ids', () => {
  it('are matched as whole ids, not inside serials or placeholders', () => {
    const ids = (s: string) => s.match(REQUIREMENT_ID) ?? [];
    expect(ids('（RP-2、CP-10）')).toEqual(['RP-2', 'CP-10']);
    expect(ids('工单 RP-000012、PS-2027-0001、{{x}}')).toEqual([]);
  });

  it('in any text are an error naming the text and where ids go', () => {
    const doc = structuredClone(workflow);
    doc.machine.states.done.title = T('已派单（PS-3）', 'Dispatched (PS-3)');
    const found = validateDocument(doc).filter((f) => f.rule === 'requirement-id-in-text');
    expect(found.map((f) => [f.pointer, f.severity])).toEqual([['/machine/states/done/title/zh', 'error'], ['/machine/states/done/title/en', 'error']]);
    expect(found[0]!.message.en).toContain('"source"');
  });
});
