import { epochDay, fromLocal } from '@estateflow/calendar';
import { formatYuan } from '@estateflow/expr';
import { humanise } from '@estateflow/forms';
import type { FieldWords, Text, Words } from '@estateflow/api/schemas';

/**
 * The one presentation layer: how a request's values read on every screen, in the definition's own
 * words. Pure (no Svelte, no fetch): pages pass the words of the request's workflow version, the UI
 * language and the estate's time zone. A name the definition gives no words for reads as its
 * humanised key (the definitions lint warns about it); a field the role may not see is left out.
 */
export type Locale = 'zh-CN' | 'en';
export type PresentContext = {
  locale: Locale;
  timeZone: string;
  /** display names of the users the values name by id (the API's `people`) */
  people?: Readonly<Record<string, string>>;
};

/** A value as a screen shows it. */
export type Display =
  | { kind: 'text'; text: string }
  | { kind: 'attachment'; url: string; name: string }
  | { kind: 'image'; url: string; alt: string; signature: boolean }
  | { kind: 'file'; url: string; name: string }
  | { kind: 'list'; items: Display[] }
  | { kind: 'rows'; rows: DataRow[] }
  | { kind: 'table'; columns: string[]; rows: Display[][] };
export type DataRow = { key: string; label: string; value: Display };

/** The estate's zone when a page knows none (the platform's default, `DEFAULT_TIME_ZONE` of packages/expr). */
export const DEFAULT_ZONE = 'Asia/Shanghai';

export const pick = (text: Text | string | null | undefined, locale: Locale): string => {
  if (text == null) return '';
  if (typeof text === 'string') return text;
  return locale === 'en' ? text.en || text.zh : text.zh || text.en;
};

/** A key's fallback words, the same in both languages (the lint asks for a real title). */
export const fallback = (key: string): Text => ({ zh: humanise(key), en: humanise(key) });

/** The leaf state paths of an XState value: `"received"` → `["received"]`, `{ work: "dispatched" }` → `["work.dispatched"]`. */
export function statePaths(state: unknown, prefix = ''): string[] {
  if (typeof state === 'string') return [prefix ? `${prefix}.${state}` : state];
  if (state && typeof state === 'object') {
    return Object.entries(state as Record<string, unknown>).flatMap(([k, v]) => {
      const here = prefix ? `${prefix}.${k}` : k;
      return v && (typeof v === 'string' || (typeof v === 'object' && Object.keys(v).length)) ? statePaths(v, here) : [here];
    });
  }
  return [];
}

/** The title of one state path: its own, else the nearest titled ancestor's, else the humanised leaf. */
function stateTitleOf(words: Words | undefined, path: string): Text {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const t = words?.states[parts.slice(0, n).join('.')];
    if (t) return t;
  }
  return fallback(path);
}

/** A request's state in the role's words (a resident's title where the state has one); parallel regions joined with " · ". */
export function stateTitle(words: Words | undefined, state: unknown, locale: Locale): string {
  return statePaths(state).map((p) => pick(stateTitleOf(words, p), locale)).join(' · ');
}

const STARTED: Text = { zh: '发起', en: 'Started' };

/** An event's title (`start` reads "发起", a fired timer its delay's title), else its humanised code. */
export function eventTitle(words: Words | undefined, type: string, locale: Locale): string {
  if (type === 'start') return pick(STARTED, locale);
  // a timer that fired (history): the delay's title
  if (type.startsWith('timer.') && !words?.events[type]) return timerTitle(words, type, locale);
  return pick(words?.events[type]?.title ?? fallback(type), locale);
}

/**
 * A workflow timer as people read it: a delay's timer (`timer.<state>.<delay>`) by the delay's title
 * ("派单时限"), a scheduled event by the event's title; never the timer's key.
 */
export function timerTitle(words: Words | undefined, event: string, locale: Locale): string {
  if (event.startsWith('timer.')) {
    const delay = event.slice(event.lastIndexOf('.') + 1);
    return pick(words?.timers?.[delay] ?? fallback(delay), locale);
  }
  return eventTitle(words, event, locale);
}

/**
 * The key fields of a request a list shows beside its unit and title: the fields its definition
 * marks `summary` that the role may see and that hold something, as "label: value" (a long free text
 * cut to `max` characters).
 */
export function summaryOf(data: Record<string, unknown> | null | undefined, words: Words | undefined, ctx: PresentContext, max = 40): { key: string; label: string; text: string }[] {
  return (words?.summary ?? []).flatMap((key) => {
    const v = data?.[key];
    if (isEmpty(v)) return [];
    const f = fieldOf(words, key);
    if (f === 'hidden') return [];
    const full = displayText(presentValue(v, key, f, ctx));
    // free text is cut to fit a row; a date, an amount or a choice is shown whole
    const free = !f?.widget || f.widget === 'text' || f.widget === 'textarea';
    return [{ key, label: pick(f?.title ?? fallback(key), ctx.locale), text: free && full.length > max ? `${full.slice(0, max - 1)}…` : full }];
  });
}

/** The words of a data field (the event's form first, then the request's), `'hidden'` when the role may not see it, or undefined when the definition has none. */
export function fieldOf(words: Words | undefined, name: string, event?: string): FieldWords | 'hidden' | undefined {
  const ev = event ? words?.events[event] : undefined;
  if (ev?.hidden?.includes(name)) return 'hidden';
  if (ev?.fields?.[name]) return ev.fields[name];
  if (words?.hidden.includes(name)) return 'hidden';
  return words?.fields[name];
}

/** A field's label: the form's, else the humanised key. */
export function fieldLabel(words: Words | undefined, name: string, locale: Locale, event?: string): string {
  const f = fieldOf(words, name, event);
  return pick(f && f !== 'hidden' ? f.title : fallback(name), locale);
}

/**
 * A request's grade (`instances.grade`, the value of its `grade` field) in words: the option title the
 * definition gives it, else the platform's title for it (`known`, e.g. 重大/重要/轻微), else the
 * humanised value; never the raw key.
 */
export function gradeTitle(words: Words | undefined, grade: string, locale: Locale, known?: Text | string): string {
  const f = fieldOf(words, 'grade');
  const option = f && f !== 'hidden' ? f.options?.find((o) => o.value === grade) : undefined;
  return pick(option?.label ?? known ?? fallback(grade), locale);
}

/** Integer fen as yuan with the unit, through packages/expr's one `formatYuan`, grouped as the i18n money of the bills: 123456 → "¥1,234.56" (both languages write ¥). */
export function formatMoney(fen: number | bigint, _locale: Locale): string {
  const yuan = formatYuan(BigInt(fen));
  const negative = yuan.startsWith('-');
  const [whole, cents] = (negative ? yuan.slice(1) : yuan).split('.');
  return `${negative ? '-' : ''}¥${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Whether a string is an instant as the API sends it (a raw ISO timestamp a screen must never show). */
export const isIsoInstant = (v: unknown): v is string => typeof v === 'string' && ISO_INSTANT.test(v);

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function dtf(locale: Locale, timeZone: string, date: boolean, time: boolean): Intl.DateTimeFormat {
  const k = `${locale}|${timeZone}|${date}|${time}`;
  let f = dateTimeFormats.get(k);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...(date ? { year: 'numeric', month: locale === 'en' ? 'short' : 'long', day: 'numeric' } : {}), ...(time ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}), timeZone });
    dateTimeFormats.set(k, f);
  }
  return f;
}

/** An instant as a date and time in the estate's zone, in the UI language's format: "2026年12月8日 10:00" / "Dec 8, 2026, 10:00". */
export function formatDateTime(instant: string | number | Date | null | undefined, ctx: PresentContext): string {
  if (instant == null || instant === '') return '—';
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return String(instant);
  return dtf(ctx.locale, ctx.timeZone, true, true).format(d);
}

/** A calendar date ("2026-12-08", or an instant's date in the estate's zone) in the UI language's format. */
export function formatDate(value: string | number | Date | null | undefined, ctx: PresentContext): string {
  if (value == null || value === '') return '—';
  if (typeof value === 'string' && ISO_DATE.test(value)) return dtf(ctx.locale, 'UTC', true, false).format(new Date(`${value}T00:00:00Z`));
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return dtf(ctx.locale, ctx.timeZone, true, false).format(d);
}

/** A length of time in words, to the minute (the sign is the caller's): "1天3小时" / "1 day 3 hours", "20 分钟" / "20 minutes". */
export function durationWords(ms: number, locale: Locale): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const zh = locale !== 'en';
  const part = (n: number, zhUnit: string, one: string, many: string) => (zh ? `${n}${zhUnit}` : `${n} ${n === 1 ? one : many}`);
  const parts: string[] = [];
  if (d) parts.push(part(d, '天', 'day', 'days'));
  if (h) parts.push(part(h, '小时', 'hour', 'hours'));
  if (!d && (m || parts.length === 0)) parts.push(part(m, '分钟', 'minute', 'minutes'));
  return parts.join(zh ? '' : ' ');
}

const YES_NO: Record<'true' | 'false', Text> = { true: { zh: '是', en: 'Yes' }, false: { zh: '否', en: 'No' } };
const attachmentPrefix = '/api/attachments/';
const isDataUrl = (v: unknown): v is string => typeof v === 'string' && v.startsWith('data:');
const text = (t: string): Display => ({ kind: 'text', text: t });

/**
 * One value as a screen shows it, by its field's widget (money, date, datetime, options, signature,
 * photo…) or, without words, by its shape: a key ending in `Fen` is money, an ISO instant a local
 * time, a boolean 是/否, an uploaded file a thumbnail, an object rows, an array a list.
 */
export function presentValue(value: unknown, key: string, field: FieldWords | undefined, ctx: PresentContext): Display {
  const widget = field?.widget;
  if (value === null || value === undefined || value === '') return text('—');
  if (field?.options && !Array.isArray(value)) {
    const o = field.options.find((x) => x.value === value);
    if (o) return text(pick(o.label, ctx.locale));
  }
  // a table of figures (#22): a header of its columns' words, a row per item
  if (Array.isArray(value) && field?.figure && field.columns && value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
    const cols = Object.entries(field.columns);
    return {
      kind: 'table',
      columns: cols.map(([, c]) => pick(c.title, ctx.locale)),
      rows: value.map((v) => cols.map(([k, c]) => presentValue((v as Record<string, unknown>)[k], k, c, ctx))),
    };
  }
  if (Array.isArray(value)) {
    const items = value.map((v, i) => {
      const opt = field?.options?.find((x) => x.value === v);
      return opt ? text(pick(opt.label, ctx.locale)) : presentValue(v, `${key}[${i}]`, widget === 'photo' || widget === 'attachment' || field?.columns ? field : undefined, ctx);
    });
    return { kind: 'list', items };
  }
  if (typeof value === 'boolean') return text(pick(YES_NO[String(value) as 'true' | 'false'], ctx.locale));
  if ((widget === 'money' || (!widget && /Fen$/.test(key))) && (typeof value === 'number' || typeof value === 'bigint')) return text(formatMoney(value, ctx.locale));
  if (typeof value === 'string') {
    const person = ctx.people?.[value.toLowerCase()];
    if (person) return text(person);
    if (value.startsWith(attachmentPrefix)) return { kind: 'attachment', url: value, name: pick(field?.title ?? fallback(key), ctx.locale) };
    if (isDataUrl(value)) {
      const name = pick(field?.title ?? fallback(key), ctx.locale);
      return value.startsWith('data:image') ? { kind: 'image', url: value, alt: name, signature: widget === 'signature' } : { kind: 'file', url: value, name };
    }
    if (widget === 'date' || (!widget && ISO_DATE.test(value))) return text(formatDate(value, ctx));
    if (widget === 'datetime' || isIsoInstant(value)) return text(isIsoInstant(value) || !Number.isNaN(Date.parse(value)) ? formatDateTime(value, ctx) : value);
    return text(value);
  }
  if (typeof value === 'number') return text(widget === 'rating' ? `${'★'.repeat(Math.max(0, Math.min(5, Math.round(value))))} ${value}` : String(value));
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (isDataUrl(o['dataUrl'])) return { kind: 'file', url: o['dataUrl'], name: typeof o['name'] === 'string' ? o['name'] : pick(field?.title ?? fallback(key), ctx.locale) };
    // a repeatable group's item: its columns' words, in column order
    const cols = field?.columns;
    const order = cols ? Object.keys(cols) : [];
    const entries = Object.entries(o).sort(([a], [b]) => (order.indexOf(a) >>> 0) - (order.indexOf(b) >>> 0));
    return { kind: 'rows', rows: entries.map(([k, v]) => ({ key: k, label: pick(cols?.[k]?.title ?? fallback(k), ctx.locale), value: presentValue(v, k, cols?.[k], ctx) })) };
  }
  return text(String(value));
}

const isEmpty = (v: unknown): boolean => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * A request's data without the fields still at the workflow's starting value that no event has
 * written (`words.initial`): a repair's kind "minor" or a paid service's price of ¥0.00 before
 * anyone decided them are not facts about the request, so the page leaves them out until a step
 * sets them (a resident who chose "minor" at the start did write it, and sees it).
 */
export function decidedData(data: Record<string, unknown> | null | undefined, words: Words | undefined, history: readonly { data?: Record<string, unknown> | null }[]): Record<string, unknown> {
  const initial = words?.initial as Record<string, unknown> | undefined;
  if (!data || !initial) return data ?? {};
  const written = new Set(history.flatMap((h) => Object.keys(h.data ?? {})));
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return Object.fromEntries(Object.entries(data).filter(([k, v]) => !(k in initial) || written.has(k) || !same(v, initial[k])));
}

/**
 * A request's data (or one history entry's, with `event`) as labelled rows: in the order of the
 * definition's fields, then any others; fields the role may not see, and fields with nothing in
 * them yet, left out.
 */
export function presentData(data: Record<string, unknown> | null | undefined, words: Words | undefined, ctx: PresentContext, event?: string): DataRow[] {
  const entries = Object.entries(data ?? {});
  const order = [...Object.keys(words?.events[event ?? '']?.fields ?? {}), ...Object.keys(words?.fields ?? {})];
  const rank = (k: string) => {
    const i = order.indexOf(k);
    return i < 0 ? order.length : i;
  };
  return entries
    .filter(([k, v]) => !isEmpty(v) && fieldOf(words, k, event) !== 'hidden')
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([k, v]) => {
      const f = fieldOf(words, k, event) as FieldWords | undefined;
      return { key: k, label: pick(f?.title ?? fallback(k), ctx.locale), value: presentValue(v, k, f, ctx) };
    });
}

/** A display as one line of plain text (list cells, notices, the scanning test). */
export function displayText(d: Display): string {
  switch (d.kind) {
    case 'text': return d.text;
    case 'attachment': case 'file': return d.name;
    case 'image': return d.alt;
    case 'list': return d.items.map(displayText).join('、');
    case 'rows': return d.rows.map((r) => `${r.label}: ${displayText(r.value)}`).join('; ');
    case 'table': return d.rows.map((r) => r.map((c, i) => `${d.columns[i]}: ${displayText(c)}`).join(', ')).join('; ');
  }
}

/** Where an SLA clock stands at `now`: its state and the time that matters (left, over, to spare, missed by). */
export type ClockStanding =
  | { state: 'pending' }
  | { state: 'running' | 'paused'; leftMs: number }
  | { state: 'overdue'; overMs: number }
  | { state: 'met'; spareMs: number | null }
  | { state: 'breached'; overMs: number | null }
  | { state: 'stopped' };

/** An SLA clock (`clocks` of `GET /api/instances/:id`) at `now`, for the panel: never a timer key, always a state and a time. */
export function clockStanding(c: { status: string; dueAt: string | null; budgetMs: number | null; elapsedMs: number; remainingMs: number | null }, now: number): ClockStanding {
  const over = c.budgetMs == null ? null : Math.max(0, c.elapsedMs - c.budgetMs);
  switch (c.status) {
    case 'met':
      return { state: 'met', spareMs: c.budgetMs == null ? null : Math.max(0, c.budgetMs - c.elapsedMs) };
    case 'breached':
      if (c.dueAt && c.remainingMs == null) return { state: 'breached', overMs: Math.max(0, now - Date.parse(c.dueAt)) };
      return { state: 'breached', overMs: c.remainingMs != null && c.remainingMs < 0 ? -c.remainingMs : over };
    case 'running': {
      const left = c.dueAt ? Date.parse(c.dueAt) - now : (c.remainingMs ?? 0);
      return left < 0 ? { state: 'overdue', overMs: -left } : { state: 'running', leftMs: left };
    }
    case 'paused':
      return { state: 'paused', leftMs: c.remainingMs ?? 0 };
    // the request ended (cancelled, withdrawn) before the clock's goal was met or missed: neither
    case 'stopped':
      return { state: 'stopped' };
    default:
      return { state: 'pending' };
  }
}

/** A month (`YYYY-MM`) in the estate's zone as the instants a report asks for: its first local midnight and the next month's. */
export function monthInstants(month: string, timeZone: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { from: new Date(fromLocal(epochDay(y, m, 1), 0, timeZone)).toISOString(), to: new Date(fromLocal(epochDay(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1), 0, timeZone)).toISOString() };
}

/** A unit as people say it: "3-1-502" (栋-单元-房号, units.label) → "3栋1单元502室" / "Bldg 3, Entr. 1, Rm 502"; any other label as it is. */
export function unitWords(label: string | null | undefined, locale: Locale): string {
  if (!label) return '';
  const parts = label.split('-');
  if (!parts.every((p) => /^[0-9A-Za-z]+$/.test(p))) return label;
  if (parts.length === 3) return locale === 'en' ? `Bldg ${parts[0]}, Entr. ${parts[1]}, Rm ${parts[2]}` : `${parts[0]}栋${parts[1]}单元${parts[2]}室`;
  if (parts.length === 2) return locale === 'en' ? `Bldg ${parts[0]}, Rm ${parts[1]}` : `${parts[0]}栋${parts[1]}室`;
  return label;
}

const INSTANTS_IN_TEXT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})/g;
const IDS_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * A sentence the platform wrote (a notice) as people read it: an instant it carries in the estate's
 * local time in the UI language's format, a user it names by id by their display name.
 */
export function readableText(sentence: string, ctx: PresentContext): string {
  return sentence
    .replace(INSTANTS_IN_TEXT, (iso) => formatDateTime(iso, ctx))
    .replace(IDS_IN_TEXT, (id) => ctx.people?.[id.toLowerCase()] ?? id);
}
