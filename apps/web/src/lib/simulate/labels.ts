/** zh/en labels of Simulate's parameter and calendar panels (used only there), shown with `i18n.text`. */
import type { Text } from '$lib/i18n/index.svelte.ts';

const t = (zh: string, en: string): Text => ({ zh, en });

export const S = {
  params: t('流程参数', 'Workflow parameters'),
  paramsHint: t('模拟使用这些参数值；改动后可按相同操作重新运行，比较结果。', 'The simulation uses these values; after a change, rerun the same steps and compare.'),
  noParams: t('该流程没有可设置的参数', 'This workflow declares no parameters'),
  changed: t('已改（默认 {d}）', 'changed (default {d})'),
  changedCount: t('{n} 个参数不同于默认值', '{n} parameter(s) differ from the defaults'),
  allDefault: t('全部为默认值', 'All defaults'),
  resetDefaults: t('恢复默认值', 'Reset to defaults'),
  rerun: t('用当前参数和日历重新运行相同操作', 'Rerun the same steps with these parameters and calendars'),
  rerunDone: t('已用新参数重新运行 {n} 步', 'Reran {n} step(s) with the new parameters'),
  fixErrors: t('请先改正参数错误', 'Fix the parameter errors first'),
  yes: t('是', 'Yes'),
  calendars: t('使用的日历', 'Calendars used'),
  calendarsHint: t('勾选模拟中可用的项目日历；可让某个项目日历代替默认的 cn-statutory（未指定日历的时限都用它）。', "Tick the estate calendars the simulation may use; one of them can stand in for the default cn-statutory (used by every deadline that names no calendar)."),
  noEstateCalendars: t('本项目还没有自定义日历，使用内置 cn-statutory（法定节假日与调休）', 'The estate has no calendars of its own; the built-in cn-statutory (statutory holidays and make-up days) is used'),
  defaultCalendar: t('默认日历', 'Default calendar'),
  builtin: t('内置 cn-statutory', 'Built-in cn-statutory'),
  running: t('本次运行：{list}', 'This run: {list}'),
  originInstalled: t('安装值', 'Installed'),
  originDefault: t('默认值', 'Default'),
  defaultFromDocuments: t('默认值出处：{ids}', 'Default from: {ids}'),
  defaultNotInDocuments: t('默认值不在现场文件中：{reason}', 'Default not in the field documents: {reason}'),
  defaultNoSource: t('默认值未注明出处', 'Default cites no source'),
  originEdited: t('已改', 'Edited'),
  originCount: t('安装值 {i} · 默认值 {d} · 已改 {e}', 'Installed {i} · default {d} · edited {e}'),
  resetInstalled: t('恢复安装值', 'Reset to installed values'),
  installedFrom: t('起始值取自本项目安装的模板包 {bundle}@{version}（{when}）；模板包未设置的参数用默认值。', 'Starting from the values this estate installed with bundle {bundle}@{version} ({when}); parameters the bundle does not set use their defaults.'),
  notInstalled: t('该流程的运行版本不是从模板包安装的，本项目运行时使用默认值。', 'The running version of this workflow was not installed from a bundle: the estate runs it with the defaults.'),
  orderDeclared: t('参数按流程文件中的声明顺序排列。', 'Parameters in the order the workflow file declares them.'),
  orderByTitle: t('参数按标题排序：已发布的文档（jsonb）不保留声明顺序。', 'Parameters sorted by title: a published document (jsonb) keeps no declaration order.'),
  installedNote: t('安装值（默认 {d}）', 'installed (default {d})'),
  editedInstalled: t('已改（安装值 {i}，默认 {d}）', 'edited (installed {i}, default {d})'),
} as const;

export function fill(text: Text, vars: Record<string, string | number>): Text {
  const f = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
  return { zh: f(text.zh), en: f(text.en) };
}
