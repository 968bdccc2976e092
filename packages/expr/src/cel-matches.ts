import type { ASTNode } from '@marcbachmann/cel-js';
import { ExprError } from './errors.ts';
import { compilePattern } from './pattern.ts';

type CallNode = ASTNode & { handle?: unknown };

/**
 * Sends every `text.matches("…")` of a type-checked expression to the linear-time engine
 * (`compilePattern`) instead of cel-js's built-in, which runs JavaScript's backtracking RegExp.
 * cel-js lets no function be overridden, but its checker leaves each call's handler on the node
 * (`handle`), which evaluation calls: we replace that one. The pattern is a literal (budget.ts
 * refuses anything else), so it is compiled here once. Fails loudly if cel-js stops working so.
 */
export function useLinearMatches(root: ASTNode): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object' || !('op' in node)) return;
    const n = node as CallNode;
    if (n.op === 'rcall') {
      const [name, receiver, args] = n.args as [string, ASTNode, ASTNode[]];
      const literal = args[0];
      if (name === 'matches' && args.length === 1 && literal?.op === 'value' && typeof literal.args === 'string') {
        const compiled = compilePattern(literal.args);
        if (!compiled.ok) throw new ExprError('type', compiled.problem);
        if (typeof n.handle !== 'function') {
          throw new Error('@estateflow/expr: cel-js internals changed (a checked call has no handle); .matches() cannot be sent to the linear-time engine. Pin @marcbachmann/cel-js to 8.x or update cel-matches.ts.');
        }
        const pattern = compiled.pattern;
        n.handle = (values: unknown[]) => {
          const text = values[0];
          if (typeof text !== 'string') {
            throw new ExprError('runtime', { zh: 'matches() 只能用于字符串', en: 'matches() applies to strings only' });
          }
          return pattern.test(text);
        };
      }
      visit(receiver);
      visit(args);
      return;
    }
    visit(n.args);
  };
  visit(root);
}
