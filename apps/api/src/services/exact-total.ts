import { sumFen, type Fen } from '@estateflow/billing';
import { amountRefusal } from '../errors.ts';

/**
 * A money total of the API, added exactly (the billing package's `sumFen`, in BigInt): either the
 * exact sum as a JSON number, or, beyond ±Number.MAX_SAFE_INTEGER fen, the 422
 * `amount-out-of-range` naming `field` (errors.ts `amountOutOfRange`); never a rounded sum.
 */
export function exactTotal(field: string, amounts: readonly number[]): Fen {
  try {
    return sumFen(amounts, field);
  } catch (e) {
    throw amountRefusal(e) ?? e;
  }
}
