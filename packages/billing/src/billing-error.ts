import type { Text } from './types.ts';

export type BillingErrorReason =
  | 'invalid-date'
  | 'invalid-period'
  | 'cadence-mismatch'
  | 'invalid-plan'
  | 'invalid-schedule'
  | 'no-schedule-version'
  | 'unknown-unit-type'
  | 'unknown-parking-kind'
  | 'invalid-area'
  | 'invalid-amount'
  /** a total or amount beyond ±Number.MAX_SAFE_INTEGER fen, which a JSON number cannot state exactly (`toFen`) */
  | 'amount-out-of-range'
  | 'unknown-plan'
  | 'unknown-bill'
  | 'refund-exceeds-credit'
  | 'invalid-reason';

/** An expected failure: a value, not an exception; `path` is a JSON pointer into the input. */
export interface BillingError {
  readonly reason: BillingErrorReason;
  readonly path: string;
  readonly message: Text;
  readonly cause?: unknown;
}

export function billingError(reason: BillingErrorReason, path: string, zh: string, en: string, cause?: unknown): BillingError {
  return cause === undefined ? { reason, path, message: { zh, en } } : { reason, path, message: { zh, en }, cause };
}

/** Thrown only for programming errors the types cannot rule out (e.g. a non-integer amount). */
export class BillingInputError extends Error {
  constructor(readonly error: BillingError) {
    super(`${error.message.en} (${error.path})`);
    this.name = 'BillingInputError';
  }
}

export function isBillingError(value: unknown): value is BillingError {
  return typeof value === 'object' && value !== null && 'reason' in value && 'message' in value && 'path' in value;
}
