import { describe, expect, it } from 'vitest';
import { checkTemplate, ExprError, renderTemplate, renderText } from './index.ts';

describe('renderTemplate', () => {
  const vars = { context: { serial: 'RP-2026-0007', feeFen: 12345, tech: null }, now: new Date('2026-03-01T01:30:00Z') };

  it('interpolates expressions into notice text', () => {
    expect(renderTemplate('工单 {{context.serial}} 已派单', vars)).toBe('工单 RP-2026-0007 已派单');
    expect(renderTemplate('Fee: {{ yuan(context.feeFen) }} yuan', vars)).toBe('Fee: 123.45 yuan');
  });

  it('prints instants in Asia/Shanghai and null as empty', () => {
    expect(renderTemplate('at {{now}}; tech={{context.tech}}', vars)).toBe('at 2026-03-01 09:30; tech=');
  });

  it('leaves text without placeholders alone', () => {
    expect(renderTemplate('no placeholders {here}', vars)).toBe('no placeholders {here}');
  });

  it('throws an ExprError for a missing field', () => {
    expect(() => renderTemplate('{{context.nope}}', vars)).toThrow(ExprError);
  });

  it('reports template issues at their position in the whole text', () => {
    const [issue] = checkTemplate('工单 {{ contxt.serial }} 已派单');
    expect(issue?.reason).toBe('unknown-variable');
    expect(issue?.position?.offset).toBe(6);
    expect(checkTemplate('{{context.serial}}')).toEqual([]);
  });
});

describe('renderText', () => {
  it('renders both languages, each distinct placeholder once', () => {
    let reads = 0;
    const params = { get dispatchMinutes() { reads += 1; return 10; } };
    const text = { zh: '登记后 {{params.dispatchMinutes}} 分钟内派单', en: 'Dispatched within {{ params.dispatchMinutes }} minutes' };
    expect(renderText(text, { params }, { scope: 'description' })).toEqual({ zh: '登记后 10 分钟内派单', en: 'Dispatched within 10 minutes' });
    expect(reads).toBe(1);
  });

  it('gives a description only the parameters: the instance is not there yet', () => {
    expect(() => renderText({ zh: '{{context.serial}}', en: '{{context.serial}}' }, { params: {}, context: { serial: 'RP-1' } }, { scope: 'description' })).toThrow(ExprError);
    expect(checkTemplate('{{context.serial}}', { scope: 'description' })[0]?.reason).toBe('unknown-variable');
    expect(checkTemplate('{{params.revisitDays}} 天', { scope: 'description' })).toEqual([]);
  });
});
