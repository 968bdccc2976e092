import { sumFen } from './money.ts';
import type { Allocation, Fen, Payment, PaymentMethod, CivilDate } from './types.ts';

export interface ReceiptLine {
  readonly billKey: string;
  readonly component: 'principal' | 'late-fee';
  readonly amountFen: Fen;
}

/** BL-7: every payment gets a receipt 收据 with a serial number. */
export interface Receipt {
  readonly serial: string;
  readonly paymentId: string;
  readonly unitId: string;
  readonly receivedOn: CivilDate;
  readonly method: PaymentMethod;
  readonly amountFen: Fen;
  readonly lines: readonly ReceiptLine[];
  /** The part of the payment not applied on the day, held as credit (预收). */
  readonly creditFen: Fen;
}

/** BL-7: serial prefixes, each with its own counter per estate and year: 收据 SJ for payments, 退款凭证 TK for refunds. */
export const SERIAL_PREFIX = { payment: 'SJ', refund: 'TK' } as const;

const SERIAL = /^([A-Z][A-Z0-9]*)-(\d{4})-(\d{6,})$/;

/** `SJ-2027-000042`: prefix, year of receipt, sequence within that year (6+ digits). */
export function formatReceiptSerial(prefix: string, year: number, sequence: number): string {
  return `${prefix}-${year}-${String(sequence).padStart(6, '0')}`;
}

/** The serial after `last` for a receipt dated `on`; numbering restarts at 1 each year. */
export function nextReceiptSerial(prefix: string, on: CivilDate, last?: string): string {
  const year = Number(on.slice(0, 4));
  const m = last === undefined ? null : SERIAL.exec(last);
  const sequence = m && m[1] === prefix && Number(m[2]) === year ? Number(m[3]) + 1 : 1;
  return formatReceiptSerial(prefix, year, sequence);
}

/**
 * The receipt of one payment: the allocations made on the day it was received, the rest shown
 * as credit. Pure; the caller assigns the serial (e.g. from {@link nextReceiptSerial} under a lock).
 */
export function makeReceipt(payment: Payment, allocations: readonly Allocation[], serial: string): Receipt {
  const mine = allocations.filter((a) => a.paymentId === payment.id && a.on === payment.receivedOn);
  const lines = mine.map((a) => ({ billKey: a.billKey, component: a.component, amountFen: a.amountFen }));
  return {
    serial,
    paymentId: payment.id,
    unitId: payment.unitId,
    receivedOn: payment.receivedOn,
    method: payment.method,
    amountFen: payment.amountFen,
    lines,
    creditFen: payment.amountFen - sumFen(lines.map((l) => l.amountFen)),
  };
}
