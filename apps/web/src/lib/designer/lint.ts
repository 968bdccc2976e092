import { checkExpr } from '@estateflow/expr';
import { checkDefinition, type FormDefinition as EngineForm } from '@estateflow/engine';
import { checkForm, type FormDefinition } from '@estateflow/forms';
import type { Text } from '$lib/i18n/index.svelte.ts';
import { resolveTarget, stateAt, statePaths, type Transition, type WorkflowDoc } from './workflow-doc.ts';

export type LintFinding = { severity: 'error' | 'warning'; path: string; message: Text };

type AnyDoc = Record<string, unknown>;

function isText(v: unknown): v is Text {
  return !!v && typeof v === 'object' && typeof (v as Text).zh === 'string' && typeof (v as Text).en === 'string';
}

/**
 * The server's own check (`checkDefinition`, shared with the API's validate, save and publish): its
 * errors and its lint warnings, for a document as it would be stored. `forms` are the published forms
 * the document names (a workflow compiles against them, as on the server).
 */
export function serverCheck(doc: unknown, forms: readonly EngineForm[]): LintFinding[] {
  const plain = JSON.parse(JSON.stringify(doc ?? null)) as unknown;
  const warnings: { path: string; message: Text }[] = [];
  const errors = checkDefinition(plain, forms, {}, warnings);
  return [...errors.map((e) => ({ severity: 'error' as const, path: e.path, message: e.message })), ...warnings.map((w) => ({ severity: 'warning' as const, path: w.path, message: w.message }))];
}

export { formsNamed } from '@estateflow/definitions';

/**
 * Live findings for a document being edited: the server's shared check when its forms are given
 * (so "saved" never sits next to an error the page did not show), plus the structure the designer
 * relies on and every expression (the first finding for a path wins).
 */
export function lintDocument(kind: string, doc: unknown, forms?: readonly EngineForm[]): LintFinding[] {
  const local = lintLocal(kind, doc);
  if (!forms || (kind !== 'workflow' && kind !== 'form')) return local;
  const shared = serverCheck(doc, forms);
  const seen = new Set(shared.map((f) => `${f.severity}|${f.path}`));
  return [...shared, ...local.filter((f) => !seen.has(`${f.severity}|${f.path}`))];
}

function lintLocal(kind: string, doc: unknown): LintFinding[] {
  const out: LintFinding[] = [];
  if (!doc || typeof doc !== 'object') return [{ severity: 'error', path: '', message: { zh: '必须是 JSON 对象', en: 'Must be a JSON object' } }];
  const d = doc as AnyDoc;
  if (d.kind !== kind) out.push({ severity: 'error', path: '/kind', message: { zh: `kind 必须是“${kind}”`, en: `kind must be "${kind}"` } });
  if (typeof d.id !== 'string' || !/^[a-z][a-z0-9-]*$/.test(d.id)) out.push({ severity: 'error', path: '/id', message: { zh: 'id 须为小写字母、数字和连字符', en: 'id must be lower-case letters, digits and hyphens' } });
  if (!isText(d.title)) out.push({ severity: 'error', path: '/title', message: { zh: 'title 须同时有 zh 和 en', en: 'title needs both zh and en' } });
  if (kind === 'form') lintForm(d, out);
  if (kind === 'workflow') lintWorkflow(d, out);
  return out;
}

function lintForm(d: AnyDoc, out: LintFinding[]): void {
  const props = ((d.schema as AnyDoc | undefined)?.properties ?? {}) as Record<string, unknown>;
  const sections = (((d.layout as AnyDoc | undefined)?.sections ?? []) as AnyDoc[]);
  const placed = new Set<string>();
  sections.forEach((s, si) => {
    ((s.fields ?? []) as AnyDoc[]).forEach((f, fi) => {
      const path = `/layout/sections/${si}/fields/${fi}`;
      const name = String(f.field);
      placed.add(name);
      if (!(name in props)) out.push({ severity: 'error', path: `${path}/field`, message: { zh: `字段“${name}”不在 schema.properties 中`, en: `Field "${name}" is not in schema.properties` } });
      if (!isText(f.label)) out.push({ severity: 'warning', path: `${path}/label`, message: { zh: '标签须同时有中文和英文', en: 'Label needs both Chinese and English' } });
      for (const rule of ['visibleWhen', 'enabledWhen', 'requiredWhen'] as const) {
        if (typeof f[rule] === 'string') {
          const issue = checkExpr(f[rule] as string, { scope: 'form', expect: 'bool' })[0];
          if (issue) out.push({ severity: 'error', path: `${path}/${rule}`, message: issue.message });
        }
      }
    });
  });
  // The shared form compiler's own findings (the checks the server runs at upload).
  if (out.every((f) => f.severity !== 'error')) {
    try {
      for (const issue of checkForm(d as unknown as FormDefinition)) out.push({ severity: 'error', path: issue.pointer, message: issue.message });
    } catch (e) {
      out.push({ severity: 'error', path: '', message: { zh: String(e), en: String(e) } });
    }
  }
  for (const name of Object.keys(props)) {
    if (!placed.has(name)) out.push({ severity: 'warning', path: `/schema/properties/${name}`, message: { zh: `字段“${name}”未放入任何分组`, en: `Field "${name}" is in no section` } });
  }
}

function lintWorkflow(d: AnyDoc, out: LintFinding[]): void {
  const doc = d as unknown as WorkflowDoc;
  const machine = doc.machine;
  if (!machine?.states) {
    out.push({ severity: 'error', path: '/machine/states', message: { zh: '流程至少需要一个状态', en: 'The machine needs at least one state' } });
    return;
  }
  const events = (doc.events ?? {}) as Record<string, unknown>;
  const guards = (doc.guards ?? {}) as Record<string, unknown>;
  const delays = (doc.delays ?? {}) as Record<string, unknown>;
  if (!machine.initial || !(machine.initial in machine.states)) out.push({ severity: 'error', path: '/machine/initial', message: { zh: `初始状态“${machine.initial ?? ''}”不存在`, en: `Initial state "${machine.initial ?? ''}" does not exist` } });
  for (const [g, src] of Object.entries(guards)) {
    if (typeof src === 'string') {
      const issue = checkExpr(src, { scope: 'workflow', expect: 'bool' })[0];
      if (issue) out.push({ severity: 'error', path: `/guards/${g}`, message: issue.message });
    }
  }
  const paths = statePaths(doc);
  const reached = new Set<string>([machine.initial]);
  const guardIssue = (guard: unknown, path: string) => {
    if (typeof guard === 'string' && !(guard in guards)) out.push({ severity: 'error', path: `${path}/guard`, message: { zh: `条件“${guard}”未在 guards 中定义`, en: `Guard "${guard}" is not defined in guards` } });
    const expr = (guard as { params?: { expr?: unknown } } | undefined)?.params?.expr;
    if (typeof expr === 'string') {
      const issue = checkExpr(expr, { scope: 'workflow', expect: 'bool' })[0];
      if (issue) out.push({ severity: 'error', path: `${path}/guard/params/expr`, message: issue.message });
    }
  };
  for (const from of paths) {
    const st = stateAt(doc, from)!;
    const base = '/machine/states/' + from.split('.').join('/states/');
    if (st.initial && st.states) reached.add(`${from}.${st.initial}`);
    if (st.states && st.initial && !(st.initial in st.states)) out.push({ severity: 'error', path: `${base}/initial`, message: { zh: `初始子状态“${st.initial}”不存在`, en: `Initial child state "${st.initial}" does not exist` } });
    for (const ev of Object.keys(st.on ?? {})) {
      if (!(ev in events)) out.push({ severity: 'error', path: `${base}/on/${ev}`, message: { zh: `事件“${ev}”未在 events 中声明`, en: `Event "${ev}" is not declared in events` } });
    }
    for (const delay of Object.keys(st.after ?? {})) {
      if (!(delay in delays)) out.push({ severity: 'error', path: `${base}/after/${delay}`, message: { zh: `时限“${delay}”未在 delays 中定义`, en: `Delay "${delay}" is not defined in delays` } });
    }
    for (const [kind, holder] of [['on', st.on], ['after', st.after], ['always', st.always === undefined ? undefined : { '': st.always }]] as const) {
      for (const [ev, tr] of Object.entries(holder ?? {})) {
        const items = Array.isArray(tr) ? tr : [tr];
        items.forEach((t, i) => {
          const p = `${base}/${kind}${ev ? `/${ev}` : ''}${Array.isArray(tr) ? `/${i}` : ''}`;
          const target = typeof t === 'string' ? t : (t as Transition).target;
          if (target) {
            const to = resolveTarget(doc, from, target);
            if (to) reached.add(to);
            else out.push({ severity: 'error', path: `${p}/target`, message: { zh: `目标状态“${target}”不存在`, en: `Target state "${target}" does not exist` } });
          }
          if (typeof t !== 'string') guardIssue((t as Transition).guard, p);
        });
      }
    }
  }
  for (const p of paths) {
    const top = p.split('.')[0]!;
    if (!reached.has(p) && !(p.includes('.') && !reached.has(top))) out.push({ severity: 'warning', path: '/machine/states/' + p.split('.').join('/states/'), message: { zh: `状态“${p}”无法到达`, en: `State "${p}" cannot be reached` } });
  }
  if (!paths.some((p) => stateAt(doc, p)?.type === 'final')) out.push({ severity: 'warning', path: '/machine/states', message: { zh: '没有终止状态', en: 'No final state' } });
}
