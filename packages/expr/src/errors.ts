/** A message in both languages the platform speaks. */
export type Bilingual = { zh: string; en: string };

export type ExprPosition = { offset: number; line: number; column: number };

/** Why a source expression was rejected before evaluation. */
export type ExprIssueReason = 'parse' | 'type' | 'too-long' | 'too-complex' | 'bad-pattern' | 'unknown-variable';

export type ExprIssue = {
  reason: ExprIssueReason;
  message: Bilingual;
  position?: ExprPosition;
};

export type ExprErrorReason = 'parse' | 'type' | 'runtime' | 'budget';

/** Thrown by `evaluateExpr`; `zh` / `en` are ready to show to a user. */
export class ExprError extends Error {
  readonly reason: ExprErrorReason;
  readonly zh: string;
  readonly en: string;
  readonly position: ExprPosition | undefined;
  readonly issues: readonly ExprIssue[];

  constructor(
    reason: ExprErrorReason,
    message: Bilingual,
    opts: { cause?: unknown; position?: ExprPosition; issues?: readonly ExprIssue[] } = {},
  ) {
    super(message.en, { cause: opts.cause });
    this.name = 'ExprError';
    this.reason = reason;
    this.zh = message.zh;
    this.en = message.en;
    this.position = opts.position;
    this.issues = opts.issues ?? [];
  }

  /** Turns the issues of a failed compile into one error. */
  static fromIssues(issues: readonly ExprIssue[]): ExprError {
    const first = issues[0] ?? { reason: 'parse', message: { zh: '表达式无效', en: 'Invalid expression' } };
    return new ExprError(issueToErrorReason(first.reason), first.message, {
      ...(first.position ? { position: first.position } : {}),
      issues,
    });
  }
}

function issueToErrorReason(reason: ExprIssueReason): ExprErrorReason {
  switch (reason) {
    case 'parse':
      return 'parse';
    case 'type':
    case 'unknown-variable':
    case 'bad-pattern':
      return 'type';
    case 'too-long':
    case 'too-complex':
      return 'budget';
    default:
      return assertNever(reason);
  }
}

export function assertNever(x: never): never {
  throw new Error(`Unexpected value: ${String(x)}`);
}

/** Offset → 1-based line and column. */
export function positionAt(source: string, offset: number): ExprPosition {
  const clamped = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < clamped; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset: clamped, line, column: clamped - lineStart + 1 };
}

export function where(pos: ExprPosition | undefined): Bilingual {
  if (!pos) return { zh: '', en: '' };
  return { zh: `（第 ${pos.line} 行第 ${pos.column} 列）`, en: ` (line ${pos.line}, column ${pos.column})` };
}
