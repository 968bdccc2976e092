import { checkExpr, checkTemplate, type ExprExpect, type ExprScope } from '@estateflow/expr';
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
    if (first) {
      // @estateflow/expr messages already carry the line and column.
      out.push(finding('bad-expression', file, site.path, `表达式 "${clip(site.source)}" 有误：${first.message.zh}`, `Expression "${clip(site.source)}" is invalid: ${first.message.en}`));
    }
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

const clip = (s: string): string => (s.length > 80 ? s.slice(0, 77) + '…' : s);
