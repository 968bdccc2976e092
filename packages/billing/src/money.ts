import { BillingInputError, billingError } from './billing-error.ts';
import type { Fen } from './types.ts';

/**
 * The one rounding rule of the package (BL-8): an exact quotient of integers is rounded to a
 * whole fen **half-up**, i.e. a remainder of exactly one half goes away from zero
 * (18,888.5 → 18,889; −0.5 → −1). Computed in BigInt, never in floating point.
 */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('roundHalfUp: denominator is zero');
  if (denominator < 0n) return roundHalfUp(-numerator, -denominator);
  const negative = numerator < 0n;
  const abs = negative ? -numerator : numerator;
  const quotient = abs / denominator;
  const remainder = abs % denominator;
  const rounded = remainder * 2n >= denominator ? quotient + 1n : quotient;
  return negative ? -rounded : rounded;
}

/** Asserts a fen amount is a safe integer; throws a {@link BillingInputError} naming `path` otherwise. */
export function assertFen(amount: number, path: string): Fen {
  if (!Number.isSafeInteger(amount)) {
    throw new BillingInputError(
      billingError('invalid-amount', path, `金额必须是整数分：${String(amount)}`, `Amount must be an integer number of fen: ${String(amount)}`),
    );
  }
  return amount;
}

/**
 * Converts a BigInt fen amount back to a number, refusing (reason `amount-out-of-range`, naming
 * `path`) anything outside the safe integer range rather than rounding it.
 */
export function toFen(amount: bigint, path = ''): Fen {
  if (amount > BigInt(Number.MAX_SAFE_INTEGER) || amount < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new BillingInputError(billingError('amount-out-of-range', path, '金额超出范围', 'Amount out of the safe integer range'));
  }
  return Number(amount);
}

/** Sums integer fen amounts exactly (in BigInt); a total beyond the safe range is refused by `toFen`, naming `path`. */
export function sumFen(amounts: readonly Fen[], path = ''): Fen {
  let total = 0n;
  for (const a of amounts) total += BigInt(a);
  return toFen(total, path);
}

const AREA = /^(\d{1,7})(?:\.(\d{1,2}))?$/;

/** Parses a floor area such as `"89.37"` into hundredths of a m² (8937n); `undefined` if malformed. */
export function parseAreaHundredths(area: string): bigint | undefined {
  const m = AREA.exec(area);
  if (!m) return undefined;
  const whole = BigInt(m[1] ?? '0');
  const frac = BigInt((m[2] ?? '').padEnd(2, '0'));
  return whole * 100n + frac;
}

const YUAN = /^(-)?(\d{1,13})(?:\.(\d{1,2}))?$/;

/** Parses a yuan amount written with at most two decimals (`"1234.56"`, commas allowed) into fen. */
export function yuanToFen(yuan: string): Fen | undefined {
  const m = YUAN.exec(yuan.replaceAll(',', '').trim());
  if (!m) return undefined;
  const fen = BigInt(m[2] ?? '0') * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return toFen(m[1] ? -fen : fen);
}

/** Formats fen as yuan with thousands separators and two decimals: 123456 → `"1,234.56"`. */
export function formatYuan(fen: Fen): string {
  const negative = fen < 0;
  const digits = String(negative ? -fen : fen).padStart(3, '0');
  const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${whole}.${digits.slice(-2)}`;
}
