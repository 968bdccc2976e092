/**
 * What a publish changes, in words people read: the draft of a definition against its published
 * version, as lines in zh and en ("派单时限 15 → 10 分钟", "新增状态 待缴费", "转换 审核通过 增加角色
 * 财务"), each with the JSON pointer it is about. Every structural difference (`diffJson`) is covered:
 * one the phrases below do not name comes out as "其他变更 <path>", so the list never hides a change.
 * Pure; the designer shows it before publishing, with the JSON Patch as a detail.
 */
import { formatYuan } from '@estateflow/expr';
import { diffJson } from './diff-json.ts';
import type { LocalText as Text } from './finding.ts';

export type ChangeLine = { path: string; text: Text };
export type ChangeListOptions = {
  /** A role's name in both languages (the UI's catalogue); default the role key. */
  roleName?: (role: string) => Text;
};

type Doc = Record<string, unknown>;
type Node = { title?: Text; type?: string; states?: Record<string, Node>; on?: Record<string, unknown>; after?: Record<string, unknown>; tasks?: { id: string; title?: Text }[]; entry?: unknown; exit?: unknown; always?: unknown; residentTitle?: Text };

const isObj = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const both = (zh: string, en: string): Text => ({ zh, en });
const escape = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
const isText = (v: unknown): v is Text => isObj(v) && typeof v.zh === 'string' && typeof v.en === 'string';
const say = (v: unknown, fallback: string): Text => (isText(v) ? v : both(fallback, fallback));
const join = (parts: Text[], sep: Text = both('、', ', ')): Text => ({ zh: parts.map((p) => p.zh).join(sep.zh), en: parts.map((p) => p.en).join(sep.en) });
const line = (path: string, zh: string, en: string): ChangeLine => ({ path, text: both(zh, en) });

const UNITS: Record<string, Text> = {
  minutes: both('分钟', 'minutes'), hours: both('小时', 'hours'), days: both('天', 'days'),
  weeks: both('周', 'weeks'), months: both('个月', 'months'), years: both('年', 'years'),
};

/** The numeric rules of a parameter's schema named in the change list, in the value's unit. */
const RULES: Record<string, Text> = {
  minimum: both('最小值', 'minimum'), maximum: both('最大值', 'maximum'),
  exclusiveMinimum: both('下限（不含）', 'exclusive minimum'), exclusiveMaximum: both('上限（不含）', 'exclusive maximum'),
  multipleOf: both('倍数', 'multiple of'),
};

/** A parameter's value as people read it, and its unit (from the name's suffix): fen as yuan. */
function paramValue(name: string, v: unknown): { value: string; unit?: Text } {
  if (typeof v === 'number' && Number.isSafeInteger(v) && /Fen$/.test(name)) return { value: `¥${formatYuan(BigInt(v))}` };
  const unit = /Minutes$/.test(name) ? UNITS.minutes : /Hours$/.test(name) ? UNITS.hours : /Days$/.test(name) ? UNITS.days : /Months$/.test(name) ? UNITS.months : undefined;
  return { value: typeof v === 'string' ? v : JSON.stringify(v), ...(unit ? { unit } : {}) };
}

/** "15 → 10 分钟": both values, the unit once. */
function valueChange(name: string, from: unknown, to: unknown): Text {
  const a = paramValue(name, from);
  const b = paramValue(name, to);
  return both(`${a.value} → ${b.value}${b.unit ? ` ${b.unit.zh}` : ''}`, `${a.value} → ${b.value}${b.unit ? ` ${b.unit.en}` : ''}`);
}

function valueText(name: string, v: unknown): Text {
  const a = paramValue(name, v);
  return both(`${a.value}${a.unit ? ` ${a.unit.zh}` : ''}`, `${a.value}${a.unit ? ` ${a.unit.en}` : ''}`);
}

/** A parameter's title without a trailing unit in brackets ("派单时限（分钟）" → "派单时限"). */
function paramTitle(name: string, p: unknown): Text {
  const t = say(isObj(p) ? p.title : undefined, name);
  const strip = (s: string) => s.replace(/\s*[（(][^（()）]*[)）]\s*$/, '');
  return both(strip(t.zh), strip(t.en));
}

/** A deadline in words: "3 个工作日", "15 minutes", "params.x 天". */
function deadlineText(d: unknown): Text {
  if (!isObj(d)) return both('—', '—');
  const after = isObj(d.after) ? d.after : undefined;
  if (after) {
    const unit = UNITS[String(after.unit)] ?? both(String(after.unit), String(after.unit));
    const amount = String(after.amount);
    const workingZh: Record<string, string> = { minutes: '工作分钟', hours: '工作小时', days: '个工作日', weeks: '个工作周', months: '个工作月', years: '个工作年' };
    return d.working ? both(`${amount} ${workingZh[String(after.unit)] ?? unit.zh}`, `${amount} working ${unit.en}`) : both(`${amount} ${unit.zh}`, `${amount} ${unit.en}`);
  }
  if (d.endOfDay) return both('当天结束前', 'by the end of the day');
  if (typeof d.at === 'string') return both(`当天 ${d.at} 前`, `by ${d.at}`);
  const s = JSON.stringify(d);
  return both(s, s);
}

function statesOf(doc: Doc): Map<string, Node> {
  const out = new Map<string, Node>();
  const walk = (states: unknown, prefix: string) => {
    if (!isObj(states)) return;
    for (const [k, v] of Object.entries(states)) {
      const p = prefix ? `${prefix}.${k}` : k;
      out.set(p, v as Node);
      walk((v as Node).states, p);
    }
  };
  walk(isObj(doc.machine) ? doc.machine.states : undefined, '');
  return out;
}

const statePointer = (p: string) => '/machine/states/' + p.split('.').map(escape).join('/states/');

/** Transitions of a state by event (`on`), each as its list of targets (raw strings). */
function targetsOf(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.map((t) => (typeof t === 'string' ? t : isObj(t) && typeof t.target === 'string' ? t.target : ''));
}

function setDiff(a: unknown, b: unknown): { added: string[]; removed: string[] } {
  const x = new Set(Array.isArray(a) ? (a as string[]) : []);
  const y = new Set(Array.isArray(b) ? (b as string[]) : []);
  return { added: [...y].filter((r) => !x.has(r)), removed: [...x].filter((r) => !y.has(r)) };
}

function workflowLines(a: Doc, b: Doc, roleName: (r: string) => Text): ChangeLine[] {
  const out: ChangeLine[] = [];
  const roles = (list: string[]) => join(list.map(roleName));
  const sA = statesOf(a);
  const sB = statesOf(b);
  const stateName = (p: string) => say((sB.get(p) ?? sA.get(p))?.title, p);
  const evA = (isObj(a.events) ? a.events : {}) as Record<string, Doc>;
  const evB = (isObj(b.events) ? b.events : {}) as Record<string, Doc>;
  const eventName = (e: string) => say((evB[e] ?? evA[e])?.label, e);
  const resolve = (from: string, target: string, states: Map<string, Node>): string => {
    if (target.startsWith('#')) return target.split('.').slice(1).join('.');
    if (target.startsWith('.')) return `${from}${target}`;
    const sibling = [...from.split('.').slice(0, -1), target].join('.');
    return states.has(sibling) ? sibling : target;
  };

  // the process
  for (const [key, zh, en] of [['title', '流程名称', 'Process title'], ['description', '办理说明', 'Staff procedure'], ['residentDescription', '给住户的说明', 'Resident description']] as const) {
    if (!same(a[key], b[key])) out.push({ path: `/${key}`, text: b[key] === undefined ? both(`删除${zh}`, `${en} removed`) : a[key] === undefined ? both(`新增${zh}`, `${en} added`) : both(`${zh}改为“${say(b[key], '').zh}”`, `${en} now "${say(b[key], '').en}"`) });
  }
  for (const [key, zh, en] of [['category', '类别', 'Category'], ['serialPrefix', '工单编号前缀', 'Serial prefix'], ['calendar', '日历', 'Calendar'], ['privacy', '可见范围', 'Privacy']] as const) {
    if (!same(a[key], b[key])) out.push(line(`/${key}`, `${zh} ${String(a[key] ?? '—')} → ${String(b[key] ?? '—')}`, `${en} ${String(a[key] ?? '—')} → ${String(b[key] ?? '—')}`));
  }
  const rolesChange = setDiff(a.roles, b.roles);
  if (rolesChange.added.length) out.push({ path: '/roles', text: join([both('流程增加角色 ', 'Process adds roles '), roles(rolesChange.added)], both('', '')) });
  if (rolesChange.removed.length) out.push({ path: '/roles', text: join([both('流程移除角色 ', 'Process drops roles '), roles(rolesChange.removed)], both('', '')) });
  const startA = (isObj(a.start) ? a.start : {}) as Doc;
  const startB = (isObj(b.start) ? b.start : {}) as Doc;
  if (!same(startA.form, startB.form)) out.push(line('/start/form', `发起表单 ${String(startA.form ?? '—')} → ${String(startB.form ?? '—')}`, `Start form ${String(startA.form ?? '—')} → ${String(startB.form ?? '—')}`));
  const startRoles = setDiff(startA.roles, startB.roles);
  if (startRoles.added.length) out.push({ path: '/start/roles', text: join([both('可发起角色增加 ', 'May now start: '), roles(startRoles.added)], both('', '')) });
  if (startRoles.removed.length) out.push({ path: '/start/roles', text: join([both('可发起角色移除 ', 'May no longer start: '), roles(startRoles.removed)], both('', '')) });
  if (!same(a.start, b.start) && !startRoles.added.length && !startRoles.removed.length && same(startA.form, startB.form)) out.push(line('/start', '发起设置变更', 'Start settings changed'));

  // parameters
  const pA = (isObj(a.params) ? a.params : {}) as Record<string, Doc>;
  const pB = (isObj(b.params) ? b.params : {}) as Record<string, Doc>;
  for (const name of new Set([...Object.keys(pA), ...Object.keys(pB)])) {
    const path = `/params/${escape(name)}`;
    const title = paramTitle(name, pB[name] ?? pA[name]);
    if (!pA[name]) out.push({ path, text: both(`新增参数 ${title.zh}（默认 ${valueText(name, pB[name]!.default).zh}）`, `New parameter ${title.en} (default ${valueText(name, pB[name]!.default).en})`) });
    else if (!pB[name]) out.push({ path, text: both(`删除参数 ${title.zh}`, `Parameter ${title.en} removed`) });
    else {
      if (!same(pA[name]!.default, pB[name]!.default)) {
        const c = valueChange(name, pA[name]!.default, pB[name]!.default);
        out.push({ path: `${path}/default`, text: both(`${title.zh} ${c.zh}`, `${title.en} ${c.en}`) });
      }
      if (!same(pA[name]!.schema, pB[name]!.schema)) {
        // a numeric rule in words, in the value's own unit (a money rule in yuan); any other rule change generically
        const sA = (isObj(pA[name]!.schema) ? pA[name]!.schema : {}) as Doc;
        const sB = (isObj(pB[name]!.schema) ? pB[name]!.schema : {}) as Doc;
        const named = Object.keys(RULES).filter((k) => !same(sA[k], sB[k]));
        for (const k of named) {
          const none = both('无', 'none');
          const from = sA[k] === undefined ? none : valueText(name, sA[k]);
          const to = sB[k] === undefined ? none : valueText(name, sB[k]);
          out.push({ path: `${path}/schema/${k}`, text: both(`参数 ${title.zh} 的${RULES[k]!.zh} ${from.zh} → ${to.zh}`, `${title.en}: ${RULES[k]!.en} ${from.en} → ${to.en}`) });
        }
        const rest = (d: Doc) => JSON.stringify(Object.fromEntries(Object.entries(d).filter(([k]) => !(k in RULES))));
        if (rest(sA) !== rest(sB)) out.push({ path: `${path}/schema`, text: both(`参数 ${title.zh} 的取值范围变更`, `Allowed values of ${title.en} changed`) });
      }
      if (!same(pA[name]!.title, pB[name]!.title)) out.push({ path: `${path}/title`, text: both(`参数改名为 ${title.zh}`, `Parameter renamed ${title.en}`) });
    }
  }

  // delays (timers' durations)
  const dA = (isObj(a.delays) ? a.delays : {}) as Doc;
  const dB = (isObj(b.delays) ? b.delays : {}) as Doc;
  for (const name of new Set([...Object.keys(dA), ...Object.keys(dB)])) {
    if (same(dA[name], dB[name])) continue;
    const path = `/delays/${escape(name)}`;
    if (dA[name] === undefined) out.push({ path, text: both(`新增时限 ${name}：${deadlineText(dB[name]).zh}`, `New delay ${name}: ${deadlineText(dB[name]).en}`) });
    else if (dB[name] === undefined) out.push(line(path, `删除时限 ${name}`, `Delay ${name} removed`));
    else out.push({ path, text: both(`时限 ${name} ${deadlineText(dA[name]).zh} → ${deadlineText(dB[name]).zh}`, `Delay ${name} ${deadlineText(dA[name]).en} → ${deadlineText(dB[name]).en}`) });
  }
  for (const key of ['guards', 'ladders', 'context', 'contextFields'] as const) {
    const x = (isObj(a[key]) ? a[key] : {}) as Doc;
    const y = (isObj(b[key]) ? b[key] : {}) as Doc;
    for (const name of new Set([...Object.keys(x), ...Object.keys(y)])) {
      if (same(x[name], y[name])) continue;
      const what = { guards: both('条件', 'Guard'), ladders: both('升级梯队', 'Escalation ladder'), context: both('初始数据', 'Initial data'), contextFields: both('数据字段', 'Data field') }[key];
      const verb = x[name] === undefined ? both('新增', 'added') : y[name] === undefined ? both('删除', 'removed') : both('变更', 'changed');
      out.push(line(`/${key}/${escape(name)}`, `${verb.zh}${what.zh} ${name}`, `${what.en} ${name} ${verb.en}`));
    }
  }

  // states
  if (isObj(a.machine) && isObj(b.machine) && !same(a.machine.initial, b.machine.initial)) out.push({ path: '/machine/initial', text: both(`初始状态 ${stateName(String(a.machine.initial)).zh} → ${stateName(String(b.machine.initial)).zh}`, `Initial state ${stateName(String(a.machine.initial)).en} → ${stateName(String(b.machine.initial)).en}`) });
  for (const p of new Set([...sA.keys(), ...sB.keys()])) {
    const x = sA.get(p);
    const y = sB.get(p);
    const path = statePointer(p);
    const n = stateName(p);
    if (!x) {
      out.push({ path, text: both(`新增状态 ${n.zh}${y!.type === 'final' ? '（终止）' : ''}`, `New state ${n.en}${y!.type === 'final' ? ' (final)' : ''}`) });
      continue;
    }
    if (!y) {
      out.push({ path, text: both(`删除状态 ${n.zh}`, `State ${n.en} removed`) });
      continue;
    }
    if (!same(x.title, y.title)) out.push({ path: `${path}/title`, text: both(`状态 ${say(x.title, p).zh} 改名为 ${n.zh}`, `State ${say(x.title, p).en} renamed ${n.en}`) });
    if (!same(x.residentTitle, y.residentTitle)) out.push({ path: `${path}/residentTitle`, text: both(`状态 ${n.zh} 给住户的名称变更`, `What residents read for ${n.en} changed`) });
    if (x.type !== y.type) out.push({ path: `${path}/type`, text: y.type === 'final' ? both(`状态 ${n.zh} 成为终止状态`, `State ${n.en} is now final`) : both(`状态 ${n.zh} 不再是终止状态`, `State ${n.en} is no longer final`) });
    const tA = new Map((x.tasks ?? []).map((t) => [t.id, t]));
    const tB = new Map((y.tasks ?? []).map((t) => [t.id, t]));
    for (const id of new Set([...tA.keys(), ...tB.keys()])) {
      if (same(tA.get(id), tB.get(id))) continue;
      const tn = say((tB.get(id) ?? tA.get(id))?.title, id);
      const verb = !tA.has(id) ? both('新增任务', 'new task') : !tB.has(id) ? both('删除任务', 'task removed:') : both('任务变更', 'task changed:');
      out.push({ path: `${path}/tasks`, text: both(`状态 ${n.zh} ${verb.zh} ${tn.zh}`, `State ${n.en}: ${verb.en} ${tn.en}`) });
    }
    if (!same(x.tasks ?? [], y.tasks ?? []) && same([...tA.keys()], [...tB.keys()]) && [...tA.keys()].every((id) => same(tA.get(id), tB.get(id)))) out.push({ path: `${path}/tasks`, text: both(`状态 ${n.zh} 的任务顺序变更`, `Order of the tasks of ${n.en} changed`) });
    for (const key of ['entry', 'exit', 'always', 'description', 'meta', 'source', 'initial', 'states'] as const) {
      if (key === 'states') continue;
      const xv = (x as Doc)[key];
      const yv = (y as Doc)[key];
      if (same(xv, yv)) continue;
      const what = { entry: both('进入动作', 'entry actions'), exit: both('离开动作', 'exit actions'), always: both('自动转换', 'automatic transitions'), description: both('说明', 'description'), meta: both('附加信息', 'meta'), source: both('需求编号', 'requirement ids'), initial: both('初始子状态', 'initial child state') }[key];
      out.push({ path: `${path}/${key}`, text: both(`状态 ${n.zh} 的${what.zh}变更`, `State ${n.en}: ${what.en} changed`) });
    }
    // timers on the state
    const aA = x.after ?? {};
    const aB = y.after ?? {};
    for (const d of new Set([...Object.keys(aA), ...Object.keys(aB)])) {
      if (same(aA[d], aB[d])) continue;
      const to = targetsOf(aB[d] ?? aA[d]).map((t) => stateName(resolve(p, t, aB[d] ? sB : sA)));
      const verb = aA[d] === undefined ? both('新增定时器', 'new timer') : aB[d] === undefined ? both('删除定时器', 'timer removed:') : both('定时器变更', 'timer changed:');
      out.push({ path: `${path}/after/${escape(d)}`, text: both(`状态 ${n.zh} ${verb.zh} ${d} → ${to.map((t) => t.zh).join('、')}`, `State ${n.en}: ${verb.en} ${d} → ${to.map((t) => t.en).join(', ')}`) });
    }
    // transitions out of the state
    const oA = x.on ?? {};
    const oB = y.on ?? {};
    for (const ev of new Set([...Object.keys(oA), ...Object.keys(oB)])) {
      if (same(oA[ev], oB[ev])) continue;
      const e = eventName(ev);
      const tp = `${path}/on/${escape(ev)}`;
      const from = stateName(p);
      const toA = targetsOf(oA[ev]).map((t) => stateName(resolve(p, t, sA)));
      const toB = targetsOf(oB[ev]).map((t) => stateName(resolve(p, t, sB)));
      if (oA[ev] === undefined) out.push({ path: tp, text: both(`新增转换 ${e.zh}：${from.zh} → ${toB.map((t) => t.zh).join('、')}`, `New transition ${e.en}: ${from.en} → ${toB.map((t) => t.en).join(', ')}`) });
      else if (oB[ev] === undefined) out.push({ path: tp, text: both(`删除转换 ${e.zh}（${from.zh}）`, `Transition ${e.en} from ${from.en} removed`) });
      else if (!same(toA, toB)) out.push({ path: tp, text: both(`转换 ${e.zh}（${from.zh}）目标 ${toA.map((t) => t.zh).join('、')} → ${toB.map((t) => t.zh).join('、')}`, `Transition ${e.en} from ${from.en}: target ${toA.map((t) => t.en).join(', ')} → ${toB.map((t) => t.en).join(', ')}`) });
      else out.push({ path: tp, text: both(`转换 ${e.zh}（${from.zh}）的条件或动作变更`, `Transition ${e.en} from ${from.en}: guard or actions changed`) });
    }
  }

  // events: who may send them, with which form, their words
  for (const ev of new Set([...Object.keys(evA), ...Object.keys(evB)])) {
    const x = evA[ev];
    const y = evB[ev];
    if (same(x, y)) continue;
    const path = `/events/${escape(ev)}`;
    const e = eventName(ev);
    if (!x) {
      out.push({ path, text: both(`新增事件 ${e.zh}`, `New event ${e.en}`) });
      continue;
    }
    if (!y) {
      out.push({ path, text: both(`删除事件 ${e.zh}`, `Event ${e.en} removed`) });
      continue;
    }
    const r = setDiff(x.roles, y.roles);
    if (r.added.length) out.push({ path: `${path}/roles`, text: both(`转换 ${e.zh} 增加角色 ${roles(r.added).zh}`, `Transition ${e.en} adds role ${roles(r.added).en}`) });
    if (r.removed.length) out.push({ path: `${path}/roles`, text: both(`转换 ${e.zh} 移除角色 ${roles(r.removed).zh}`, `Transition ${e.en} drops role ${roles(r.removed).en}`) });
    if (!r.added.length && !r.removed.length && !same(x.roles, y.roles)) out.push({ path: `${path}/roles`, text: both(`转换 ${e.zh} 的角色顺序变更`, `Order of the roles of ${e.en} changed`) });
    if (!same(x.form, y.form)) out.push(line(`${path}/form`, `转换 ${e.zh} 的表单 ${String(x.form ?? '—')} → ${String(y.form ?? '—')}`, `Transition ${e.en}: form ${String(x.form ?? '—')} → ${String(y.form ?? '—')}`));
    if (!same(x.label, y.label)) out.push({ path: `${path}/label`, text: both(`转换 ${say(x.label, ev).zh} 改名为 ${e.zh}`, `Transition ${say(x.label, ev).en} renamed ${e.en}`) });
    if (!same(x.system, y.system)) out.push({ path: `${path}/system`, text: both(`事件 ${e.zh} ${y.system ? '改由系统发送' : '改由人员发送'}`, `Event ${e.en} is now sent by ${y.system ? 'the system' : 'people'}`) });
  }
  return out;
}

function slaLines(a: Doc, b: Doc): ChangeLine[] {
  const out: ChangeLine[] = [];
  const mA = new Map(((a.metrics ?? []) as Doc[]).map((m, i) => [String(m.id), { m, i }]));
  const mB = new Map(((b.metrics ?? []) as Doc[]).map((m, i) => [String(m.id), { m, i }]));
  for (const id of new Set([...mA.keys(), ...mB.keys()])) {
    const x = mA.get(id);
    const y = mB.get(id);
    const n = say((y ?? x)!.m.title, id);
    if (!x) { out.push({ path: `/metrics/${y!.i}`, text: both(`新增指标 ${n.zh}`, `New metric ${n.en}`) }); continue; }
    if (!y) { out.push({ path: `/metrics/${x.i}`, text: both(`删除指标 ${n.zh}`, `Metric ${n.en} removed`) }); continue; }
    const path = `/metrics/${y.i}`;
    const gA = (x.m.goals ?? []) as Doc[];
    const gB = (y.m.goals ?? []) as Doc[];
    for (let i = 0; i < Math.max(gA.length, gB.length); i++) {
      if (same(gA[i], gB[i])) continue;
      if (!gA[i]) out.push({ path: `${path}/goals/${i}`, text: both(`指标 ${n.zh} 新增目标 ${deadlineText(gB[i]!.deadline).zh}`, `Metric ${n.en}: new goal ${deadlineText(gB[i]!.deadline).en}`) });
      else if (!gB[i]) out.push({ path: `${path}/goals/${i}`, text: both(`指标 ${n.zh} 删除目标 ${deadlineText(gA[i]!.deadline).zh}`, `Metric ${n.en}: goal ${deadlineText(gA[i]!.deadline).en} removed`) });
      else out.push({ path: `${path}/goals/${i}`, text: both(`指标 ${n.zh} 时限 ${deadlineText(gA[i]!.deadline).zh} → ${deadlineText(gB[i]!.deadline).zh}${same(gA[i]!.when, gB[i]!.when) ? '' : '（适用条件变更）'}`, `Metric ${n.en}: deadline ${deadlineText(gA[i]!.deadline).en} → ${deadlineText(gB[i]!.deadline).en}${same(gA[i]!.when, gB[i]!.when) ? '' : ' (condition changed)'}`) });
    }
    for (const key of ['start', 'pause', 'resume', 'stop', 'reset', 'warnings', 'onBreach', 'calendar', 'title'] as const) {
      if (same(x.m[key], y.m[key])) continue;
      const what = { start: both('开始条件', 'start conditions'), pause: both('暂停条件', 'pause conditions'), resume: both('恢复条件', 'resume conditions'), stop: both('停止条件', 'stop conditions'), reset: both('重置条件', 'reset conditions'), warnings: both('预警', 'warnings'), onBreach: both('超时升级', 'breach ladder'), calendar: both('日历', 'calendar'), title: both('名称', 'title') }[key];
      out.push({ path: `${path}/${key}`, text: both(`指标 ${n.zh} 的${what.zh}变更`, `Metric ${n.en}: ${what.en} changed`) });
    }
  }
  return out;
}

function formLines(a: Doc, b: Doc): ChangeLine[] {
  const out: ChangeLine[] = [];
  const labelOf = (doc: Doc, f: string): Text | undefined => {
    for (const s of ((doc.layout as Doc | undefined)?.sections ?? []) as Doc[]) for (const x of (s.fields ?? []) as Doc[]) if (x.field === f && isText(x.label)) return x.label;
    return undefined;
  };
  const props = (d: Doc) => ((d.schema as Doc | undefined)?.properties ?? {}) as Doc;
  const pA = props(a);
  const pB = props(b);
  for (const f of new Set([...Object.keys(pA), ...Object.keys(pB)])) {
    const n = labelOf(b, f) ?? labelOf(a, f) ?? both(f, f);
    const path = `/schema/properties/${escape(f)}`;
    if (!(f in pA)) out.push({ path, text: both(`新增字段 ${n.zh}`, `New field ${n.en}`) });
    else if (!(f in pB)) out.push({ path, text: both(`删除字段 ${n.zh}`, `Field ${n.en} removed`) });
    else if (!same(pA[f], pB[f])) out.push({ path, text: both(`字段 ${n.zh} 的取值规则变更`, `Rules of field ${n.en} changed`) });
  }
  const r = setDiff((a.schema as Doc | undefined)?.required, (b.schema as Doc | undefined)?.required);
  for (const f of r.added) out.push({ path: '/schema/required', text: both(`字段 ${(labelOf(b, f) ?? both(f, f)).zh} 改为必填`, `Field ${(labelOf(b, f) ?? both(f, f)).en} is now required`) });
  for (const f of r.removed) out.push({ path: '/schema/required', text: both(`字段 ${(labelOf(b, f) ?? both(f, f)).zh} 改为选填`, `Field ${(labelOf(b, f) ?? both(f, f)).en} is now optional`) });
  if (!same(a.layout, b.layout)) out.push(line('/layout', '表单布局或字段文字变更', 'Layout or field texts changed'));
  return out;
}

/**
 * The change list of publishing `after` over `before` (the published version; null for a first
 * version). Lines in document order of their kind's phrases, then any difference they do not cover.
 * @example changeList(published, draft)[0].text.zh // "派单时限 15 → 10 分钟"
 */
export function changeList(before: unknown, after: unknown, options: ChangeListOptions = {}): ChangeLine[] {
  if (!isObj(after)) return [];
  if (!isObj(before)) return [{ path: '', text: both('首次发布', 'First version') }];
  const roleName = options.roleName ?? ((r: string) => both(r, r));
  const kind = after.kind;
  const lines = kind === 'workflow' ? workflowLines(before, after, roleName) : kind === 'sla' ? slaLines(before, after) : kind === 'form' ? formLines(before, after) : [];
  if (kind === 'sla' || kind === 'form') {
    for (const key of ['title', 'workflow', 'calendar', 'description'] as const) {
      if (!same(before[key], after[key])) lines.push(line(`/${key}`, `${{ title: '名称', workflow: '适用流程', calendar: '日历', description: '说明' }[key]}变更`, `${key} changed`));
    }
  }
  // every structural difference is covered by a line about it or about something containing it
  const covered = (p: string) => lines.some((l) => l.path === p || p.startsWith(l.path + '/') || (l.path !== '' && l.path.startsWith(p + '/')));
  for (const c of diffJson(before, after)) {
    if (!covered(c.path)) lines.push(line(c.path, `其他变更 ${c.path}`, `Other change ${c.path}`));
  }
  return lines;
}
