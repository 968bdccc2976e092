import type { WorkflowDefinition } from '../adapters/definitions.ts';
import { DefinitionError } from '../errors.ts';

const TEMPLATE = /\{\{\s*([^}]+?)\s*\}\}/g;
const EXPR_KEYS = new Set(['expr', 'when', 'user', 'amount', 'severity']);
const EXPR_MAPS = new Set(['values', 'input', 'data']);

/**
 * Compiles every CEL expression and `{{ }}` template in a workflow once, so a typo fails at
 * upload with its JSON pointer rather than at run time.
 */
export function checkExpressions(def: WorkflowDefinition, compileOne: (src: string) => unknown): void {
  const check = (src: string, path: string) => {
    try {
      compileOne(src);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new DefinitionError(path, { zh: `表达式无法解析：${msg}`, en: `Expression does not parse: ${msg}` });
    }
  };
  const walk = (v: unknown, path: string, key: string, parentKey: string) => {
    if (typeof v === 'string') {
      if (EXPR_KEYS.has(key) && !(key === 'amount' && /^\d+$/.test(v))) check(v, path);
      else if (EXPR_MAPS.has(parentKey) && path.includes('/params/')) check(v, path);
      else if ((key === 'zh' || key === 'en') && v.includes('{{')) for (const m of v.matchAll(TEMPLATE)) check(m[1]!, path);
      return;
    }
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}/${i}`, key, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}/${k}`, k, key);
  };
  for (const [name, src] of Object.entries(def.guards ?? {})) check(src, `/guards/${name}`);
  walk(def.delays ?? {}, '/delays', '', '');
  walk(def.machine, '/machine', '', '');
}
