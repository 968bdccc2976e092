import { RE2JS } from 're2js';
import type { Bilingual } from './errors.ts';

/**
 * Every regular expression a definition carries (a form field's `pattern`, CEL `.matches()`) runs on
 * user input through one engine: re2js, a pure-JS port of RE2. RE2 matches in time linear in the
 * input (an automaton, no backtracking), so no pattern can stall a request, and it runs in the
 * browser too, where the designer validates. It has no lookaround and no back-references: those
 * patterns are refused with a reason and a way to rewrite them.
 */
export const PATTERN_LIMITS = {
  /** characters of pattern source */
  maxSourceLength: 500,
  /**
   * instructions of the compiled program: matching costs at most (input length × program size)
   * steps, so this bounds the work per character (`^[a-z]{1,1000}$` is 2,003; use maxLength)
   */
  maxProgramSize: 1_000,
} as const;

/** Why a pattern cannot be used: the construct RE2 lacks, a size limit, or plain bad syntax. */
export type PatternProblemReason = 'lookaround' | 'back-reference' | 'too-long' | 'too-large' | 'invalid';

export type PatternProblem = Bilingual & { reason: PatternProblemReason };

/** A compiled pattern; `test` searches like `RegExp.prototype.test` (unanchored unless `^`/`$`). */
export type CompiledPattern = { readonly source: string; test(input: string): boolean };

export type PatternResult = { ok: true; pattern: CompiledPattern } | { ok: false; problem: PatternProblem };

// not behind an escaped backslash: `\\1` is a backslash and a 1, `\(?=` an optional ( and a =
const LOOKAROUND = /(?<!\\)(?:\\\\)*\(\?<?[=!]/;
const BACK_REFERENCE = /(?<!\\)(?:\\\\)*\\(?:[1-9]|k<)/;

/** The construct RE2 lacks, found on the source before the engine's own (terser) message. */
function unsupportedConstruct(source: string): PatternProblem | undefined {
  if (LOOKAROUND.test(source)) {
    return {
      reason: 'lookaround',
      zh: '正则表达式不能使用前后断言（(?=…)、(?!…)、(?<=…)、(?<!…)）：请改写为不用断言的模式，或把条件拆成几个字段 / 用 CEL 规则分别判断',
      en: 'Patterns may not use lookaround ((?=…), (?!…), (?<=…), (?<!…)): rewrite the pattern without it, or split the condition into several fields or CEL rules',
    };
  }
  if (BACK_REFERENCE.test(source)) {
    return {
      reason: 'back-reference',
      zh: '正则表达式不能使用反向引用（\\1、\\k<名称>）：要求两处文字相同时，请用 CEL 规则比较两个字段',
      en: 'Patterns may not use back-references (\\1, \\k<name>): to require two equal parts, compare two fields with a CEL rule',
    };
  }
  return undefined;
}

function compileUncached(source: string): PatternResult {
  if (source.length > PATTERN_LIMITS.maxSourceLength) {
    return { ok: false, problem: { reason: 'too-long', zh: `正则表达式过长（上限 ${PATTERN_LIMITS.maxSourceLength} 个字符）`, en: `Pattern too long (limit ${PATTERN_LIMITS.maxSourceLength} characters)` } };
  }
  const unsupported = unsupportedConstruct(source);
  if (unsupported) return { ok: false, problem: unsupported };
  let re: RE2JS;
  try {
    // JSON Schema and CEL authors write ECMAScript syntax: translate `\u4e00`, `(?<name>…)`, `\/`
    re = RE2JS.compile(RE2JS.translateRegExp(source));
  } catch (cause) {
    const detail = (cause instanceof Error ? cause.message : String(cause)).replace(/^error parsing regexp: /, '');
    if (/invalid repeat count/.test(detail)) {
      return { ok: false, problem: { reason: 'too-large', zh: `正则表达式的重复次数过大（上限 1000）：${detail}；长度限制请用 maxLength`, en: `Pattern repeat count too large (limit 1000): ${detail}; bound the length with maxLength` } };
    }
    return { ok: false, problem: { reason: 'invalid', zh: `正则表达式无效：${detail}`, en: `Invalid pattern: ${detail}` } };
  }
  const size = re.programSize();
  if (size > PATTERN_LIMITS.maxProgramSize) {
    return {
      ok: false,
      problem: {
        reason: 'too-large',
        zh: `正则表达式过于复杂（编译后 ${size} 条指令，上限 ${PATTERN_LIMITS.maxProgramSize}）：请减少大的重复次数，长度限制请用 maxLength`,
        en: `Pattern too complex (${size} instructions compiled, limit ${PATTERN_LIMITS.maxProgramSize}): reduce large repeat counts; bound the length with maxLength`,
      },
    };
  }
  return { ok: true, pattern: Object.freeze({ source, test: (input: string) => re.test(input) }) };
}

const CACHE_LIMIT = 2_000;
const cache = new Map<string, PatternResult>();

/**
 * Compiles a user-supplied pattern for the linear-time engine, once per source (bounded cache).
 * @example const r = compilePattern('^1[3-9][0-9]{9}$'); if (r.ok) r.pattern.test('13812345678'); // true
 */
export function compilePattern(source: string): PatternResult {
  let hit = cache.get(source);
  if (!hit) {
    hit = compileUncached(source);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(source, hit);
  }
  return hit;
}

/** Why `source` cannot be used as a pattern, or undefined when the engine compiles it. */
export function patternProblem(source: string): PatternProblem | undefined {
  const r = compilePattern(source);
  return r.ok ? undefined : r.problem;
}

/** Thrown where a pattern must compile and does not (ajv schema compilation). */
export class PatternError extends Error {
  readonly reason = 'bad-pattern' as const;
  constructor(readonly pattern: string, readonly problem: PatternProblem) {
    super(`${problem.en}: ${pattern}`);
    this.name = 'PatternError';
  }
}

/**
 * The ajv `code.regExp` engine: every JSON Schema `pattern` compiled by an ajv built with it runs on
 * re2js. Throws `PatternError` at schema compile time for a pattern the engine refuses.
 * @example new Ajv2020({ code: { regExp: patternRegExp } })
 */
export const patternRegExp = Object.assign(
  (source: string, _flags: string): { test: (input: string) => boolean; toString: () => string } => {
    const r = compilePattern(source);
    if (!r.ok) throw new PatternError(source, r.problem);
    // ajv keys the compiled patterns of a schema by toString(), so it must differ per source
    return { test: r.pattern.test, toString: () => `/${source}/` };
  },
  { code: 'patternRegExp' },
);
