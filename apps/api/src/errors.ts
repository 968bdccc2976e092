import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { BillingInputError, formatYuan } from '@estateflow/billing';

export type Text = { zh: string; en: string };

/** Every reason the API answers an error with; the HTTP status follows from the reason. */
export type Reason =
  | 'unauthenticated'
  | 'bad-credentials'
  | 'forbidden'
  | 'not-found'
  | 'invalid-request'
  | 'invalid-definition'
  | 'form-invalid'
  | 'event-refused'
  | 'version-conflict'
  | 'idempotency-mismatch'
  | 'conflict'
  | 'too-large'
  | 'unsupported-type'
  | 'too-many-attempts'
  | 'cross-origin'
  | 'password-change-required'
  | 'amount-out-of-range'
  | 'internal';

const statusOf: Record<Reason, ContentfulStatusCode> = {
  unauthenticated: 401,
  'bad-credentials': 401,
  forbidden: 403,
  'not-found': 404,
  'invalid-request': 400,
  'invalid-definition': 422,
  'form-invalid': 422,
  'event-refused': 422,
  'version-conflict': 409,
  'idempotency-mismatch': 422,
  conflict: 409,
  'too-large': 413,
  'unsupported-type': 415,
  'too-many-attempts': 429,
  'cross-origin': 403,
  'password-change-required': 403,
  'amount-out-of-range': 422,
  internal: 500,
};

export interface ApiErrorBody {
  error: { reason: Reason; message: Text; field?: string; path?: string; issues?: unknown[] };
}

/** An error a user can hit: tagged by `reason`, with a zh/en message naming the field or path. */
export class ApiError extends Error {
  readonly reason: Reason;
  readonly text: Text;
  readonly field: string | undefined;
  readonly path: string | undefined;
  readonly issues: unknown[] | undefined;
  constructor(reason: Reason, text: Text, extra: { field?: string; path?: string; issues?: unknown[]; cause?: unknown } = {}) {
    super(text.en, { cause: extra.cause });
    this.reason = reason;
    this.text = text;
    this.field = extra.field;
    this.path = extra.path;
    this.issues = extra.issues;
  }
  get status(): ContentfulStatusCode {
    return statusOf[this.reason];
  }
  toBody(): ApiErrorBody {
    const error: ApiErrorBody['error'] = { reason: this.reason, message: this.text };
    if (this.field !== undefined) error.field = this.field;
    if (this.path !== undefined) error.path = this.path;
    if (this.issues !== undefined) error.issues = this.issues;
    return { error };
  }
}

export const notFound = (what: string, id?: string): ApiError =>
  new ApiError('not-found', {
    zh: `未找到${whatZh[what] ?? what}${id ? `（${id}）` : ''}`,
    en: `${what[0]?.toUpperCase()}${what.slice(1)}${id ? ` ${id}` : ''} was not found`,
  });

const whatZh: Record<string, string> = {
  estate: '项目',
  instance: '工单',
  task: '任务',
  definition: '定义',
  version: '版本',
  bundle: '模板包',
  form: '表单',
  calendar: '日历',
  route: '接口',
  unit: '房屋',
  attachment: '附件',
  process: '流程',
  bill: '账单',
  building: '楼栋',
  waiver: '减免申请',
  deposit: '押金',
  user: '人员',
  'billing run': '出账任务',
};

export const forbidden = (role: string | undefined): ApiError =>
  new ApiError('forbidden', {
    zh: `当前角色（${role ?? '无'}）无权执行此操作`,
    en: `Your role (${role ?? 'none'}) may not do this`,
  });

export const invalid = (field: string, en: string, zh: string): ApiError =>
  new ApiError('invalid-request', { zh: `字段“${field}”${zh}`, en: `Field "${field}" ${en}` }, { field });

/** The largest figure a JSON number states exactly, in yuan as the messages name it. */
const SAFE_YUAN = formatYuan(Number.MAX_SAFE_INTEGER);

/**
 * The one answer for a money figure (a total, or an amount computed from others) beyond
 * ±Number.MAX_SAFE_INTEGER fen, which a JSON number cannot state to the fen: 422
 * `amount-out-of-range` naming the figure (a field name, or a JSON pointer as `path`), never a
 * rounded number. Inputs are capped at MAX_AMOUNT_FEN, so only very many of them get there.
 */
export function amountOutOfRange(figure: string): ApiError {
  const named = figure === '' ? { zh: '合计金额', en: 'A total' } : { zh: `金额“${figure}”`, en: `The amount "${figure}"` };
  return new ApiError(
    'amount-out-of-range',
    {
      zh: `${named.zh}超过 ${SAFE_YUAN} 元，无法精确到分地表示，不予四舍五入；请缩小范围（如按楼栋或按月）再查`,
      en: `${named.en} exceeds ${SAFE_YUAN} yuan and cannot be stated exactly to the fen; it is refused, not rounded. Narrow the query (e.g. by building or month)`,
    },
    figure === '' ? {} : figure.startsWith('/') ? { path: figure } : { field: figure },
  );
}

/** The billing package's refusal of a figure beyond the safe range (`toFen`) as the API's answer, else undefined. */
export function amountRefusal(err: unknown): ApiError | undefined {
  return err instanceof BillingInputError && err.error.reason === 'amount-out-of-range' ? amountOutOfRange(err.error.path) : undefined;
}

/** Maps any thrown error to the JSON error body, once, for the whole app. */
export function onError(err: Error, c: Context): Response {
  if (err instanceof ApiError) return c.json(err.toBody(), err.status);
  const refused = amountRefusal(err);
  if (refused) return c.json(refused.toBody(), refused.status);
  if (err instanceof SyntaxError) {
    return c.json(new ApiError('invalid-request', { zh: '请求体不是有效的 JSON', en: 'The request body is not valid JSON' }).toBody(), 400);
  }
  console.error(err);
  return c.json(new ApiError('internal', { zh: '服务器内部错误', en: 'Internal server error' }).toBody(), 500);
}
