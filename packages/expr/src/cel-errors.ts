import { EvaluationError, ParseError, TypeError as CelTypeError } from '@marcbachmann/cel-js';
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
export function describeCelError(e: CelError, source: string): { message: Bilingual; position?: ExprPosition } {
  const position = e.range ? positionAt(source, e.range.start) : undefined;
  const at = where(position);
  const en = summaryOf(e);
  const zh = zhFor(e.code, en);
  return {
    message: { zh: `${zh}${at.zh}`, en: `${en}${at.en}` },
    ...(position ? { position } : {}),
  };
}

function quoted(en: string): string {
  const m = /:\s*(.+)$/.exec(en);
  return m?.[1]?.trim() ?? '';
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

export function issueFromCelError(e: CelError, source: string): ExprIssue {
  const { message, position } = describeCelError(e, source);
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
