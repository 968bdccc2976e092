/**
 * The structured editor's view of the action vocabulary (schemas/common.schema.json `Action`): for
 * each action, its params in order with the control that edits them. The coverage of the schema is
 * checked by test/web/designer-actions.test.ts: a param added to the schema without a control here fails it.
 */
import type { Text } from '$lib/i18n/index.svelte.ts';

export type ParamKind = 'id' | 'text' | 'role' | 'expr' | 'deadline' | 'form' | 'events' | 'event' | 'map' | 'channel' | 'recipient' | 'ladder' | 'workflow' | 'billing';
export type ParamSpec = { key: string; kind: ParamKind; label: Text; required?: boolean };

const t = (zh: string, en: string): Text => ({ zh, en });

export const ACTION_LABELS: Record<string, Text> = {
  assign: t('设置数据', 'Set data'),
  openTask: t('打开任务', 'Open a task'),
  assignTask: t('分派任务', 'Assign a task'),
  closeTask: t('关闭任务', 'Close a task'),
  notify: t('发送通知', 'Send a notice'),
  charge: t('计费', 'Charge'),
  startChild: t('发起子流程', 'Start a child process'),
  schedule: t('定时发送事件', 'Schedule an event'),
  cancel: t('取消定时', 'Cancel a schedule'),
  escalate: t('升级', 'Escalate'),
  recordIncident: t('记录事件报告', 'Record an incident'),
};

export const ACTION_SPEC: Record<string, ParamSpec[]> = {
  assign: [{ key: 'values', kind: 'map', label: t('字段 = 表达式', 'Field = expression'), required: true }],
  openTask: [
    { key: 'id', kind: 'id', label: t('任务编号', 'Task id'), required: true },
    { key: 'title', kind: 'text', label: t('任务名称', 'Task title'), required: true },
    { key: 'role', kind: 'role', label: t('办理角色', 'Role') },
    { key: 'user', kind: 'expr', label: t('或指定人员（CEL）', 'Or a user (CEL)') },
    { key: 'due', kind: 'deadline', label: t('期限', 'Due') },
    { key: 'form', kind: 'form', label: t('任务表单', 'Form') },
    { key: 'events', kind: 'events', label: t('完成任务的事件', 'Events that close it') },
  ],
  assignTask: [
    { key: 'id', kind: 'id', label: t('任务编号', 'Task id'), required: true },
    { key: 'role', kind: 'role', label: t('改派角色', 'Role') },
    { key: 'user', kind: 'expr', label: t('或指定人员（CEL）', 'Or a user (CEL)') },
  ],
  closeTask: [{ key: 'id', kind: 'id', label: t('任务编号', 'Task id'), required: true }],
  notify: [
    { key: 'to', kind: 'recipient', label: t('收件人', 'Recipient'), required: true },
    { key: 'channel', kind: 'channel', label: t('渠道', 'Channel') },
    { key: 'message', kind: 'text', label: t('通知内容', 'Message'), required: true },
  ],
  charge: [
    { key: 'item', kind: 'id', label: t('收费项目', 'Service item'), required: true },
    { key: 'amount', kind: 'expr', label: t('金额（分，CEL）', 'Amount (fen, CEL)'), required: true },
    { key: 'description', kind: 'text', label: t('账单说明', 'Bill line') },
    { key: 'billing', kind: 'billing', label: t('出账方式', 'Billing') },
    { key: 'onPaid', kind: 'event', label: t('缴清后发送的事件', 'Event when paid') },
  ],
  startChild: [
    { key: 'workflow', kind: 'workflow', label: t('子流程', 'Child process'), required: true },
    { key: 'input', kind: 'map', label: t('传入数据', 'Input') },
    { key: 'doneEvent', kind: 'event', label: t('子流程结束时的事件', 'Event when it ends'), required: true },
  ],
  schedule: [
    { key: 'id', kind: 'id', label: t('定时编号', 'Schedule id'), required: true },
    { key: 'event', kind: 'event', label: t('到时发送的事件', 'Event to send'), required: true },
    { key: 'deadline', kind: 'deadline', label: t('何时', 'When'), required: true },
    { key: 'data', kind: 'map', label: t('事件数据', 'Event data') },
  ],
  cancel: [{ key: 'id', kind: 'id', label: t('定时编号', 'Schedule id'), required: true }],
  escalate: [
    { key: 'ladder', kind: 'ladder', label: t('升级梯队', 'Ladder'), required: true },
    { key: 'message', kind: 'text', label: t('通知内容', 'Message') },
  ],
  recordIncident: [
    { key: 'kind', kind: 'id', label: t('类别', 'Kind'), required: true },
    { key: 'severity', kind: 'expr', label: t('严重程度（CEL）', 'Severity (CEL)') },
    { key: 'summary', kind: 'text', label: t('摘要', 'Summary'), required: true },
  ],
};

/** A charge's billing: at once as its own bill (临时收费), or on the next cycle's bill; unset = the billing plan's default. */
export const BILLINGS = ['at-once', 'next-cycle'] as const;
export const BILLING_LABELS: Record<string, Text> = {
  'at-once': t('立即单独出账', 'Billed at once'), 'next-cycle': t('并入下一期账单', 'On the next cycle\'s bill'),
};

export const CHANNELS = ['app', 'sms', 'phone', 'letter', 'wechat', 'email'] as const;
export const CHANNEL_LABELS: Record<string, Text> = {
  app: t('应用内', 'In the app'), sms: t('短信', 'SMS'), phone: t('电话', 'Phone'), letter: t('书面', 'Letter'), wechat: t('微信', 'WeChat'), email: t('邮件', 'Email'),
};

/** A new action of `type` with its required params filled with placeholders the lint then names. */
export function newAction(type: string): { type: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = {};
  for (const p of ACTION_SPEC[type] ?? []) {
    if (!p.required) continue;
    params[p.key] = p.kind === 'text' ? { zh: '', en: '' } : p.kind === 'map' ? {} : p.kind === 'recipient' ? { resident: true } : p.kind === 'deadline' ? { after: { amount: 1, unit: 'days' } } : '';
  }
  return { type, params };
}
