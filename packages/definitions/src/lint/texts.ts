import { finding, type Finding } from '../finding.ts';
import { textSites } from '../texts.ts';
import type { LintContext } from './context.ts';
import { checkExpressions, type ExprSite } from './expressions.ts';

type Path = (string | number)[];

/** A requirement id as requirements.md writes them (RP-2, CP-10, BL-6). */
export const REQUIREMENT_ID = /(?<![A-Za-z0-9-])[A-Z]{2,4}-[0-9]{1,3}(?![0-9A-Za-z-])/g;

const PLACEHOLDER = /\{\{[\s\S]*?\}\}/g;
const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** The value of a Chinese numeral up to 999 (十五 = 15, 二十四 = 24, 两 = 2), or undefined. */
export function chineseNumber(s: string): number | undefined {
  let total = 0;
  let digit: number | undefined;
  for (const ch of s) {
    if ((ch === '零' || ch === '〇') && total > 0) continue; // 一百零八: a gap in the places
    if (ch in DIGITS) {
      if (digit !== undefined) return undefined;
      digit = DIGITS[ch];
    } else if (ch === '百' || ch === '十') {
      total += (digit ?? 1) * (ch === '百' ? 100 : 10);
      digit = undefined;
    } else return undefined;
  }
  return total + (digit ?? 0);
}

// A number counts when a unit of time, count, share or money follows it: "15 分钟", "两次", "80%", "3 days".
const ZH_UNITS = '分钟|小时|个工作日|工作日|个月|天|日|周|年|次|%|％|‰|元';
const EN_UNITS = 'minutes?|mins?|hours?|working days?|days?|weeks?|months?|years?|times|%|per ?cent|‰|yuan';
const QUANTITY = new RegExp(`(?<![0-9A-Za-z.\\-])([0-9]+(?:\\.[0-9]+)?|[零〇一二两三四五六七八九十百]+)\\s*(${ZH_UNITS}|(?:${EN_UNITS})\\b)`, 'g');

/** The quantities a text states outside its placeholders: value, unit and the words as written. */
export function quantities(text: string): { value: number; unit: string; raw: string }[] {
  const out: { value: number; unit: string; raw: string }[] = [];
  for (const m of text.replace(PLACEHOLDER, ' ').matchAll(QUANTITY)) {
    const value = /^[0-9]/.test(m[1]!) ? Number(m[1]) : chineseNumber(m[1]!);
    if (value !== undefined) out.push({ value, unit: m[2]!, raw: m[0] });
  }
  return out;
}

/** Units of time, share and money a parameter's name may end with, and the words texts write them in. */
const UNIT_CLASSES: { param: RegExp; words: RegExp }[] = [
  { param: /Minutes$/, words: /^(分钟|minutes?|mins?)$/ },
  { param: /Hours$/, words: /^(小时|hours?)$/ },
  { param: /WorkingDays$/, words: /^(个工作日|工作日|working days?)$/ },
  { param: /Days$/, words: /^(天|日|days?)$/ },
  { param: /Weeks$/, words: /^(周|weeks?)$/ },
  { param: /Months$/, words: /^(个月|months?)$/ },
  { param: /Years$/, words: /^(年|years?)$/ },
  { param: /Percent$/, words: /^(%|％|per ?cent)$/ },
  { param: /Fen$/, words: /^(元|yuan)$/ },
];

/**
 * Whether a stated quantity is this parameter's default: a parameter named for a unit
 * (`…Minutes`, `…Days`, `…Fen`) matches only quantities in that unit (fen read as yuan, per mille
 * as per cent or per mille); a parameter without one (a count) matches a number of times.
 */
function sameAs(param: string, def: number, q: { value: number; unit: string }): boolean {
  if (/Per[mM]ille$/.test(param)) return /^(%|％|per ?cent)$/.test(q.unit) ? q.value * 10 === def : q.unit === '‰' && q.value === def;
  const cls = UNIT_CLASSES.find((c) => c.param.test(param));
  // a count (maxRework, minPatrolsPerDay) is stated as a number of times, never in days or yuan
  if (!cls) return q.value === def && !UNIT_CLASSES.some((c) => c.words.test(q.unit)) && q.unit !== '‰';
  if (!cls.words.test(q.unit)) return false;
  return cls.param.source === 'Fen$' ? q.value * 100 === def : q.value === def;
}

/**
 * Rules over every bilingual text of a definition:
 * - `requirement-id-in-text` (error): an id such as RP-2 in a text people read; ids go in `source`;
 * - `number-contradicts-param` (warning): a quantity equal to a parameter's default ("15 分钟"
 *   while `dispatchMinutes` defaults to 15) stops being true when an estate changes the parameter,
 *   so it is written `{{params.dispatchMinutes}}`. A parameter's own title and description may
 *   state its default; scenarios (test scripts) are not checked;
 * - placeholders of descriptive texts (titles, labels, descriptions) read only `params`, checked
 *   like every other expression (`bad-expression`, `undeclared-param`).
 */
export function lintTexts(doc: unknown, ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  const { file } = ctx;
  const kind = (doc as { kind?: unknown }).kind;
  const own = ownParams(doc, kind, ctx);
  const defaults = new Map<string, number>();
  for (const [name, value] of ctx.paramDefaults ?? []) if (typeof value === 'number') defaults.set(name, value);
  for (const [name, p] of Object.entries(own)) if (typeof p.default === 'number') defaults.set(name, p.default);
  const sites: ExprSite[] = [];
  for (const site of textSites(doc)) {
    for (const lang of ['zh', 'en'] as const) {
      const text = site.text[lang];
      const id = text.replace(PLACEHOLDER, ' ').match(REQUIREMENT_ID)?.[0];
      if (id) {
        out.push(finding('requirement-id-in-text', file, [...site.path, lang], `文字中含需求编号“${id}”：人们读不懂编号，请写入同一位置的 source（或文档的 requirements）`, `The text contains the requirement id "${id}": people cannot read ids; put it in "source" beside it (or the document's "requirements")`));
      }
      if (site.use === 'description' && text.includes('{{')) sites.push({ path: [...site.path, lang], source: text, expect: 'any', scope: 'description', template: true });
      if (site.use === 'script') continue;
      const ownParam = paramOf(site.path, kind);
      for (const q of quantities(text)) {
        // a parameter's title and description may state its own default
        if (ownParam !== undefined && defaults.has(ownParam) && sameAs(ownParam, defaults.get(ownParam)!, q)) continue;
        const name = [...defaults].find(([param, def]) => param !== ownParam && sameAs(param, def, q))?.[0];
        if (!name) continue;
        out.push(finding('number-contradicts-param', file, [...site.path, lang],
          `文字写死了“${q.raw}”，与参数 ${name} 的默认值相同；项目改了参数后文字就与实际不符：请写成 {{params.${name}}}`,
          `The text states "${q.raw}", the default of parameter ${name}; once an estate changes it the text is wrong: write {{params.${name}}}`, 'warning'));
      }
    }
  }
  out.push(...checkExpressions(sites, file, ctx.params === undefined ? undefined : new Set([...ctx.params, ...Object.keys(own)])));
  return out;
}

type ParamDecl = Record<string, { default?: unknown }>;

/** Parameters the document itself declares or, for an SLA policy, those of the workflow it measures. */
function ownParams(doc: unknown, kind: unknown, ctx: LintContext): ParamDecl {
  if (kind === 'workflow') return (doc as { params?: ParamDecl }).params ?? {};
  if (kind === 'bundle') return (doc as { parameters?: ParamDecl }).parameters ?? {};
  const measured = (doc as { workflow?: unknown }).workflow;
  if (kind === 'sla' && typeof measured === 'string') return (ctx.workflowDefs?.get(measured)?.params as ParamDecl | undefined) ?? {};
  return {};
}

/** The parameter whose own title, description or default's reason this path is (`/params/x/description`), if any. */
function paramOf(path: Path, kind: unknown): string | undefined {
  const key = kind === 'bundle' ? 'parameters' : 'params';
  return path.length === 3 && path[0] === key && (path[2] === 'title' || path[2] === 'description' || path[2] === 'defaultNotInDocuments') ? String(path[1]) : undefined;
}
