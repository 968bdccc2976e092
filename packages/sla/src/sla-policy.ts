import type { Text } from '@estateflow/calendar';
import type { Sla } from '@estateflow/definitions';
import type { Deadline } from './deadline-types.ts';

/**
 * The `sla` definition document (schemas/sla.schema.json), restated by hand until
 * packages/definitions generates it; keep both in step.
 */
export type Condition =
  | { readonly enter: string }
  | { readonly leave: string }
  | { readonly event: string }
  | { readonly expr: string };

export interface Goal {
  /** CEL over the instance (`context`, `params`, `event`); absent = always. First true goal wins. */
  readonly when?: string;
  readonly deadline: Deadline;
  readonly title?: Text;
}

export type Warning = number | { readonly percent: number; readonly notify?: readonly string[]; readonly message?: Text };

export interface Rung {
  /** When this rung fires, measured from the breach. */
  readonly after: Deadline;
  readonly notify: readonly string[];
  readonly message?: Text;
}

export interface OnBreach {
  /** true (default): a breach is recorded once per instance, even after a reset; false: re-armed after each reset. */
  readonly once?: boolean;
  readonly ladder?: readonly Rung[];
  /** Actions of the workflow vocabulary the engine runs when the breach is recorded. */
  readonly actions?: readonly { readonly type: string; readonly params?: Record<string, unknown> }[];
}

export interface Metric {
  readonly id: string;
  readonly title?: Text;
  readonly start: readonly Condition[];
  readonly pause?: readonly Condition[];
  readonly resume?: readonly Condition[];
  readonly stop: readonly Condition[];
  readonly reset?: readonly Condition[];
  readonly goals: readonly Goal[];
  /** Per cent of the goal at which to warn, e.g. [50, 80]. */
  readonly warnings?: readonly Warning[];
  readonly onBreach?: OnBreach;
  /** Calendar for this metric's working time; else the policy's. */
  readonly calendar?: string;
}

export interface SlaPolicy {
  readonly $schema?: string;
  readonly kind: 'sla';
  readonly id: string;
  readonly title?: Text;
  readonly description?: Text;
  readonly workflow?: string;
  readonly calendar?: string;
  readonly requirements?: readonly string[];
  readonly metrics: readonly Metric[];
}

type Assert<T extends true> = T;
/** Compile-time check: every document valid against schemas/sla.schema.json is an SlaPolicy. */
export type SlaSchemaFits = Assert<Sla extends SlaPolicy ? true : false>;
