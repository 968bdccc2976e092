import { Environment, type ASTNode } from '@marcbachmann/cel-js';
import { ExprError, type ExprIssue, positionAt, where } from './errors.ts';
import { patternProblem } from './pattern.ts';

/** Hard limits every expression lives within; exported so docs and tests quote the same numbers. */
export const LIMITS = {
  /** characters of source */
  maxSourceLength: 2_000,
  /** parser limits (nodes, nesting, literal sizes) */
  parser: { maxAstNodes: 400, maxDepth: 32, maxListElements: 100, maxMapEntries: 100, maxCallArguments: 8 },
  /** macros (all/exists/exists_one/map/filter) nested inside one another */
  maxComprehensionNesting: 2,
  /** cel.bind() calls in one expression (each can double a value) */
  maxBinds: 4,
  /** loop iterations in one evaluation, across all macros */
  maxIterations: 10_000,
  /** values (scalars + containers) in the variables handed to one evaluation */
  maxInputValues: 50_000,
  /** nesting of the variables handed to one evaluation */
  maxInputDepth: 32,
} as const;

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

function children(node: ASTNode): ASTNode[] {
  switch (node.op) {
    case 'value':
    case 'id':
      return [];
    case '.':
    case '.?':
      return [node.args[0]];
    case 'call':
      return node.args[1];
    case 'rcall':
      return [node.args[1], ...node.args[2]];
    case 'list':
      return node.args;
    case 'map':
      return node.args.flat();
    case '!_':
    case '-_':
      return [node.args];
    default:
      return [...(node.args as ASTNode[])];
  }
}

function tooComplex(source: string, node: ASTNode, zh: string, en: string): ExprIssue {
  const position = positionAt(source, node.start);
  const at = where(position);
  return { reason: 'too-complex', message: { zh: `${zh}${at.zh}`, en: `${en}${at.en}` }, position };
}

/**
 * Static checks the parser's own limits do not cover: nested loops, value doubling through
 * cel.bind, and `.matches()` patterns the linear-time engine cannot compile (pattern.ts).
 */
export function staticBudgetIssues(source: string, root: ASTNode): ExprIssue[] {
  const issues: ExprIssue[] = [];
  let binds = 0;
  const visit = (node: ASTNode, loopDepth: number): void => {
    if (node.op === 'rcall') {
      const [name, receiver, args] = node.args;
      if (name === 'bind' && receiver.op === 'id' && receiver.args === 'cel' && ++binds > LIMITS.maxBinds) {
        issues.push(tooComplex(source, node, `cel.bind 最多使用 ${LIMITS.maxBinds} 次`, `At most ${LIMITS.maxBinds} cel.bind calls are allowed`));
      }
      if (name === 'matches') {
        const problem = matchesProblem(args[0]);
        if (problem) issues.push(badPattern(source, node, problem));
      }
      if (MACROS.has(name) && args.length >= 2) {
        if (loopDepth + 1 > LIMITS.maxComprehensionNesting) {
          issues.push(tooComplex(source, node, `循环宏（all/exists/map/filter）最多嵌套 ${LIMITS.maxComprehensionNesting} 层`, `Macros (all/exists/map/filter) nest at most ${LIMITS.maxComprehensionNesting} deep`));
          return;
        }
        visit(receiver, loopDepth);
        for (const a of args) visit(a, loopDepth + 1);
        return;
      }
    }
    if (node.op === 'call' && node.args[0] === 'matches') {
      issues.push(tooComplex(source, node, '请使用 text.matches("模式") 的写法', 'Write text.matches("pattern")'));
    }
    for (const c of children(node)) visit(c, loopDepth);
  };
  visit(root, 0);
  return issues;
}

function matchesProblem(arg: ASTNode | undefined): { zh: string; en: string } | undefined {
  if (!arg || arg.op !== 'value' || typeof arg.args !== 'string') {
    return { zh: 'matches() 的模式必须是字符串常量', en: 'The pattern of matches() must be a string literal' };
  }
  return patternProblem(arg.args);
}

function badPattern(source: string, node: ASTNode, problem: { zh: string; en: string }): ExprIssue {
  const position = positionAt(source, node.start);
  const at = where(position);
  return { reason: 'bad-pattern', message: { zh: `${problem.zh}${at.zh}`, en: `${problem.en}${at.en}` }, position };
}

// The library runs macros synchronously through one method on its loop-variable context. We
// count calls to it while an evaluation of ours is in flight, so a loop over a huge list throws
// instead of hanging. The class is internal to cel-js, so we reach it once through a probe macro.
let remainingIterations = Number.POSITIVE_INFINITY;

function installIterationCounter(): void {
  let proto: { setIterValue?: (...a: unknown[]) => unknown } | undefined;
  const probe = {
    typeCheck(checker: { getType(name: string): unknown }, _macro: unknown, ctx: { forkWithVariable(n: string, t: unknown): object }) {
      proto = Object.getPrototypeOf(ctx.forkWithVariable('x', checker.getType('dyn'))) as typeof proto;
      return checker.getType('bool');
    },
    evaluate: () => true,
  };
  new Environment().registerFunction('probeLoopContext(ast): bool', (() => probe) as never).check('probeLoopContext(1)');
  const original = proto?.setIterValue;
  if (!proto || typeof original !== 'function') {
    throw new Error('@estateflow/expr: cel-js internals changed (no setIterValue); the iteration budget cannot be enforced. Pin @marcbachmann/cel-js to 8.x or update budget.ts.');
  }
  proto.setIterValue = function countedSetIterValue(this: unknown, ...args: unknown[]) {
    if (--remainingIterations < 0) {
      throw new ExprError('budget', {
        zh: `表达式循环次数超过上限 ${LIMITS.maxIterations}`,
        en: `Expression exceeded ${LIMITS.maxIterations} loop iterations`,
      });
    }
    return original.apply(this, args);
  };
}
installIterationCounter();

/** Runs `fn` with the iteration budget armed; not re-entrant by design (evaluation is synchronous). */
export function withIterationBudget<T>(fn: () => T, budget: number = LIMITS.maxIterations): T {
  const saved = remainingIterations;
  remainingIterations = budget;
  try {
    return fn();
  } finally {
    remainingIterations = saved;
  }
}
