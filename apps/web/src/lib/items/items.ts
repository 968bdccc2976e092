import type { FieldWords, Words } from '@estateflow/api/schemas';

/**
 * Item lists (issue #22: handover defects, MI-3/MI-5; materials and checklists later): a request's
 * data field holding items, each with its number `no`, its own `state` and `history`. The words
 * are the definition's: the group (or item form) columns for the fields, the options of the form
 * that moves an item (it names `no` and `state`) for the states. Pure.
 */
export type ItemHistory = { at: string; by: string; state: string; note?: string };
export type Item = { no: number; state: string; history: ItemHistory[]; [k: string]: unknown };
export type ItemColumn = { key: string; words: FieldWords | undefined };

/** Whether a value is an item list: a non-empty list of maps with a number, a state and a history. */
export function isItemList(value: unknown): value is Item[] {
  return Array.isArray(value) && value.length > 0 && value.every((x) => !!x && typeof x === 'object' && typeof (x as Item).no === 'number' && typeof (x as Item).state === 'string' && Array.isArray((x as Item).history));
}

/** The item lists in a request's data, by field name. */
export function itemLists(data: Record<string, unknown> | null | undefined): [string, Item[]][] {
  return Object.entries(data ?? {}).filter((e): e is [string, Item[]] => isItemList(e[1]));
}

const OWN = new Set(['no', 'state', 'history', 'note']);

/** The columns of a list, in the group's order, then any field an item form adds (photos); each with its words. */
export function itemColumns(words: Words | undefined, list: string, items: readonly Item[]): ItemColumn[] {
  const group = words?.fields[list]?.columns ?? {};
  const keys = [...Object.keys(group)];
  const extra: string[] = [];
  for (const it of items) for (const k of Object.keys(it)) if (!OWN.has(k) && !keys.includes(k) && !extra.includes(k)) extra.push(k);
  // fields an item form adds, in that form's order (the stored item's keys come back in the database's order)
  const formOrder = Object.values(words?.events ?? {}).flatMap((e) => Object.keys(e.fields ?? {}));
  const rank = (k: string) => {
    const i = formOrder.indexOf(k);
    return i < 0 ? formOrder.length : i;
  };
  keys.push(...extra.sort((a, b) => rank(a) - rank(b)));
  const fromEvents = (k: string) => Object.values(words?.events ?? {}).map((e) => e.fields?.[k]).find((f) => f !== undefined);
  return keys.map((key) => ({ key, words: group[key] ?? fromEvents(key) }));
}

/**
 * The words of the item states: the options of every form field `state` that sits beside `no` (the
 * forms that move an item), and of a group's `result` column (a checklist's 合格/不合格). The state an
 * item starts in is no form's option: the page words it (`items.state.<state>`).
 */
export function stateWords(words: Words | undefined): FieldWords | undefined {
  const options: NonNullable<FieldWords['options']> = [];
  const add = (list: FieldWords['options']) => {
    for (const o of list ?? []) if (!options.some((x) => x.value === o.value)) options.push(o);
  };
  for (const e of Object.values(words?.events ?? {})) {
    const f = e.fields ?? {};
    if (f['no'] && f['state']) add(f['state'].options);
    for (const g of Object.values(f)) add(g.columns?.['result']?.options);
  }
  return options.length ? { title: { zh: '', en: '' }, options } : undefined;
}
