import { compileExpr, evaluateExpr, type ExprVars } from './compile.ts';
import type { ExprScope } from './environment.ts';
import { positionAt, type Bilingual, type ExprIssue } from './errors.ts';
import { DEFAULT_TIME_ZONE } from './helpers.ts';

const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/g;

const instantFormat = new Intl.DateTimeFormat('sv-SE', {
  timeZone: DEFAULT_TIME_ZONE,
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
});

function show(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return instantFormat.format(value);
  if (typeof value === 'object') return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}

/**
 * Replaces every `{{ expr }}` in a notice text with the expression's value; instants print as
 * "YYYY-MM-DD HH:mm" in Asia/Shanghai, null as "". Throws `ExprError` like `evaluateExpr`.
 * @example renderTemplate('工单 {{context.serial}} 已派单', { context: { serial: 'PS-7' } }) // "工单 PS-7 已派单"
 */
export function renderTemplate(text: string, vars: ExprVars, opts: { scope?: ExprScope } = {}): string {
  return text.replace(PLACEHOLDER, (_m, source: string) => show(evaluateExpr(source.trim(), vars, { scope: opts.scope ?? 'workflow' })));
}

/**
 * Renders both languages of a text (a notice, a task title, a description), evaluating each
 * distinct placeholder once, since zh and en usually share them. The one renderer of `{{ }}`
 * texts: the engine's notices and titles and the descriptions shown with an estate's parameters
 * (scope `description`) all come through here.
 * @example renderText({ zh: '{{params.m}} 分钟内派单', en: 'Dispatch within {{params.m}} minutes' }, { params: { m: 10 } }, { scope: 'description' })
 */
export function renderText(text: Bilingual, vars: ExprVars, opts: { scope?: ExprScope } = {}): Bilingual {
  const sources = new Map<string, number>();
  for (const t of [text.zh, text.en]) for (const m of t.matchAll(PLACEHOLDER)) if (!sources.has(m[1]!.trim())) sources.set(m[1]!.trim(), sources.size);
  if (sources.size === 0) return { zh: text.zh, en: text.en };
  const values = [...sources.keys()].map((source) => show(evaluateExpr(source, vars, { scope: opts.scope ?? 'workflow' })));
  const fill = (t: string): string => t.replace(PLACEHOLDER, (_m, source: string) => values[sources.get(source.trim())!] ?? '');
  return { zh: fill(text.zh), en: fill(text.en) };
}

/** Compile issues of every placeholder, positions relative to the whole text. */
export function checkTemplate(text: string, opts: { scope?: ExprScope } = {}): ExprIssue[] {
  const issues: ExprIssue[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const raw = m[1] ?? '';
    const lead = raw.length - raw.trimStart().length;
    const start = (m.index ?? 0) + 2 + lead;
    const r = compileExpr(raw.trim(), { scope: opts.scope ?? 'workflow' });
    if (r.ok) continue;
    for (const issue of r.issues) {
      issues.push({ ...issue, position: positionAt(text, start + (issue.position?.offset ?? 0)) });
    }
  }
  return issues;
}

