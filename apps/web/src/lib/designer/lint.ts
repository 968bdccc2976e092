import { checkExpr } from '@estateflow/expr';
import type { Text } from '$lib/i18n/index.svelte.ts';

export type LintFinding = { severity: 'error' | 'warning'; path: string; message: Text };

type AnyDoc = Record<string, unknown>;

function isText(v: unknown): v is Text {
  return !!v && typeof v === 'object' && typeof (v as Text).zh === 'string' && typeof (v as Text).en === 'string';
}

/** Live findings for a document being edited: structure the designer relies on, and every expression. */
export function lintDocument(kind: string, doc: unknown): LintFinding[] {
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
  for (const name of Object.keys(props)) {
    if (!placed.has(name)) out.push({ severity: 'warning', path: `/schema/properties/${name}`, message: { zh: `字段“${name}”未放入任何分组`, en: `Field "${name}" is in no section` } });
  }
}

type StateNode = { states?: Record<string, StateNode>; on?: Record<string, unknown>; always?: unknown; initial?: string; type?: string };

function lintWorkflow(d: AnyDoc, out: LintFinding[]): void {
  const machine = d.machine as StateNode | undefined;
  if (!machine?.states) {
    out.push({ severity: 'error', path: '/machine/states', message: { zh: '流程至少需要一个状态', en: 'The machine needs at least one state' } });
    return;
  }
  const events = (d.events ?? {}) as Record<string, unknown>;
  const guards = (d.guards ?? {}) as Record<string, unknown>;
  if (!machine.initial || !(machine.initial in machine.states)) out.push({ severity: 'error', path: '/machine/initial', message: { zh: `初始状态“${machine.initial ?? ''}”不存在`, en: `Initial state "${machine.initial ?? ''}" does not exist` } });
  for (const [g, src] of Object.entries(guards)) {
    if (typeof src === 'string') {
      const issue = checkExpr(src, { scope: 'workflow', expect: 'bool' })[0];
      if (issue) out.push({ severity: 'error', path: `/guards/${g}`, message: issue.message });
    }
  }
  const reached = new Set<string>([machine.initial ?? '']);
  for (const [name, st] of Object.entries(machine.states)) {
    for (const [ev, tr] of Object.entries(st.on ?? {})) {
      const path = `/machine/states/${name}/on/${ev}`;
      if (!(ev in events)) out.push({ severity: 'error', path, message: { zh: `事件“${ev}”未在 events 中声明`, en: `Event "${ev}" is not declared in events` } });
      for (const [i, t] of (Array.isArray(tr) ? tr : [tr]).entries()) {
        const target = typeof t === 'string' ? t : (t as { target?: string })?.target;
        if (target && !target.startsWith('#') && !target.startsWith('.')) {
          reached.add(target);
          if (!(target in machine.states)) out.push({ severity: 'error', path: Array.isArray(tr) ? `${path}/${i}/target` : `${path}/target`, message: { zh: `目标状态“${target}”不存在`, en: `Target state "${target}" does not exist` } });
        }
        const guard = (t as { guard?: unknown })?.guard;
        if (typeof guard === 'string' && !(guard in guards)) out.push({ severity: 'error', path: `${path}/guard`, message: { zh: `条件“${guard}”未在 guards 中定义`, en: `Guard "${guard}" is not defined in guards` } });
        const expr = (guard as { params?: { expr?: unknown } })?.params?.expr;
        if (typeof expr === 'string') {
          const issue = checkExpr(expr, { scope: 'workflow', expect: 'bool' })[0];
          if (issue) out.push({ severity: 'error', path: `${path}/guard/params/expr`, message: issue.message });
        }
      }
    }
  }
  for (const name of Object.keys(machine.states)) {
    if (!reached.has(name)) out.push({ severity: 'warning', path: `/machine/states/${name}`, message: { zh: `状态“${name}”无法到达`, en: `State "${name}" cannot be reached` } });
  }
  const finals = Object.values(machine.states).filter((s) => s.type === 'final');
  if (finals.length === 0) out.push({ severity: 'warning', path: '/machine/states', message: { zh: '没有终止状态', en: 'No final state' } });
}
