import type { AccountState } from './account.ts';
import { billingError, type BillingError } from './billing-error.ts';
import type { CivilDate, Fen, Payment, PaymentMethod } from './types.ts';

/** Longest refund reason, in characters (code points) after trimming. */
export const REFUND_REASON_MAX = 200;

/**
 * A refund's reason 退款原因 as it will be kept: trimmed, 1–{@link REFUND_REASON_MAX} characters;
 * anything else is an `invalid-reason` error at `/reason`. Pure.
 *
 * @example checkRefundReason('  业主搬离，退还预收  ') // → '业主搬离，退还预收'
 */
export function checkRefundReason(value: unknown): string | BillingError {
  if (value === undefined || value === null || value === '') return billingError('invalid-reason', '/reason', '退款原因为必填项', 'A refund reason is required');
  if (typeof value !== 'string') return billingError('invalid-reason', '/reason', '退款原因必须是文字', 'The refund reason must be text');
  const trimmed = value.trim();
  const length = [...trimmed].length;
  if (length === 0) return billingError('invalid-reason', '/reason', '退款原因不能为空白', 'The refund reason must not be blank');
  if (length > REFUND_REASON_MAX) {
    return billingError('invalid-reason', '/reason', `退款原因最多 ${REFUND_REASON_MAX} 个字（现为 ${length} 个）`, `The refund reason must be at most ${REFUND_REASON_MAX} characters (it has ${length})`);
  }
  return trimmed;
}

/** BL-7: the numbered slip 退款凭证 of a refund, printed and kept like a payment's receipt. */
export interface RefundSlip {
  readonly kind: 'refund';
  readonly serial: string;
  /** The refund's own record (a `payments` row of kind `refund`). */
  readonly paymentId: string;
  readonly unitId: string;
  readonly unitLabel: string;
  readonly receivedOn: CivilDate;
  readonly method: PaymentMethod;
  readonly amountFen: Fen;
  readonly reason: string;
  /** Who paid it out, as named when the slip was issued. */
  readonly cashier: { readonly id: string | null; readonly name: string };
  /** The payments whose credit it returns, most recent first. */
  readonly from: readonly { readonly paymentId: string; readonly amountFen: Fen }[];
  /** The unit's credit left after the refund. */
  readonly creditFen: Fen;
}

/**
 * The slip of one refund from the account settled on its date. Pure; the caller assigns the
 * serial (prefix `SERIAL_PREFIX.refund`, `TK`) and names the cashier and the unit.
 */
export function makeRefundSlip(
  refund: Payment & { readonly reason: string },
  state: AccountState,
  serial: string,
  names: { readonly unitLabel: string; readonly cashier: RefundSlip['cashier'] },
): RefundSlip {
  return {
    kind: 'refund',
    serial,
    paymentId: refund.id,
    unitId: refund.unitId,
    unitLabel: names.unitLabel,
    receivedOn: refund.receivedOn,
    method: refund.method,
    amountFen: refund.amountFen,
    reason: refund.reason,
    cashier: names.cashier,
    from: state.refunds.filter((r) => r.refundId === refund.id).map((r) => ({ paymentId: r.fromPaymentId, amountFen: r.amountFen })),
    creditFen: state.creditFen,
  };
}
