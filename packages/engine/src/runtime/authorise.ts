/** Who may send what, and whether the data fits the form: checked before the machine sees it. */
import type { CompiledWorkflow } from '../compile/compile.ts';
import { engineError, type EngineError } from '../errors.ts';
import type { FormRuleInput } from '../adapters/forms.ts';
import type { Actor, EngineEvent, EngineSnapshot } from '../types.ts';

/** A state value as one readable string: `work.rework`, or `a.x + b.y` for parallel states. */
export function describeState(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => {
        const inner = describeState(v);
        return inner.includes(' + ') ? inner.split(' + ').map((x) => `${k}.${x}`).join(' + ') : `${k}.${inner}`;
      })
      .join(' + ');
  }
  return String(value);
}

/** An event type as messages echo it: the sender chose it, so at most 64 characters (the longest a definition may declare). */
export const shownType = (type: string): string => (type.length > 64 ? `${type.slice(0, 64)}…` : type);

const notAllowed = (role: string, event: string, state: string, why: { zh: string; en: string }): EngineError =>
  engineError('not-allowed', {
    zh: `角色“${role}”不能在状态“${state}”发送事件“${event}”：${why.zh}`,
    en: `Role "${role}" may not send "${event}" in state "${state}": ${why.en}`,
  }, { path: `/events/${event}/roles` });

export function checkStartAllowed(compiled: CompiledWorkflow, actor: Actor): EngineError | undefined {
  const roles = compiled.definition.start?.roles;
  // the system (billing, a parent's startChild) starts what it is given
  if (!roles || actor.role === 'system' || (roles as readonly string[]).includes(actor.role)) return undefined;
  return engineError('not-allowed', {
    zh: `角色“${actor.role}”不能发起流程“${compiled.definition.id}”（允许：${roles.join('、')}）`,
    en: `Role "${actor.role}" may not start "${compiled.definition.id}" (allowed: ${roles.join(', ')})`,
  }, { path: '/start/roles' });
}

export function checkEventAllowed(compiled: CompiledWorkflow, snapshot: EngineSnapshot, event: EngineEvent, actor: Actor): EngineError | undefined {
  const state = describeState(snapshot.value);
  if (event.type.startsWith('timer.')) {
    if (!event.timer || actor.role !== 'system') {
      return notAllowed(actor.role, shownType(event.type), state, { zh: '计时事件只能由系统按已设定的计时器发送', en: 'timer events come from the system, for an armed timer' });
    }
    return undefined;
  }
  const def = compiled.definition.events[event.type];
  if (!def) {
    return engineError('unknown-event', {
      zh: `流程“${compiled.definition.id}”没有声明事件“${shownType(event.type)}”`,
      en: `Workflow "${compiled.definition.id}" declares no event "${shownType(event.type)}"`,
    }, { path: `/events/${shownType(event.type)}` });
  }
  if (def.system) {
    if (actor.role === 'system') return undefined;
    return notAllowed(actor.role, event.type, state, { zh: '该事件只能由系统发送', en: 'only the system sends this event' });
  }
  if (!(def.roles as readonly string[] | undefined ?? []).includes(actor.role)) {
    return notAllowed(actor.role, event.type, state, {
      zh: `允许的角色：${(def.roles ?? []).join('、') || '无'}`,
      en: `allowed roles: ${(def.roles ?? []).join(', ') || 'none'}`,
    });
  }
  return undefined;
}

/**
 * Validates event or start data with its form; returns the cleaned data or a `form-invalid` error
 * naming the field. A start or event without a form takes no data from people: anything but an
 * empty object is refused naming its first key (the system's own timer and child events carry theirs).
 */
export function checkForm(
  compiled: CompiledWorkflow, formId: string | undefined, data: Record<string, unknown>, input: FormRuleInput, eventType?: string,
): { error: EngineError } | { data: Record<string, unknown> } {
  if (!formId) {
    const [first] = Object.keys(data);
    if (first === undefined || input.actor?.role === 'system') return { data };
    const key = first.length > 60 ? `${first.slice(0, 60)}…` : first;
    const type = eventType === undefined ? undefined : shownType(eventType);
    return {
      error: engineError('form-invalid', type === undefined
        ? { zh: `发起此流程没有表单，不接受数据：“/${key}”`, en: `Starting this process takes no data (it has no form): "/${key}"` }
        : { zh: `事件“${type}”没有表单，不接受数据：“/${key}”`, en: `Event "${type}" has no form and takes no data: "/${key}"` }, { field: `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}` }),
    };
  }
  // compile refuses a definition naming a form it was not given: this is the map's undefined only
  const form = compiled.forms.get(formId);
  if (!form) return { data };
  const r = form.validate(data, input);
  if (r.ok) return { data: r.data };
  const first = r.issues[0];
  return {
    error: engineError('form-invalid', {
      zh: `表单“${formId}”填写有误：${r.issues.map((i) => i.message.zh).join('；')}`,
      en: `Form "${formId}" is invalid: ${r.issues.map((i) => i.message.en).join('; ')}`,
    }, { ...(first ? { field: first.field } : {}), issues: r.issues }),
  };
}
