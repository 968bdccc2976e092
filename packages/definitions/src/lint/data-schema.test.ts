import { describe, expect, it } from 'vitest';
import { lintParams } from './data-schema.ts';

describe('lintParams: every default says where its number comes from', () => {
  const title = { zh: '时限', en: 'Limit' };
  it('warns only for a default with neither requirement ids nor a reason it is not in the field documents', () => {
    const findings = lintParams({
      bare: { schema: { type: 'integer' }, default: 2, title },
      emptySource: { schema: { type: 'integer' }, default: 2, title, source: [] },
      cited: { schema: { type: 'integer' }, default: 7, title, source: ['RP-3'] },
      reasoned: { schema: { type: 'integer' }, default: 24, title, defaultNotInDocuments: { zh: '规程未给时限', en: 'The procedures give no limit' } },
      noDefault: { schema: { type: 'integer' }, title },
    }, ['params'], 'workflow.json');
    expect(findings.map((f) => [f.rule, f.severity, f.pointer])).toEqual([
      ['default-without-source', 'warning', '/params/bare/default'],
      ['default-without-source', 'warning', '/params/emptySource/default'],
    ]);
    expect(findings[0]!.message.en).toContain('"bare"');
    expect(findings[0]!.message.zh).toContain('defaultNotInDocuments');
  });
});
