import { checkExpr, checkTemplate, type ExprExpect, type ExprIssue, type ExprScope } from '@estateflow/expr';
import { suggestion } from '../did-you-mean.ts';
import { finding, type Finding } from '../finding.ts';

/** One expression (or `{{…}}` template) in a definition, and what it must evaluate to. */
export type ExprSite = {
  path: (string | number)[];
  source: string;
  expect: ExprExpect;
  scope: ExprScope;
  template?: boolean;
};

const PARAM_REF = /\bparams\.([A-Za-z_][A-Za-z0-9_]*)/g;

/** Parses and type-checks every site with @estateflow/expr, and checks `params.X` against the declared names. */
export function checkExpressions(sites: readonly ExprSite[], file: string, params: ReadonlySet<string> | undefined): Finding[] {
  const out: Finding[] = [];
  for (const site of sites) {
    const issues = site.template ? checkTemplate(site.source, { scope: site.scope }) : checkExpr(site.source, { expect: site.expect, scope: site.scope });
    const first = issues[0];
    if (first) out.push(exprFinding(first, site.source, site.path, file));
    if (params) {
      for (const m of site.source.matchAll(PARAM_REF)) {
        const name = m[1]!;
        if (!params.has(name)) {
          const s = suggestion(name, params);
          out.push(finding('undeclared-param', file, site.path, `参数 "${name}" 未声明（工作流 params 或模板包 parameters）${s.zh}`, `Parameter "${name}" is not declared (workflow params or bundle parameters)${s.en}`));
        }
      }
    }
  }
  return out;
}

/**
 * The finding of an expression's first issue, at its path. A `.matches()` pattern the linear-time
 * engine refuses is `unsupported-pattern`, the same rule as a form's `pattern` (`wf patterns` lists both).
 */
export function exprFinding(issue: ExprIssue, source: string, path: readonly (string | number)[], file: string): Finding {
  // @estateflow/expr messages already carry the line and column.
  const rule = issue.reason === 'bad-pattern' ? 'unsupported-pattern' : 'bad-expression';
  return finding(rule, file, path, `表达式“${clip(source)}”有误：${issue.message.zh}`, `Expression "${clip(source)}" is invalid: ${issue.message.en}`);
}

const clip = (s: string): string => (s.length > 80 ? s.slice(0, 77) + '…' : s);
