import { renderText } from '@estateflow/expr';
import type { PartialText, Text } from './generated/index.ts';

type Path = (string | number)[];

/**
 * How a text of a definition is filled in before people read it:
 * - `description`: it describes the definition (titles, labels, descriptions, help) and is shown
 *   before any instance exists, so its `{{ }}` may read only `params`;
 * - `instance`: an instance's notice, task title, incident summary or charge line, rendered by the
 *   engine with the instance's variables;
 * - `form`: a form's error message, rendered with the form's data;
 * - `script`: a scenario's titles, read by consultants running `wf test`, never rendered.
 */
export type TextUse = 'description' | 'instance' | 'form' | 'script';

/** One bilingual text of a definition, where it sits and how it is used. */
export type TextSite = { path: Path; text: Text; use: TextUse };

/** Keys under which a text belongs to an instance: actions, tasks, escalation ladders, notices. */
const INSTANCE_KEYS = new Set(['entry', 'exit', 'actions', 'tasks', 'ladders', 'ladder', 'message', 'summary', 'warnings', 'onBreach']);

const isText = (v: unknown): v is Text => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 2 && typeof (v as Text).zh === 'string' && typeof (v as Text).en === 'string';
};

/**
 * Every bilingual text (`{ zh, en }`) of a definition document, with its JSON path and use.
 * Walks iteratively, so a hostile document cannot exhaust the stack.
 * @example textSites(workflow).filter((s) => s.use === 'description')
 */
export function textSites(doc: unknown): TextSite[] {
  const kind = (doc as { kind?: unknown } | null)?.kind;
  const out: TextSite[] = [];
  const stack: { value: unknown; path: Path }[] = [{ value: doc, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (isText(value)) {
      const use: TextUse = kind === 'scenario' ? 'script' : path.includes('errors') && kind === 'form' ? 'form' : path.some((p) => typeof p === 'string' && INSTANCE_KEYS.has(p)) ? 'instance' : 'description';
      out.push({ path, text: value, use });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
    } else if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], path: [...path, entries[i]![0]] });
    }
  }
  return out;
}

/**
 * One descriptive text in the estate's words: `{{params.x}}` filled through expr's one renderer
 * (scope `description`). A text without placeholders comes back as it is; one whose placeholder
 * fails (a parameter the caller did not pass) too, rather than failing the page that shows it.
 * @example renderDescription({ zh: '{{params.m}} 分钟内', en: 'within {{params.m}} minutes' }, { m: 10 }).zh // '10 分钟内'
 */
export function renderDescription(text: Text, params: Record<string, unknown>): Text {
  if (!text.zh.includes('{{') && !text.en.includes('{{')) return text;
  try {
    return renderText(text, { params }, { scope: 'description' });
  } catch {
    return text;
  }
}

/**
 * A copy of a definition with every descriptive text (`use: 'description'`) rendered with the
 * estate's parameter values, through expr's one renderer: "登记后 {{params.dispatchMinutes}} 分钟内"
 * reads "登记后 10 分钟内" in an estate that set 10. Notices and task titles are left for the
 * engine. A placeholder that fails (a parameter the caller did not pass) leaves its text as written.
 * Pure; the document is not changed.
 * @example renderDescriptions(workflow, { dispatchMinutes: 10 }).description
 */
export function renderDescriptions<T>(doc: T, params: Record<string, unknown>): T {
  const sites = textSites(doc).filter((s) => s.use === 'description' && (s.text.zh.includes('{{') || s.text.en.includes('{{')));
  if (sites.length === 0) return doc;
  const copy = structuredClone(doc) as unknown as Record<string | number, unknown>;
  for (const site of sites) {
    const rendered = renderDescription(site.text, params);
    let parent = copy;
    for (const key of site.path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    parent[site.path.at(-1)!] = rendered;
  }
  return copy as unknown as T;
}

/**
 * An optional text (help, placeholder) in both languages: a language left out reads the other's
 * words. Undefined stays undefined. The one fallback rule for `PartialText`.
 * @example fullText({ zh: '如 京A12345' }) // { zh: '如 京A12345', en: '如 京A12345' }
 */
export function fullText(text: PartialText | undefined): Text | undefined {
  if (!text) return undefined;
  const zh = text.zh ?? text.en;
  const en = text.en ?? text.zh;
  return zh !== undefined && en !== undefined ? { zh, en } : undefined;
}
