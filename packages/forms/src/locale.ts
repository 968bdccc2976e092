import type { Text } from './form-definition.ts';

/** The two languages of every text; `zh-CN`, `zh-Hans`, `en-US` … normalise to these. */
export type Locale = 'zh' | 'en';

export function normalizeLocale(locale: string | undefined): Locale {
  return locale?.toLowerCase().startsWith('en') ? 'en' : 'zh';
}

export function pick(text: Text | undefined, locale: Locale): string | undefined {
  return text ? text[locale] : undefined;
}
