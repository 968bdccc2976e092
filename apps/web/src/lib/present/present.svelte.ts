import { humanise } from '@estateflow/forms';
import { i18n } from '$lib/i18n/index.svelte.ts';
import { session } from '$lib/session.svelte.ts';
import { eventTitle, fieldLabel, gradeTitle, formatDate, formatDateTime, formatMoney, pick, presentData, presentValue, readableText, stateTitle, summaryOf, timerTitle, unitWords, type DataRow, type Display, type PresentContext } from './format.ts';
import type { FieldWords, Words } from '@estateflow/api/schemas';

/**
 * The presentation layer bound to the UI language and the estate's zone: what pages call. Reading
 * `i18n.locale` inside makes every use re-render on a language switch.
 */
export const present = {
  ctx(estateId?: string, people?: Readonly<Record<string, string>>): PresentContext {
    return { locale: i18n.locale, timeZone: session.timeZoneOf(estateId), ...(people ? { people } : {}) };
  },
  /** The workflow's title (the words', else a title the caller has, else the humanised key). */
  workflow(words: Words | undefined, key: string, title?: { zh: string; en: string }): string {
    return pick(words?.title ?? title, i18n.locale) || humanise(key);
  },
  state(words: Words | undefined, state: unknown): string {
    return stateTitle(words, state, i18n.locale);
  },
  event(words: Words | undefined, type: string): string {
    return eventTitle(words, type, i18n.locale);
  },
  /** A workflow timer's title (the delay's, else the scheduled event's). */
  timer(words: Words | undefined, event: string): string {
    return timerTitle(words, event, i18n.locale);
  },
  /** The key fields a list shows for a request (its definition's `summary` fields), as "label: value" items. */
  summary(data: Record<string, unknown> | null | undefined, words: Words | undefined, estateId?: string, people?: Readonly<Record<string, string>>) {
    return summaryOf(data, words, this.ctx(estateId, people));
  },
  field(words: Words | undefined, name: string, event?: string): string {
    return fieldLabel(words, name, i18n.locale, event);
  },
  data(data: Record<string, unknown> | null | undefined, words: Words | undefined, estateId?: string, event?: string, people?: Readonly<Record<string, string>>): DataRow[] {
    return presentData(data, words, this.ctx(estateId, people), event);
  },
  /** One value by its field's words (an item list's cell). */
  value(value: unknown, key: string, field: FieldWords | undefined, estateId?: string, people?: Readonly<Record<string, string>>): Display {
    return presentValue(value, key, field, this.ctx(estateId, people));
  },
  /** A sentence the platform wrote (a notice's message) with its instants local and its people named. */
  sentence(text: { zh: string; en: string } | string | null | undefined, estateId?: string, people?: Readonly<Record<string, string>>): string {
    return readableText(pick(text, i18n.locale), this.ctx(estateId, people));
  },
  /** A request's grade: the definition's option title, else the platform's (重大/重要/轻微), else the humanised value. */
  grade(words: Words | undefined, grade: string): string {
    const key = `grade.${grade}`;
    return gradeTitle(words, grade, i18n.locale, i18n.has(key) ? i18n.t(key) : undefined);
  },
  metric(words: Words | undefined, key: string): string {
    return pick(words?.metrics[key]?.title, i18n.locale) || humanise(key);
  },
  dateTime(instant: string | number | Date | null | undefined, estateId?: string): string {
    return formatDateTime(instant, this.ctx(estateId));
  },
  /** A calendar date (a bill's pay-by day) in the UI language's format. */
  date(value: string | null | undefined, estateId?: string): string {
    return formatDate(value, this.ctx(estateId));
  },
  unit(label: string | null | undefined): string {
    return unitWords(label, i18n.locale);
  },
  money(fen: number): string {
    return formatMoney(fen, i18n.locale);
  },
};
