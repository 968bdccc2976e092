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
} as const;

export function fill(text: Text, vars: Record<string, string | number>): Text {
  const f = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
  return { zh: f(text.zh), en: f(text.en) };
}
