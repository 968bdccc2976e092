import type { Action, Deadline, Guard, Workflow, WorkflowStateNode, WorkflowTask, WorkflowTransitions, WorkflowTransitionObject } from '../generated/index.ts';
import { suggestion } from '../did-you-mean.ts';
import { finding, type Finding } from '../finding.ts';
import { BUILT_IN_CALENDARS } from '../vocabulary.ts';
import type { LintContext } from './context.ts';
import { checkExpressions, type ExprSite } from './expressions.ts';
import { lintParams } from './data-schema.ts';
import { contextFieldNames, contextFields } from '../context-fields.ts';
import { serialPrefixOf } from '../serial.ts';

type Path = (string | number)[];
type Node = { key: string; path: string[]; ptr: Path; node: WorkflowStateNode; parent: Node | undefined; children: Node[] };
type TransitionRef = { from: Node; target: string; ptr: Path };

/** A CEL expression that is nothing but a string literal ('x' or "x"). */
const isLiteralString = (source: string): boolean => /^\s*(?:'[^'\\]*'|"[^"\\]*")\s*$/.test(source);

/** Semantic checks of one schema-valid workflow beyond what JSON Schema can say. */
export function lintWorkflow(wf: Workflow, ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  const { file } = ctx;
  const add = (rule: string, path: Path, zh: string, en: string, severity: 'error' | 'warning' = 'error'): void => {
    out.push(finding(rule, file, path, zh, en, severity));
  };
  const declaredRoles = new Set<string>(wf.roles);
  const events = wf.events;
  const eventNames = Object.keys(events);
  const guardNames = Object.keys(wf.guards ?? {});
  const delayNames = Object.keys(wf.delays ?? {});
  const ladderNames = Object.keys(wf.ladders ?? {});
  // On its own a workflow may read parameters its bundle declares, so `params.X` is checked only
  // when the caller says what exists outside (validateBundle does).
  const paramsKnown = ctx.params === undefined ? undefined : new Set([...ctx.params, ...Object.keys(wf.params ?? {})]);
  const sites: ExprSite[] = [];
  const usedEvents = new Set<string>();

  const role = (r: string | undefined, path: Path): void => {
    if (r !== undefined && !declaredRoles.has(r)) {
      add('undeclared-role', path, `角色 "${r}" 未在 roles 中声明`, `Role "${r}" is not declared in roles`);
    }
  };
  const form = (id: string | undefined, path: Path): void => {
    if (id !== undefined && ctx.forms && !ctx.forms.has(id)) {
      const s = suggestion(id, ctx.forms);
      add('unknown-form', path, `表单 "${id}" 不在模板包中${s.zh}`, `Form "${id}" is not in the bundle${s.en}`);
    }
  };
  const calendar = (id: string | undefined, path: Path): void => {
    if (id === undefined || BUILT_IN_CALENDARS.includes(id) || !ctx.calendars || ctx.calendars.has(id)) return;
    const s = suggestion(id, [...ctx.calendars, ...BUILT_IN_CALENDARS]);
    add('unknown-calendar', path, `日历 "${id}" 未在模板包中声明${s.zh}`, `Calendar "${id}" is not declared in the bundle${s.en}`);
  };
  const event = (name: string, path: Path): void => {
    usedEvents.add(name);
    if (!(name in events)) {
      const s = suggestion(name, eventNames);
      add('undeclared-event', path, `事件 "${name}" 未在 events 中声明${s.zh}`, `Event "${name}" is not declared in events${s.en}`);
    }
  };

  // Roles, start, events.
  role(undefined, []);
  wf.start?.roles.forEach((r, i) => role(r, ['start', 'roles', i]));
  form(wf.start?.form, ['start', 'form']);
  calendar(wf.calendar, ['calendar']);
  for (const [name, ev] of Object.entries(events)) {
    ev.roles?.forEach((r, i) => role(r, ['events', name, 'roles', i]));
    form(ev.form, ['events', name, 'form']);
    if (ev.system && ev.roles) add('system-event-roles', ['events', name, 'roles'], `系统事件 "${name}" 不能再声明角色`, `System event "${name}" cannot also list roles`);
    if (!ev.system && !ev.roles) add('event-without-sender', ['events', name], `事件 "${name}" 既无角色也不是系统事件，无人能发送`, `Event "${name}" has no roles and is not a system event: nobody can send it`);
  }
  for (const [name, ladder] of Object.entries(wf.ladders ?? {})) ladder.forEach((rung, i) => rung.roles.forEach((r, j) => role(r, ['ladders', name, i, 'roles', j])));
  for (const [name, src] of Object.entries(wf.guards ?? {})) sites.push({ path: ['guards', name], source: src, expect: 'bool', scope: 'workflow' });
  out.push(...lintParams(wf.params, ['params'], file));

  // Deadlines, guards, actions.
  const deadline = (d: Deadline, path: Path): void => {
    if ('after' in d) {
      if (typeof d.after.amount === 'string') sites.push({ path: [...path, 'after', 'amount'], source: d.after.amount, expect: 'int', scope: 'workflow' });
      calendar(d.calendar, [...path, 'calendar']);
    } else if ('expr' in d) {
      sites.push({ path: [...path, 'expr'], source: d.expr, expect: 'timestamp', scope: 'workflow' });
    } else if ('cases' in d) {
      d.cases.forEach((c, i) => {
        sites.push({ path: [...path, 'cases', i, 'when'], source: c.when, expect: 'bool', scope: 'workflow' });
        deadline(c.deadline, [...path, 'cases', i, 'deadline']);
      });
      deadline(d.else, [...path, 'else']);
    } else {
      calendar(d.calendar, [...path, 'calendar']);
    }
  };
  for (const [name, d] of Object.entries(wf.delays ?? {})) deadline(d, ['delays', name]);

  const guardLeaf = (g: string | { type: 'expr'; params: { expr: string } }, path: Path): void => {
    if (typeof g === 'string') {
      if (!guardNames.includes(g)) {
        const s = suggestion(g, guardNames);
        add('unknown-guard', path, `守卫 "${g}" 未在 guards 中声明${s.zh}`, `Guard "${g}" is not declared in guards${s.en}`);
      }
    } else {
      sites.push({ path: [...path, 'params', 'expr'], source: g.params.expr, expect: 'bool', scope: 'workflow' });
    }
  };
  const guard = (g: Guard, path: Path): void => {
    if (typeof g === 'string' || g.type === 'expr') guardLeaf(g, path);
    else if (g.type === 'not') guardLeaf(g.guard, [...path, 'guard']);
    else g.guards.forEach((x, i) => guardLeaf(x, [...path, 'guards', i]));
  };

  const assigned = new Set<string>();
  const assignedAt = new Map<string, Path>();
  const openedTasks = new Set<string>();
  const scheduledTimers = new Set<string>();
  const taskRefs: { id: string; path: Path }[] = [];
  const timerRefs: { id: string; path: Path }[] = [];
  const text = (t: { zh: string; en: string } | undefined, path: Path): void => {
    if (!t) return;
    for (const lang of ['zh', 'en'] as const) if (t[lang].includes('{{')) sites.push({ path: [...path, lang], source: t[lang], expect: 'any', scope: 'workflow', template: true });
  };
  // a task's or notice's `user` is an expression that must yield a user id of the estate where it
  // runs: a literal name ('tech-liu') fits one company's data at most, and a bundle ships to many
  const user = (source: string, path: Path): void => {
    sites.push({ path, source, expect: 'any', scope: 'workflow' });
    if (isLiteralString(source)) {
      add('literal-user', path, `user 写的是固定的用户名 ${source.trim()}：请用表达式从数据中取用户 id（如 context.technicianId）`,
        `user is the literal name ${source.trim()}: take the user id from the data with an expression (e.g. context.technicianId)`, 'warning');
    }
  };
  const exprMap = (m: Record<string, string> | undefined, path: Path, expect: 'any' = 'any'): void => {
    for (const [k, v] of Object.entries(m ?? {})) sites.push({ path: [...path, k], source: v, expect, scope: 'workflow' });
  };
  const action = (a: Action, path: Path): void => {
    const p = [...path, 'params'];
    switch (a.type) {
      case 'assign':
        for (const [k, v] of Object.entries(a.params.values)) {
          assigned.add(k);
          if (!assignedAt.has(k)) assignedAt.set(k, [...p, 'values', k]);
          // a field that takes the actor's role holds a role key: screens show it as the role's title only when it says so
          if (/\bactor\.role\b/.test(v) && !wf.contextFields?.[k]?.isRole) {
            add('role-value-shown-raw', [...p, 'values', k], `字段“${k}”取自 actor.role，值是角色编号：请在 contextFields.${k} 中写 "isRole": true，页面才显示角色名称`, `Field "${k}" takes actor.role, so it holds a role key: add "isRole": true under contextFields.${k} so screens show the role's title`, 'warning');
          }
        }
        exprMap(a.params.values, [...p, 'values']);
        break;
      case 'openTask':
        openedTasks.add(a.params.id);
        text(a.params.title, [...p, 'title']);
        role(a.params.role, [...p, 'role']);
        if (a.params.user) user(a.params.user, [...p, 'user']);
        if (a.params.due) deadline(a.params.due, [...p, 'due']);
        form(a.params.form, [...p, 'form']);
        a.params.events?.forEach((e, i) => event(e, [...p, 'events', i]));
        break;
      case 'assignTask':
        taskRefs.push({ id: a.params.id, path: [...p, 'id'] });
        role(a.params.role, [...p, 'role']);
        if (a.params.user) user(a.params.user, [...p, 'user']);
        break;
      case 'closeTask':
        taskRefs.push({ id: a.params.id, path: [...p, 'id'] });
        break;
      case 'notify':
        role(a.params.to.role, [...p, 'to', 'role']);
        if (a.params.to.user) user(a.params.to.user, [...p, 'to', 'user']);
        text(a.params.message, [...p, 'message']);
        break;
      case 'charge':
        sites.push({ path: [...p, 'amount'], source: a.params.amount, expect: 'int', scope: 'workflow' });
        text(a.params.description, [...p, 'description']);
        if (a.params.onPaid) {
          event(a.params.onPaid, [...p, 'onPaid']);
          // billing sends it, as the system: a role's button would let a clerk mark a charge paid
          const paid = events[a.params.onPaid];
          if (paid && !paid.system) add('paid-event-not-system', [...p, 'onPaid'], `缴清事件 "${a.params.onPaid}" 须声明为系统事件（system: true），由计费系统在缴清时发送`, `The paid event "${a.params.onPaid}" must be a system event (system: true): billing sends it when the bill is paid`);
        }
        break;
      case 'startChild':
        if (ctx.workflows && !ctx.workflows.has(a.params.workflow)) {
          const s = suggestion(a.params.workflow, ctx.workflows);
          add('unknown-workflow', [...p, 'workflow'], `子流程 "${a.params.workflow}" 不在模板包中${s.zh}`, `Child workflow "${a.params.workflow}" is not in the bundle${s.en}`);
        }
        exprMap(a.params.input, [...p, 'input']);
        event(a.params.doneEvent, [...p, 'doneEvent']);
        break;
      case 'schedule':
        scheduledTimers.add(a.params.id);
        event(a.params.event, [...p, 'event']);
        deadline(a.params.deadline, [...p, 'deadline']);
        exprMap(a.params.data, [...p, 'data']);
        break;
      case 'cancel':
        timerRefs.push({ id: a.params.id, path: [...p, 'id'] });
        break;
      case 'escalate':
        if (!ladderNames.includes(a.params.ladder)) {
          const s = suggestion(a.params.ladder, ladderNames);
          add('unknown-ladder', [...p, 'ladder'], `升级阶梯 "${a.params.ladder}" 未在 ladders 中声明${s.zh}`, `Ladder "${a.params.ladder}" is not declared in ladders${s.en}`);
        }
        text(a.params.message, [...p, 'message']);
        break;
      case 'recordIncident':
        if (a.params.severity) sites.push({ path: [...p, 'severity'], source: a.params.severity, expect: 'any', scope: 'workflow' });
        text(a.params.summary, [...p, 'summary']);
        break;
    }
  };
  const actions = (as: Action[] | undefined, path: Path): void => as?.forEach((a, i) => action(a, [...path, i]));

  // The state tree.
  const nodes: Node[] = [];
  const byId = new Map<string, Node>();
  const build = (key: string, node: WorkflowStateNode, path: string[], ptr: Path, parent: Node | undefined): Node => {
    const n: Node = { key, path, ptr, node, parent, children: [] };
    nodes.push(n);
    byId.set([wf.id, ...path].join('.'), n);
    if (node.id) {
      if (byId.has(node.id) && byId.get(node.id) !== n) add('duplicate-id', [...ptr, 'id'], `状态 id "${node.id}" 重复`, `State id "${node.id}" is used twice`);
      byId.set(node.id, n);
    }
    for (const [k, child] of Object.entries(node.states ?? {})) n.children.push(build(k, child as WorkflowStateNode, [...path, k], [...ptr, 'states', k], n));
    return n;
  };
  const root = build('(machine)', wf.machine as WorkflowStateNode, [], ['machine'], undefined);
  const transitions: TransitionRef[] = [];
  const eventSites: { event: string; sites: ExprSite[] }[] = [];

  const transitionList = (t: WorkflowTransitions, ptr: Path, from: Node): void => {
    const list = Array.isArray(t) ? t : [t];
    list.forEach((item, i) => {
      const at = Array.isArray(t) ? [...ptr, i] : ptr;
      if (typeof item === 'string') {
        transitions.push({ from, target: item, ptr: at });
        return;
      }
      const obj = item as WorkflowTransitionObject;
      const targets = obj.target === undefined ? [] : Array.isArray(obj.target) ? obj.target : [obj.target];
      targets.forEach((tg, j) => transitions.push({ from, target: tg, ptr: Array.isArray(obj.target) ? [...at, 'target', j] : [...at, 'target'] }));
      if (obj.guard !== undefined) guard(obj.guard, [...at, 'guard']);
      actions(obj.actions, [...at, 'actions']);
    });
  };

  for (const n of nodes) {
    const s = n.node;
    const isParallel = s.type === 'parallel';
    if (s.type === 'final' && (n.children.length > 0 || s.on || s.always || s.after)) {
      add('final-with-transitions', n.ptr, `终态 "${n.key}" 不能有子状态或转换`, `Final state "${n.key}" cannot have child states or transitions`);
    }
    if (n.children.length > 0 && !isParallel) {
      if (s.initial === undefined) add('missing-initial', n.ptr, `复合状态 "${n.key}" 缺少 initial`, `Compound state "${n.key}" has no initial state`);
      else if (!n.children.some((c) => c.key === s.initial)) {
        const sug = suggestion(s.initial, n.children.map((c) => c.key));
        add('unknown-target', [...n.ptr, 'initial'], `初始状态 "${s.initial}" 不是 "${n.key}" 的子状态${sug.zh}`, `Initial state "${s.initial}" is not a child of "${n.key}"${sug.en}`);
      }
    } else if (s.initial !== undefined && n.children.length === 0) {
      add('unknown-target', [...n.ptr, 'initial'], `状态 "${n.key}" 没有子状态，initial 无效`, `State "${n.key}" has no child states, so initial is meaningless`);
    }
    for (const [ev, t] of Object.entries(s.on ?? {})) {
      event(ev, [...n.ptr, 'on', ev]);
      const before = sites.length;
      transitionList(t as WorkflowTransitions, [...n.ptr, 'on', ev], n);
      eventSites.push({ event: ev, sites: sites.slice(before) });
    }
    if (s.always) transitionList(s.always as WorkflowTransitions, [...n.ptr, 'always'], n);
    for (const [delay, t] of Object.entries(s.after ?? {})) {
      if (!delayNames.includes(delay)) {
        const sug = suggestion(delay, delayNames);
        add('unknown-delay', [...n.ptr, 'after', delay], `延时 "${delay}" 未在 delays 中声明${sug.zh}`, `Delay "${delay}" is not declared in delays${sug.en}`);
      }
      transitionList(t as WorkflowTransitions, [...n.ptr, 'after', delay], n);
    }
    actions(s.entry as Action[] | undefined, [...n.ptr, 'entry']);
    actions(s.exit as Action[] | undefined, [...n.ptr, 'exit']);
    const stateTaskIds = new Set<string>();
    (s.tasks as WorkflowTask[] | undefined)?.forEach((task, i) => {
      const at = [...n.ptr, 'tasks', i];
      // The same id in two states is one task reopened; twice in one state would collide.
      if (stateTaskIds.has(task.id)) add('duplicate-id', [...at, 'id'], `任务 id "${task.id}" 在同一状态中重复`, `Task id "${task.id}" is used twice in one state`);
      stateTaskIds.add(task.id);
      openedTasks.add(task.id);
      role(task.role, [...at, 'role']);
      form(task.form, [...at, 'form']);
      if (task.user) user(task.user, [...at, 'user']);
      if (task.due) deadline(task.due, [...at, 'due']);
      task.events?.forEach((e, j) => event(e, [...at, 'events', j]));
      text(task.title, [...at, 'title']);
    });
  }

  for (const r of taskRefs) if (!openedTasks.has(r.id)) {
    const s = suggestion(r.id, openedTasks);
    add('unknown-task', r.path, `任务 "${r.id}" 从未被打开${s.zh}`, `Task "${r.id}" is never opened${s.en}`);
  }
  for (const r of timerRefs) if (!scheduledTimers.has(r.id)) {
    const s = suggestion(r.id, scheduledTimers);
    add('unknown-timer', r.path, `计时器 "${r.id}" 从未被设定${s.zh}`, `Timer "${r.id}" is never scheduled${s.en}`);
  }

  // Targets, then reachability and dead ends.
  const resolve = (from: Node, target: string): Node | undefined => {
    if (target.startsWith('#')) return byId.get(target.slice(1));
    const [first, ...rest] = target.startsWith('.') ? target.slice(1).split('.') : target.split('.');
    const scope = target.startsWith('.') ? from : (from.parent ?? from);
    let cur = scope.children.find((c) => c.key === first);
    for (const k of rest) cur = cur?.children.find((c) => c.key === k);
    return cur;
  };
  const resolved = new Map<TransitionRef, Node>();
  for (const t of transitions) {
    const n = resolve(t.from, t.target);
    if (n) {
      resolved.set(t, n);
      continue;
    }
    const candidates = t.target.startsWith('#') ? [...byId.keys()].map((k) => '#' + k) : (t.target.startsWith('.') ? t.from : (t.from.parent ?? t.from)).children.map((c) => (t.target.startsWith('.') ? '.' : '') + c.key);
    const s = suggestion(t.target, candidates);
    add('unknown-target', t.ptr, `转换目标 "${t.target}" 不存在（自状态 "${t.from.path.join('.') || t.from.key}"）${s.zh}`, `Transition target "${t.target}" does not exist (from state "${t.from.path.join('.') || t.from.key}")${s.en}`);
  }

  const reached = new Set<Node>();
  const enter = (n: Node): void => {
    for (let a: Node | undefined = n; a && !reached.has(a); a = a.parent) reached.add(a);
    if (n.node.type === 'parallel') n.children.forEach((c) => { if (!reached.has(c)) enter(c); });
    else {
      const init = n.children.find((c) => c.key === n.node.initial);
      if (init && !reached.has(init)) enter(init);
    }
  };
  enter(root);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [t, n] of resolved) {
      if (reached.has(t.from) && !reached.has(n)) {
        enter(n);
        changed = true;
      }
    }
  }
  const hasExit = (n: Node): boolean => {
    for (let a: Node | undefined = n; a; a = a.parent) {
      const s = a.node;
      if (Object.keys(s.on ?? {}).length > 0 || s.always || Object.keys(s.after ?? {}).length > 0) return true;
    }
    return false;
  };
  // A broken target or initial makes reachability meaningless: report the cause, not its echoes.
  const structureBroken = out.some((f) => f.rule === 'unknown-target' || f.rule === 'missing-initial');
  for (const n of nodes) {
    if (n === root) continue;
    if (!reached.has(n)) {
      if (structureBroken) continue;
      add('unreachable-state', n.ptr, `状态 "${n.path.join('.')}" 不可达：没有转换进入它`, `State "${n.path.join('.')}" is unreachable: no transition enters it`);
    } else if (n.children.length === 0 && n.node.type !== 'final' && !hasExit(n) && !inParallelWithExit(n)) {
      add('dead-end-state', n.ptr, `非终态 "${n.path.join('.')}" 没有任何出路（无 on、always 或 after）`, `Non-final state "${n.path.join('.')}" has no way out (no on, always or after)`);
    }
  }
  // Words for people: every state and context field has a title, residents get their own description, serials their own prefix.
  for (const n of nodes) {
    if (n !== root && !n.node.title) add('missing-title', n.ptr, `状态“${n.path.join('.')}”没有标题（title，中英文），界面只能显示由键名生成的文字`, `State "${n.path.join('.')}" has no title (zh and en): screens can only show words made from its key`, 'warning');
  }
  for (const name of Object.keys(wf.delays ?? {})) {
    if (!wf.timerTitles?.[name]) add('missing-title', ['delays', name], `定时器“${name}”没有名称：请在 timerTitles 中写明（中英文），时限栏只能显示由键名生成的文字`, `Timer "${name}" has no title: give it one under timerTitles (zh and en), or the time-limits panel can only show words made from its key`, 'warning');
  }
  for (const name of Object.keys(wf.timerTitles ?? {})) {
    if (!wf.delays?.[name]) add('unknown-timer', ['timerTitles', name], `timerTitles 中的“${name}”不是 delays 中的定时器`, `"${name}" in timerTitles is no timer of delays`);
  }
  if (ctx.formDefs) {
    const views = contextFields(wf, ctx.formDefs);
    for (const name of contextFieldNames(wf, ctx.formDefs)) {
      if (views.has(name)) continue;
      const at = wf.context && name in wf.context ? ['context', name] : (assignedAt.get(name) ?? ['context']);
      add('missing-title', at, `上下文字段“${name}”没有标题：请在 contextFields 中写明（或由表单的同名字段采集）`, `Context field "${name}" has no title: describe it under contextFields (or capture it with a form field of that name)`, 'warning');
    }
  }
  const residentsFollow = wf.roles.includes('resident') || JSON.stringify(wf.machine).includes('"resident":true');
  if (residentsFollow && !wf.residentDescription) add('missing-resident-description', [], '住户会发起或关注此流程，但没有 residentDescription：住户只能看到给员工的办理流程', 'Residents start or follow this workflow but it has no residentDescription: they would read the staff procedure', 'warning');
  if (wf.serialPrefix === undefined) add('missing-serial-prefix', [], `没有 serialPrefix：工单编号前缀将取 id 首字母“${serialPrefixOf(wf)}”，容易与其他流程重复`, `No serialPrefix: serials take the initials of the id ("${serialPrefixOf(wf)}"), which other workflows easily share`, 'warning');
  for (const name of eventNames) if (!usedEvents.has(name)) add('unused-event', ['events', name], `事件 "${name}" 已声明但没有状态监听它`, `Event "${name}" is declared but no state listens for it`, 'warning');

  // `event.data.X` in a transition must be a field of the form that event's data satisfies.
  for (const { event: ev, sites: evSites } of eventSites) {
    const formId = events[ev]?.form;
    const fields = formId === undefined ? undefined : ctx.formFields?.get(formId);
    if (!fields) continue;
    for (const site of evSites) {
      for (const m of site.source.matchAll(/\bevent\.data\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
        if (fields.has(m[1]!)) continue;
        const sug = suggestion(m[1]!, fields);
        add('unknown-event-field', site.path, `事件 "${ev}" 的表单 "${formId}" 没有字段 "${m[1]}"${sug.zh}`, `The form "${formId}" of event "${ev}" has no field "${m[1]}"${sug.en}`);
      }
    }
  }
  // `context.X` should be something the instance has: initial context, an assign target, a start
  // form field, or the engine's serial. A warning: the engine may grow more.
  if (ctx.formFields) {
    const known = new Set(['serial', ...Object.keys(wf.context ?? {}), ...assigned]);
    const startForm = wf.start?.form === undefined ? undefined : ctx.formFields.get(wf.start.form);
    for (const f of startForm ?? []) known.add(f);
    for (const site of sites) {
      for (const m of site.source.matchAll(/\bcontext\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
        if (known.has(m[1]!)) continue;
        const sug = suggestion(m[1]!, known);
        add('unknown-context-field', site.path, `上下文没有字段 "${m[1]}"（不在初始 context、assign 或发起表单中）${sug.zh}`, `The context has no field "${m[1]}" (not in the initial context, an assign or the start form)${sug.en}`, 'warning');
      }
    }
  }
  out.push(...checkExpressions(sites, file, paramsKnown));
  return out;
}

/** A region of a parallel state may rest in an atomic state while a sibling region moves on. */
function inParallelWithExit(n: Node): boolean {
  for (let a = n.parent; a; a = a.parent) if (a.node.type === 'parallel') return true;
  return false;
}
