import { EvaluationError, ParseError, TypeError as CelTypeError } from '@marcbachmann/cel-js';
import { didYouMean } from './did-you-mean.ts';
import { KNOWN_FUNCTIONS, SCOPE_VARIABLES, type ExprScope } from './environment.ts';
import { type Bilingual, type ExprIssue, type ExprPosition, positionAt, where } from './errors.ts';

type CelError = ParseError | EvaluationError | CelTypeError;

export function isCelError(e: unknown): e is CelError {
  return e instanceof ParseError || e instanceof EvaluationError || e instanceof CelTypeError;
}

/** English summary without the library's source excerpt. */
function summaryOf(e: CelError): string {
  return (e.summary || e.message.split('\n')[0] || e.message).trim();
}

/** zh/en message for a library error code; English falls back to the library's own words. */
export function describeCelError(e: CelError, source: string, scope: ExprScope = 'workflow'): { message: Bilingual; position?: ExprPosition } {
  const position = e.range ? positionAt(source, e.range.start) : undefined;
  const at = where(position);
  const { zh, en } = explain(e.code, summaryOf(e), scope);
  return {
    message: { zh: `${zh}${at.zh}`, en: `${en}${at.en}` },
    ...(position ? { position } : {}),
  };
}

function quoted(en: string): string {
  const m = /:\s*(.+)$/.exec(en);
  return m?.[1]?.trim() ?? '';
}

/** Friendlier words for the cases authors meet most; the library's English otherwise. */
function suggestion(word: string, candidates: Iterable<string>): Bilingual {
  const s = didYouMean(word, candidates);
  return s ? { zh: `，是否想写 ${s}？`, en: `. Did you mean "${s}"?` } : { zh: '', en: '' };
}

function explain(code: string, summary: string, scope: ExprScope): Bilingual {
  if (code === 'unknown_variable') {
    const name = quoted(summary);
    const known = SCOPE_VARIABLES[scope].map((v) => v.name);
    const hint = suggestion(name, known);
    return {
      zh: `未知变量：${name}${hint.zh || `（可用：${known.join('、')}）`}`,
      en: `Unknown variable "${name}"${hint.en || ` (available: ${known.join(', ')})`}`,
    };
  }
  if (code === 'unexpected_token' && /EOF$/.test(summary)) {
    return { zh: '表达式不完整（意外结束）', en: 'The expression is incomplete (unexpected end)' };
  }
  const expected = /^Expected (\w+), got (\w+)$/.exec(summary);
  if (expected) return { zh: `缺少 ${expected[1] ?? ''}（遇到 ${expected[2] ?? ''}）`, en: summary };
  const overload = /no matching overload for '(?:(.+)\.)?([A-Za-z_][\w]*)\((.*)\)'/.exec(summary);
  if (overload) {
    const [, receiver, name = '', args = ''] = overload;
    if (!KNOWN_FUNCTIONS.has(name)) {
      const hint = suggestion(name, KNOWN_FUNCTIONS);
      return { zh: `未知函数：${name}${hint.zh}`, en: `Unknown function "${name}"${hint.en}` };
    }
    const call = `${receiver ? `${receiver}.` : ''}${name}(${args})`;
    return { zh: `函数 ${name} 不接受这些参数类型：${call}`, en: `Function ${name} does not accept these argument types: ${call}` };
  }
  return { zh: zhFor(code, summary), en: summary };
}

function zhFor(code: string, en: string): string {
  switch (code) {
    case 'unexpected_token':
    case 'unexpected_character':
      return `表达式语法错误：${en}`;
    case 'unterminated_string':
    case 'unterminated_triple_quoted_string':
    case 'newline_in_string':
      return '字符串没有结束引号';
    case 'invalid_number':
    case 'invalid_exponent':
      return '数字格式错误';
    case 'reserved_identifier':
      return `保留字不能作为名称：${quoted(en)}`;
    case 'limit_exceeded':
      return `表达式过于复杂：${en}`;
    case 'unknown_variable':
      return `未知变量：${quoted(en)}`;
    case 'no_such_key':
      return `字段不存在：${quoted(en)}（可先用 has() 判断）`;
    case 'no_such_overload':
    case 'no_matching_overload':
      return `类型不匹配，没有适用的运算或函数：${en}`;
    case 'division_by_zero':
      return '除数为零';
    case 'modulo_by_zero':
      return '取模的除数为零';
    case 'numeric_overflow':
      return '数值溢出';
    case 'index_out_of_range':
      return '下标越界';
    case 'invalid_duration':
      return `时长格式错误（例如 "15m"、"2h"）：${en}`;
    case 'invalid_timestamp':
      return `时间格式错误：${en}`;
    case 'invalid_regular_expression':
      return '正则表达式无效';
    case 'variable_type_mismatch':
      return `变量类型不符：${en}`;
    default:
      return `表达式错误：${en}`;
  }
}

export function issueFromCelError(e: CelError, source: string, scope: ExprScope = 'workflow'): ExprIssue {
  const { message, position } = describeCelError(e, source, scope);
  const reason: ExprIssue['reason'] =
    e.code === 'limit_exceeded'
      ? 'too-complex'
      : e.code === 'unknown_variable'
        ? 'unknown-variable'
        : e instanceof ParseError
          ? 'parse'
          : 'type';
  return { reason, message, ...(position ? { position } : {}) };
}
