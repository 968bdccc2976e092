export { checkExpr, compileExpr, evaluateExpr } from './compile.ts';
export type { CompiledExpr, CompileResult, ExprExpect, ExprOptions, ExprVars } from './compile.ts';
export { renderTemplate, checkTemplate } from './template.ts';
export { ExprError } from './errors.ts';
export type { Bilingual, ExprErrorReason, ExprIssue, ExprIssueReason, ExprPosition } from './errors.ts';
export { SCOPE_VARIABLES } from './environment.ts';
export type { ExprScope } from './environment.ts';
export { LIMITS } from './budget.ts';
export { formatYuan, parseFen, daysBetween, calendarDate, DEFAULT_TIME_ZONE } from './helpers.ts';
