import type { ASTNode } from '@marcbachmann/cel-js';
import { positionAt, where, type ExprIssue } from './errors.ts';
import { DEFAULT_TIME_ZONE } from './helpers.ts';

const DATE_PARTS = new Set(['getFullYear', 'getMonth', 'getDate', 'getDayOfMonth', 'getDayOfWeek', 'getDayOfYear', 'getHours', 'getMinutes']);

function walk(node: ASTNode, visit: (n: ASTNode) => void): void {
  visit(node);
  const each = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(each);
    else if (x && typeof x === 'object' && 'op' in x) walk(x as ASTNode, visit);
  };
  each(node.args);
}

/**
 * CEL reads date parts of a timestamp in UTC unless told otherwise; in an estate that is eight
 * hours off. After type checking, a date part of a known timestamp must name its time zone.
 */
export function timeZoneIssues(source: string, checkedRoot: ASTNode): ExprIssue[] {
  const issues: ExprIssue[] = [];
  walk(checkedRoot, (node) => {
    if (node.op !== 'rcall') return;
    const [name, receiver, args] = node.args;
    if (!DATE_PARTS.has(name) || args.length > 0) return;
    const type = (receiver as { checkedType?: { name?: string } }).checkedType?.name;
    if (type !== 'google.protobuf.Timestamp') return;
    const position = positionAt(source, node.start);
    const at = where(position);
    issues.push({
      reason: 'type',
      message: {
        zh: `${name}() 不带时区会按 UTC 计算，请写 ${name}("${DEFAULT_TIME_ZONE}")${at.zh}`,
        en: `${name}() without a time zone reads UTC; write ${name}("${DEFAULT_TIME_ZONE}")${at.en}`,
      },
      position,
    });
  });
  return issues;
}
