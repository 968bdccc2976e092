import type { Form, Text } from '@estateflow/definitions';

/**
 * Item lists (issue #22: MI-3, MI-5, PS-5, PS-10). A workflow keeps a list of items in one context
 * field, each a map with its number `no`, its own `state` and its own `history` (who, when, which
 * state, a note), moved one at a time by an event whose form names the item (`no`) and the next
 * state (`state`). The rest of an item is the fields its group or form defines (location, category,
 * responsible party, due date, photos for a handover defect). Everything is written through the
 * engine like any event; this file only reads.
 *
 * The 物业工程遗留问题统计表 (MI-5) is computed here from the defect items of every request that
 * keeps them (`defectItems`), never typed.
 */
export const DEFECT_LIST = 'defectItems';
/** The item states in which a defect is closed: accepted by the property side (seed 004: 验收). */
export const CLOSED_DEFECT_STATES: ReadonlySet<string> = new Set(['accepted']);

export type Item = { no: number; state: string; due?: string; [k: string]: unknown };
type Option = { value: string; label: Text };
/** The words of one item list: its fields' option texts (category, party) and its states'. */
export type ItemWords = { columns: Record<string, Option[]>; states: Option[] };

/** A stored item as the statistics read it; anything else (a malformed entry) is left out. */
export function asItems(value: unknown): Item[] {
  if (!Array.isArray(value)) return [];
  return value.filter((x): x is Item => !!x && typeof x === 'object' && typeof (x as Item).no === 'number' && typeof (x as Item).state === 'string');
}

/**
 * The words of a list from the workflow's forms: the option texts of the group (or item form) that
 * defines the list's fields, and the states of every form that moves an item (it has `no` and `state`).
 */
export function itemWords(forms: Iterable<Form>, list: string): ItemWords {
  const columns: Record<string, Option[]> = {};
  let states: Option[] = [];
  for (const form of forms) {
    const fields = form.layout.sections.flatMap((s) => s.fields);
    for (const f of fields) {
      if (f.field === list && f.columns) {
        for (const col of f.columns) if (col.options && !columns[col.field]) columns[col.field] = col.options.map((o) => ({ value: String(o.value), label: o.label }));
      }
    }
    const names = new Set(fields.map((f) => f.field));
    const stateField = fields.find((f) => f.field === 'state' && f.options);
    // every form that moves an item adds its states (a handover defect is confirmed, fixed and verified by three)
    if (names.has('no') && stateField) states = mergeOptions(states, stateField.options!.map((o) => ({ value: String(o.value), label: o.label })));
    // a form adding one item names the same fields as the group: its options count too
    if (names.has('location') && names.has('category')) {
      for (const f of fields) if (f.options && !columns[f.field] && f.field !== 'state') columns[f.field] = f.options.map((o) => ({ value: String(o.value), label: o.label }));
    }
  }
  return { columns, states };
}

/** One line of the 统计表: a value of a dimension with its items, those still open and those overdue. */
export type CountLine = { value: string; label: Text; count: number; open: number; overdue: number };
export type DefectStatistics = {
  asOf: string;
  requests: number;
  total: number;
  open: number;
  overdue: number;
  byState: CountLine[];
  byCategory: CountLine[];
  byParty: CountLine[];
};

const OPEN_WORD: Text = { zh: '已登记待送达', en: 'Recorded, not yet sent' };

/**
 * The 统计表 of a set of requests' defect items on `today` (the estate's civil date): counts by
 * state, category and responsible party, each with how many are still open and how many are past
 * their fix-by date while open. Lines keep the order of the words (the form's options), then any
 * value the words lack. Pure.
 */
export function defectStatistics(lists: readonly { items: readonly Item[]; words: ItemWords }[], today: string): DefectStatistics {
  const lines = { state: new Map<string, CountLine>(), category: new Map<string, CountLine>(), party: new Map<string, CountLine>() };
  const order = { state: [] as Option[], category: [] as Option[], party: [] as Option[] };
  let total = 0;
  let open = 0;
  let overdue = 0;
  for (const { items, words } of lists) {
    order.state = mergeOptions(order.state, [{ value: 'open', label: OPEN_WORD }, ...words.states]);
    order.category = mergeOptions(order.category, words.columns['category'] ?? []);
    order.party = mergeOptions(order.party, words.columns['party'] ?? []);
    for (const it of items) {
      const isOpen = !CLOSED_DEFECT_STATES.has(it.state);
      // an item with no fix-by date yet (a handover defect the contractor has not confirmed) is not late
      const isOverdue = isOpen && typeof it.due === 'string' && it.due !== '' && it.due < today;
      total++;
      if (isOpen) open++;
      if (isOverdue) overdue++;
      for (const dim of ['state', 'category', 'party'] as const) {
        const value = String(it[dim] ?? '');
        const line = lines[dim].get(value) ?? { value, label: labelOf(order[dim], value), count: 0, open: 0, overdue: 0 };
        line.count++;
        if (isOpen) line.open++;
        if (isOverdue) line.overdue++;
        lines[dim].set(value, line);
      }
    }
  }
  const sorted = (dim: 'state' | 'category' | 'party') => {
    const rank = (v: string) => {
      const i = order[dim].findIndex((o) => o.value === v);
      return i < 0 ? order[dim].length : i;
    };
    return [...lines[dim].values()].map((l) => ({ ...l, label: labelOf(order[dim], l.value) })).sort((a, b) => rank(a.value) - rank(b.value) || a.value.localeCompare(b.value));
  };
  return { asOf: today, requests: lists.filter((l) => l.items.length > 0).length, total, open, overdue, byState: sorted('state'), byCategory: sorted('category'), byParty: sorted('party') };
}

function mergeOptions(a: Option[], b: Option[]): Option[] {
  const out = [...a];
  for (const o of b) if (!out.some((x) => x.value === o.value)) out.push(o);
  return out;
}

/** A value's words; a value no form names (an older version's) reads as itself, or 未填 when empty. */
function labelOf(options: readonly Option[], value: string): Text {
  return options.find((o) => o.value === value)?.label ?? (value === '' ? { zh: '未填', en: 'Not given' } : { zh: value, en: value });
}
