import { durationWords, formatDate, formatDateTime, DEFAULT_ZONE } from '$lib/present/format.ts';
import { en } from './en.ts';
import { fill } from './fill.ts';
import { zh, type MessageKey } from './zh.ts';

export type { MessageKey };
export type Locale = 'zh-CN' | 'en';
/** A translatable text as definitions carry it (schemas/README.md "Text"). */
export type Text = { zh: string; en: string };

const catalogues: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zh, en };
const STORAGE_KEY = 'ef-locale';

function initialLocale(): Locale {
  if (typeof localStorage === 'undefined') return 'zh-CN';
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
}

class I18n {
  locale = $state<Locale>(initialLocale());

  /** Switches the UI language and remembers it in this browser. */
  set(locale: Locale): void {
    this.locale = locale;
    if (typeof localStorage !== 'undefined') localStorage.setItem(STORAGE_KEY, locale);
    if (typeof document !== 'undefined') document.documentElement.lang = locale;
  }

  /** The message for `key` in the current language, with `{name}` placeholders (and `{name:one|other}` plurals) filled. */
  t = (key: MessageKey, vars?: Record<string, string | number>): string => {
    const template = catalogues[this.locale][key];
    return vars ? fill(template, vars) : template;
  };

  /** Picks the current language out of a definition's `{ zh, en }` text, the other language when one is missing (help, placeholders); tolerates plain strings. */
  text = (value: Partial<Text> | string | null | undefined): string => {
    if (value == null) return '';
    if (typeof value === 'string') return value;
    return (this.locale === 'en' ? value.en || value.zh : value.zh || value.en) ?? '';
  };

  /** Integer fen as money in the current locale (¥1,234.50). */
  money = (fen: number | null | undefined): string => {
    if (fen == null || !Number.isFinite(fen)) return '—';
    return new Intl.NumberFormat(this.locale, { style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol' }).format(fen / 100);
  };

  /** An instant as a date and time in the estate's zone (Asia/Shanghai unless given), in this language's format ($lib/present). */
  dateTime = (iso: string | number | Date | null | undefined, timeZone = DEFAULT_ZONE): string => formatDateTime(iso, { locale: this.locale, timeZone });

  date = (iso: string | number | Date | null | undefined, timeZone = DEFAULT_ZONE): string => formatDate(iso, { locale: this.locale, timeZone });

  /** A duration in ms in words ("1天3小时" / "1 day 3 hours"), the sign left to the caller ($lib/present). */
  duration = (ms: number): string => durationWords(ms, this.locale);

  /** Whether a message key exists (a key made from data: `designer.kind.${kind}`). */
  has = (key: string): key is MessageKey => key in zh;

  role = (role: string): string => {
    const key = `role.${role}` as MessageKey;
    return key in zh ? this.t(key) : role;
  };
}

/** The one i18n state of the app: `i18n.t('nav.inbox')`, `i18n.text(def.title)`, `i18n.money(fen)`. */
export const i18n = new I18n();
