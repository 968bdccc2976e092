/**
 * Regular expressions in definitions (`pattern`) run on user input, so they must not backtrack
 * catastrophically. Node has no linear-time engine built in and `re2` is a native addon, so we
 * reject, before compiling, the shapes that cause exponential backtracking: a repeated group that
 * itself contains a repetition (`(a+)+`, `(a*b?)*`), a repeated group with alternation (`(a|a)*`),
 * and back-references. What is left runs in polynomial time, and every patterned string also
 * carries a `maxLength` (linted, at most MAX_PATTERNED_LENGTH), which keeps even that bounded.
 */
export const MAX_PATTERN_LENGTH = 500;
export const MAX_PATTERNED_LENGTH = 1_000;

export type PatternProblem = { zh: string; en: string };

type Group = { hasRepeat: boolean; hasAlternation: boolean };

/** Why `pattern` is unsafe or invalid, or undefined when it may be compiled. */
export function patternProblem(pattern: string): PatternProblem | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { zh: `正则表达式过长（上限 ${MAX_PATTERN_LENGTH} 个字符）`, en: `Pattern too long (limit ${MAX_PATTERN_LENGTH} characters)` };
  }
  if (/\\[1-9]|\\k</.test(pattern)) {
    return { zh: '正则表达式不能使用反向引用', en: 'Patterns may not use back-references' };
  }
  const stack: Group[] = [{ hasRepeat: false, hasAlternation: false }];
  let last: 'atom' | 'group' | 'none' = 'none';
  let closed: Group | undefined;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      i++;
      last = 'atom';
      continue;
    }
    if (ch === '[') {
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
      last = 'atom';
      continue;
    }
    if (ch === '(') {
      stack.push({ hasRepeat: false, hasAlternation: false });
      if (pattern[i + 1] === '?') i++;
      last = 'none';
      continue;
    }
    if (ch === ')') {
      closed = stack.pop();
      if (!closed || stack.length === 0) return { zh: '正则表达式括号不配对', en: 'Unbalanced parentheses in pattern' };
      const parent = stack[stack.length - 1]!;
      parent.hasRepeat ||= closed.hasRepeat;
      last = 'group';
      continue;
    }
    if (ch === '|') {
      stack[stack.length - 1]!.hasAlternation = true;
      last = 'none';
      continue;
    }
    const repeat = ch === '*' || ch === '+' || (ch === '{' && /^\{\d+,(\d*)\}/.test(pattern.slice(i)) && !/^\{(\d+),\1\}/.test(pattern.slice(i)) && !/^\{[01],1\}/.test(pattern.slice(i)));
    if (repeat || ch === '?' || ch === '{') {
      if (ch === '{') i = pattern.indexOf('}', i) < 0 ? i : pattern.indexOf('}', i);
      if (repeat && last === 'group' && closed && (closed.hasRepeat || closed.hasAlternation)) {
        return {
          zh: '正则表达式含嵌套重复（如 (a+)+ 或 (a|b)*），可能导致灾难性回溯',
          en: 'Pattern repeats a group that itself repeats or alternates (like (a+)+ or (a|b)*), which can backtrack catastrophically',
        };
      }
      if (repeat) stack[stack.length - 1]!.hasRepeat = true;
      if (pattern[i + 1] === '?') i++;
      last = 'none';
      continue;
    }
    last = 'atom';
  }
  if (stack.length !== 1) return { zh: '正则表达式括号不配对', en: 'Unbalanced parentheses in pattern' };
  try {
    new RegExp(pattern, 'u');
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return { zh: `正则表达式无效：${detail}`, en: `Invalid pattern: ${detail}` };
  }
  return undefined;
}

/** Thrown by `safeRegExp` at schema compile time for a rejected pattern. */
export class UnsafePatternError extends Error {
  readonly reason = 'unsafe-pattern' as const;
  constructor(readonly pattern: string, readonly problem: PatternProblem) {
    super(`${problem.en}: ${pattern}`);
  }
}

/**
 * ajv `code.regExp` engine: compiles only patterns `patternProblem` accepts, with the `u` flag, and
 * refuses to test strings longer than MAX_PATTERNED_LENGTH * 100 (defence in depth).
 */
export const safeRegExp = Object.assign(
  (pattern: string, flags: string): { test: (s: string) => boolean; toString: () => string } => {
    const problem = patternProblem(pattern);
    if (problem) throw new UnsafePatternError(pattern, problem);
    const re = new RegExp(pattern, flags.includes('u') ? flags : flags + 'u');
    // ajv keys compiled patterns by toString(), so it must be the regex's own.
    return { test: (s: string) => s.length <= MAX_PATTERNED_LENGTH * 100 && re.test(s), toString: () => re.toString() };
  },
  { code: 'safeRegExp' },
);
