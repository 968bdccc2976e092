import { describe, expect, it } from 'vitest';
import { didYouMean, levenshtein } from './did-you-mean.ts';

describe('didYouMean', () => {
  it('suggests the closest name, counting a swap of two letters as one typo', () => {
    expect(levenshtein('dnoe', 'done')).toBe(1);
    expect(didYouMean('notifyAsignee', ['notifyAssignee', 'assign'])).toBe('notifyAssignee');
    expect(didYouMean('zzzz', ['notify', 'assign'])).toBeUndefined();
  });
});
