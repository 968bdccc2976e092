import type { Deadline as SchemaDeadline } from '@estateflow/definitions';

/**
 * The Deadline shape of schemas/common.schema.json (`#/$defs/Deadline`), restated until
 * packages/definitions exports the generated type; the schema is the source of truth.
 */
export type DurationUnit = 'minutes' | 'hours' | 'days' | 'weeks' | 'months' | 'years';
export interface Duration {
  readonly amount: number | string;
  readonly unit: DurationUnit;
}
export type SimpleDeadline =
  | { readonly after: Duration; readonly working?: boolean; readonly calendar?: string }
  | { readonly endOfDay: true; readonly calendar?: string }
  | { readonly at: string; readonly calendar?: string }
  | { readonly dayOfMonth: number; readonly monthsAhead?: number; readonly calendar?: string }
  | { readonly expr: string };
export type Deadline =
  | SimpleDeadline
  | { readonly cases: readonly { readonly when: string; readonly deadline: SimpleDeadline }[]; readonly else: SimpleDeadline };

type Assert<T extends true> = T;
/** Compile-time check: every schema-valid Deadline (common.schema.json) is a Deadline here. */
export type DeadlineSchemaFits = Assert<SchemaDeadline extends Deadline ? true : false>;
