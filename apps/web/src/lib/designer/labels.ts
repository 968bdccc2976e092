/**
 * zh/en labels of the workflow designer's panels, shown with `i18n.text(W.x)`; like the SLA editor's
 * `L`, they live beside the components that use them.
 */
import type { Text } from '$lib/i18n/index.svelte.ts';

const t = (zh: string, en: string): Text => ({ zh, en });

export const W = {
  process: t('流程', 'Process'),
  titleZh: t('名称（中文）', 'Title (Chinese)'),
  titleEn: t('名称（英文）', 'Title (English)'),
  descriptionZh: t('给员工的办理说明（中文）', 'Staff procedure (Chinese)'),
  descriptionEn: t('给员工的办理说明（英文）', 'Staff procedure (English)'),
  residentDescriptionZh: t('给住户的说明（中文）', 'For residents (Chinese)'),
  residentDescriptionEn: t('给住户的说明（英文）', 'For residents (English)'),
  serialPrefix: t('工单编号前缀（大写字母，如 PK）', 'Request serial prefix (capitals, e.g. PK)'),
  category: t('类别（发起页分组）', 'Category (start page group)'),
  categoryAuto: t('按需求编号推断', 'Inferred from requirement ids'),
  roles: t('流程角色', 'Roles of the process'),
  rolesHint: t('流转、任务、发起中勾选的角色会自动加入。', 'Roles ticked on a transition, task or start are added here.'),
  start: t('发起', 'Start'),
  startForm: t('发起表单', 'Start form'),
  startRoles: t('谁可以发起', 'Who may start'),
  stateTitleZh: t('状态名称（中文）', 'State title (Chinese)'),
  stateTitleEn: t('状态名称（英文）', 'State title (English)'),
  residentTitleZh: t('住户看到的名称（中文）', 'Title residents read (Chinese)'),
  residentTitleEn: t('住户看到的名称（英文）', 'Title residents read (English)'),
  taskTitleZh: t('任务名称（中文）', 'Task title (Chinese)'),
  taskTitleEn: t('任务名称（英文）', 'Task title (English)'),
  taskRole: t('办理角色', 'Role'),
  taskForm: t('任务表单', 'Task form'),
  taskEvents: t('完成任务的事件', 'Events that close it'),
  taskDue: t('期限', 'Due'),
  none: t('无', 'None'),
  amount: t('数量', 'Amount'),
  unit: t('单位', 'Unit'),
  working: t('按工作时间', 'Working time'),
  fromParam: t('取参数', 'From parameter'),
  timerTo: t('到时后转到', 'When due, go to'),
  addTimer: t('添加定时器', 'Add timer'),
  timerName: t('定时器名称', 'Timer name'),
  errorsCount: t('{n} 个错误', '{n} errors'),
  savedWithErrors: t('已保存草稿，但服务器检查发现 {n} 个错误，发布前需修正', 'Draft saved, but the server check found {n} errors to fix before publishing'),
  savedClean: t('已保存，服务器检查通过', 'Saved; the server check passed'),
  checking: t('正在检查…', 'Checking…'),
  units: t('分钟|小时|天|周|月|年', 'minutes|hours|days|weeks|months|years'),
  params: t('参数', 'Parameters'),
  reenter: t('重新进入本状态（先退出再进入，重跑进入动作）', 'Re-enter this state (exit and enter again, rerunning its entry actions)'),
  tags: t('标签（逗号分隔）', 'Tags (comma-separated)'),
  privacy: t('住户可见范围', 'Which residents see a request'),
  privacyDefault: t('默认（仅发起的住户本人）', 'Default (only the resident who started it)'),
  privacyHousehold: t('同户住户都可查看和办理', "Every resident of the request's unit"),
  privacyPrivate: t('仅发起的住户本人', 'Only the resident who started it'),
  requirements: t('实现的需求编号（逗号分隔）', 'Requirement ids it implements (comma-separated)'),
  moreDeadline: t('其他期限形式…', 'Other kinds of deadline…'),
  paramsHint: t('本物业可调的数值。改动进入草稿，审核发布后只影响新发起的工单；进行中的工单沿用其版本的取值。', "Values this estate may set. A change goes into the draft and, once published, applies to requests started afterwards; running requests keep their version's values."),
  paramValue: t('取值', 'Value'),
  paramMin: t('最小值', 'Minimum'),
  paramMax: t('最大值', 'Maximum'),
  paramTitleZh: t('参数名称（中文）', 'Parameter title (Chinese)'),
  paramTitleEn: t('参数名称（英文）', 'Parameter title (English)'),
  paramInstalled: t('安装模板包时设定（优先于默认值）：', 'Set when the bundle was installed (wins over the default): '),
  paramInstalledOnly: t('模板包的参数，安装时设定；重新安装模板包可更改', "the bundle's parameter, set at install; install the bundle again to change it"),
  paramWords: t('名称、说明与出处', 'Title, description and source'),
  paramRequirements: t('出处（需求编号，逗号分隔）', 'Source (requirement ids, comma-separated)'),
  paramWhyZh: t('不在现场文件中的理由（中文）', 'Why, if not in the field documents (Chinese)'),
  paramWhyEn: t('不在现场文件中的理由（英文）', 'Why, if not in the field documents (English)'),
  paramName: t('新参数名', 'New parameter name'),
  paramType: t('类型', 'Type'),
  addParam: t('添加参数', 'Add a parameter'),
  typeInteger: t('整数', 'Whole number'),
  typeNumber: t('数字', 'Number'),
  typeString: t('文本', 'Text'),
  typeBoolean: t('是/否', 'Yes/no'),
};

export const UNITS = ['minutes', 'hours', 'days', 'weeks', 'months', 'years'] as const;

export function unitLabel(u: string): Text {
  const i = UNITS.indexOf(u as (typeof UNITS)[number]);
  return { zh: W.units.zh.split('|')[i] ?? u, en: W.units.en.split('|')[i] ?? u };
}

export const CATEGORIES = ['repair', 'complaint', 'home', 'everyday', 'safety', 'billing', 'other'] as const;
