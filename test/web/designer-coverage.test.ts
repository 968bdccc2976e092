import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * #19: everything the definition language can say has a control in the designer. This walks the
 * workflow, form and SLA schemas in schemas/ (following `$ref` into common.schema.json), collects
 * every keyword (property name) with the JSON paths where it may appear, and fails on a keyword that
 * the kind's editor sources never touch and that is not on the exclusion list below.
 *
 * What "touches" means is static: the keyword appears in the editor's source as a property
 * (`.minLength`, `minLength:`, `'x-computed'`, `['readOnly']`). It cannot prove a control works (the
 * browser tests do that); it catches the common failure, a keyword added to a schema with no code in
 * its editor. Action params are covered key by key by test/web/designer-actions.test.ts.
 */
const root = join(import.meta.dirname, '../..');
type Node = Record<string, unknown>;
const schemas: Record<string, Node> = Object.fromEntries(
  ['common', 'workflow', 'form', 'sla'].map((k) => [k, JSON.parse(readFileSync(join(root, `schemas/${k}.schema.json`), 'utf8')) as Node]),
);

/** keyword → the paths (`/params/*\/schema`, `*` for any name or index) where a document may hold it */
function keywords(kind: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const stack: { node: unknown; file: string; path: string }[] = [{ node: schemas[kind], file: kind, path: '' }];
  while (stack.length) {
    const { node, file, path } = stack.pop()!;
    if (!node || typeof node !== 'object') continue;
    const n = node as Node;
    if (typeof n['$ref'] === 'string') {
      const [target = '', pointer = ''] = (n['$ref'] as string).split('#');
      const f = target ? target.replace('.schema.json', '') : file;
      const key = `${f}#${pointer}@${path}`;
      // recursive definitions (nested states) repeat their keywords: a few levels deep is all of them
      if (!seen.has(key) && path.split('/').length < 16) {
        seen.add(key);
        const resolved = pointer.split('/').filter(Boolean).reduce<unknown>((o, p) => (o as Node)[p], schemas[f]);
        stack.push({ node: resolved, file: f, path });
      }
    }
    for (const [k, v] of Object.entries((n['properties'] as Node | undefined) ?? {})) {
      if (!out.has(k)) out.set(k, new Set());
      out.get(k)!.add(path);
      stack.push({ node: v, file, path: `${path}/${k}` });
    }
    for (const [k, seg] of [['items', '/*'], ['additionalProperties', '/*'], ['anyOf', ''], ['oneOf', ''], ['allOf', '']] as const) {
      const v = n[k];
      for (const x of Array.isArray(v) ? v : [v]) if (x && typeof x === 'object') stack.push({ node: x, file, path: path + seg });
    }
  }
  return out;
}

const lib = 'apps/web/src/lib';
const designer = (...files: string[]) => files.map((f) => `${lib}/designer/${f}`);
/** The sources of each kind's editor. */
const EDITORS: Record<string, string[]> = {
  form: designer('FormDesigner.svelte', 'form-doc.ts', 'FallbackText.svelte'),
  workflow: [
    ...designer('WorkflowDesigner.svelte', 'ProcessPanel.svelte', 'ContextFieldsPanel.svelte', 'StatePanel.svelte', 'EdgePanel.svelte', 'ActionList.svelte', 'action-spec.ts', 'DelayInput.svelte', 'DueInput.svelte', 'ParamsPanel.svelte', 'params-doc.ts', 'workflow-doc.ts', 'RoleChecks.svelte'),
    // a task's or action's due takes every deadline shape through the SLA editor's DeadlineEditor
    `${lib}/sla/DeadlineEditor.svelte`, `${lib}/sla/policy-doc.ts`,
  ],
  sla: [
    ...['PolicyEditor.svelte', 'MetricEditor.svelte', 'ConditionList.svelte', 'DeadlineEditor.svelte', 'ExprField.svelte', 'RolePicker.svelte', 'TextPair.svelte', 'policy-doc.ts', 'labels.ts'].map((f) => `${lib}/sla/${f}`),
    // a metric's breach actions are the workflow's action vocabulary, edited with its action controls
    ...designer('ActionList.svelte', 'action-spec.ts', 'DueInput.svelte', 'ExprInput.svelte'),
  ],
};

/** `byNature`: a keyword no one should edit (stays excluded even where a type names it); otherwise an exclusion goes once a control exists. */
type Exclusion = { kinds: string[]; keywords: string[]; under?: string; byNature?: boolean; why: string };
/**
 * The reviewed exclusions: keywords with no designer control, each with the reason. `under` limits
 * one to the paths starting there. Keep it short: a control is better than a line here.
 */
const EXCLUDED: Exclusion[] = [
  { kinds: ['form', 'workflow', 'sla'], keywords: ['$schema'], byNature: true, why: 'the path of the schema file, for text editors; not part of what a definition says' },
  { kinds: ['form', 'workflow'], keywords: ['additionalProperties'], byNature: true, why: 'inside data schemas it is fixed to false by the schema (const): nothing to choose' },
  {
    kinds: ['workflow'], under: '/params/*/schema',
    keywords: ['readOnly', 'x-computed', 'x-hidden', 'x-personal'],
    // A parameter's value rules (format, pattern, lengths, multipleOf, exclusive bounds, list sizes)
    // have controls under "取值规则" in ParamsPanel. These four are words of a form's data, and a
    // parameter is no form data: nobody fills it in (readOnly and x-hidden lock or hide a field from
    // the person filling the form), its value is the estate's setting rather than a CEL result
    // (x-computed), and it is never a person's data (x-personal masks phone and ID numbers). The
    // shared ScalarSchema allows them only because parameters reuse the field schema.
    byNature: true,
    why: "a form field's words (who fills it, computed, personal data); a parameter is the estate's setting, never filled in by a person nor a person's data",
  },
];

const sourceOf = (kind: string) => EDITORS[kind]!.map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\$-]/g, '\\$&');
/** The keyword written as a property: `.kw`, `?.kw`, `kw:`, `'kw'`, `"kw"`, `[kw]`. */
const touched = (src: string, kw: string) => new RegExp(`(?:[.'"\\[{\\s]|\\?\\.)${escape(kw)}(?:['"\\]:=?\\s)},;.!]|$)`, 'm').test(src);
const excluded = (kind: string, kw: string, path: string) => EXCLUDED.some((e) => e.kinds.includes(kind) && e.keywords.includes(kw) && (e.under === undefined || `${path}/`.startsWith(`${e.under}/`)));

describe('the designer has a control for every keyword of the definition language', () => {
  for (const kind of ['workflow', 'form', 'sla']) {
    it(`covers the ${kind} schema, but for the reviewed exclusions`, () => {
      const src = sourceOf(kind);
      const missing: string[] = [];
      for (const [kw, paths] of keywords(kind)) {
        if (touched(src, kw)) continue;
        const open = [...paths].filter((p) => !excluded(kind, kw, p));
        if (open.length) missing.push(`${kw} (at ${open.slice(0, 3).join(', ')})`);
      }
      expect(missing, `keywords of ${kind}.schema.json with no designer control: add a control, or a reviewed line to EXCLUDED`).toEqual([]);
    });
  }

  it('keeps the exclusion list honest: every excluded keyword still exists where it says, with no control yet', () => {
    const stale: string[] = [];
    for (const e of EXCLUDED) {
      for (const kind of e.kinds) {
        const all = keywords(kind);
        const src = sourceOf(kind);
        for (const kw of e.keywords) {
          const paths = [...(all.get(kw) ?? [])].filter((p) => e.under === undefined || `${p}/`.startsWith(`${e.under}/`));
          if (paths.length === 0) stale.push(`${kind}: ${kw} is no longer in the schema${e.under ? ` under ${e.under}` : ''}`);
          else if (e.under === undefined && !e.byNature && touched(src, kw)) stale.push(`${kind}: ${kw} now has a control`);
        }
      }
    }
    expect(stale).toEqual([]);
  });

  it('finds the keywords this issue added, so a walk that found nothing cannot pass', () => {
    const form = keywords('form');
    for (const kw of ['x-computed', 'readOnly', 'x-hidden', 'columns', 'placeholder']) expect(form.has(kw), kw).toBe(true);
    expect(keywords('workflow').get('defaultNotInDocuments')).toEqual(new Set(['/params/*']));
    expect(keywords('sla').size).toBeGreaterThan(40);
  });
});

describe('the designer speaks people\'s words (#18)', () => {
  it('names every kind of definition and every widget in Chinese and English, never by its key (sla, billing-plan, fee-schedule)', async () => {
    const { zh } = await import('../../apps/web/src/lib/i18n/zh.ts');
    const { en } = await import('../../apps/web/src/lib/i18n/en.ts');
    const kinds = readdirSync(join(root, 'schemas')).filter((f) => f.endsWith('.schema.json')).map((f) => f.replace('.schema.json', '')).filter((k) => !['common', 'scenario'].includes(k));
    expect(kinds.length).toBeGreaterThanOrEqual(7);
    const { WIDGETS } = await import('@estateflow/forms');
    for (const key of [...kinds.map((k) => `designer.kind.${k}`), ...WIDGETS.map((w) => `widget.${w}`)]) {
      for (const [lang, messages] of [['zh', zh], ['en', en]] as const) {
        const said = (messages as Record<string, string>)[key];
        expect(said, `${lang} ${key}`).toBeTruthy();
        expect(said, `${lang} ${key}`).not.toBe(key.split('.').pop());
      }
    }
  });
});
