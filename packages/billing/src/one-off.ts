import { addDays, payByDate } from './civil-date.ts';
import type { Bill, BillingPlan, PayWithin, ServiceCharge } from './types.ts';

/** How a one-off charge is billed: at once as its own bill (临时收费), or on the next cycle's bill. */
export type ChargeBilling = 'at-once' | 'next-cycle';

/** Pay-by of an at-once bill when the plan names none: 7 days from the day after it is issued (not in the field documents: the payment notice's own default). */
export const ONE_OFF_PAY_WITHIN: PayWithin = { amount: 7, unit: 'days' };

/** The charge's own setting wins; else the plan's `oneOffCharges.billing`; else the next cycle. */
export function chargeBilling(plan: BillingPlan | undefined, own: ChargeBilling | undefined): ChargeBilling {
  return own ?? plan?.oneOffCharges?.billing ?? 'next-cycle';
}

/** The key of a one-off bill: `<plan>/<unit>/<order serial>`, so a charge is billed at once only once. */
export function oneOffBillKey(planId: string, unitId: string, orderSerial: string): string {
  return `${planId}/${unitId}/${orderSerial}`;
}

/**
 * A one-off charge billed at once as its own bill of one line: issued on the day the charge was
 * raised (`completedOn`), to be paid within the plan's `oneOffCharges.payWithin` (default 7 days).
 * Its "period" is the one day after its pay-by: the plan's late-fee rule (BL-2, from the period's
 * first day, charged from the final notice of the cycle period holding it) then never counts a day
 * the bill gave to pay, however late in a cycle it was raised. Pure.
 *
 * @example oneOffBill(plan, { orderSerial: 'PS-000012', unitId, completedOn: '2027-03-05', amountFen: 5000 }, '2027-01-01').payBy // '2027-03-12'
 */
export function oneOffBill(plan: BillingPlan, charge: ServiceCharge, scheduleVersion: string): Bill {
  const on = charge.completedOn;
  const payBy = payByDate(on, plan.oneOffCharges?.payWithin ?? ONE_OFF_PAY_WITHIN);
  const lateFrom = addDays(payBy, 1);
  return {
    key: oneOffBillKey(plan.id, charge.unitId, charge.orderSerial),
    planId: plan.id,
    unitId: charge.unitId,
    periodId: charge.orderSerial,
    periodStart: lateFrom,
    periodEnd: lateFrom,
    issueOn: on,
    payBy,
    scheduleVersion,
    lines: [{
      no: 1,
      kind: 'service',
      description: charge.description ?? { zh: `临时收费 ${charge.orderSerial}`, en: `One-off charge ${charge.orderSerial}` },
      amountFen: charge.amountFen,
      orderSerial: charge.orderSerial,
    }],
    totalFen: charge.amountFen,
  };
}
