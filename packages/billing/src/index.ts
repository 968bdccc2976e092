export type {
  Adjustment,
  Allocation,
  AllocationRule,
  Bill,
  BillingPlan,
  BillLine,
  BillLineKind,
  Cadence,
  CivilDate,
  DebrisRemovalRate,
  FeeSchedule,
  FeeScheduleVersion,
  Fen,
  FinalNoticeRule,
  LateFeeRule,
  LateFeeStart,
  ManagementRate,
  MonthDayNotice,
  ParkingRate,
  Payment,
  PaymentMethod,
  PayWithin,
  Ratio,
  RecoveryChannel,
  RecoveryRule,
  RecoveryStep,
  ServiceCharge,
  ServiceItem,
  Text,
  Unit,
} from './types.ts';
export { billingError, BillingInputError, isBillingError, type BillingError, type BillingErrorReason } from './billing-error.ts';
export { assertFen, formatYuan, parseAreaHundredths, roundHalfUp, sumFen, toFen, yuanToFen } from './money.ts';
export { addDays, addMonths, civilDate, compareDates, dayBounds, daysBetween, DEFAULT_TIME_ZONE, estateDate, isCivilDate, payByDate } from './civil-date.ts';
export { monthsPerPeriod, nextPeriod, parsePeriod, periodContaining, periodOf, periodsBetween, type Period } from './period.ts';
export { checkPlan, noticeOf, noticeSchedule, recoveryLadder, type NoticeKind, type RecoveryLadderStep, type ScheduledNotice } from './notice-schedule.ts';
export { defaultPlan, SOFT_LADDER } from './default-plan.ts';
export { checkSchedule, debrisRemovalFee, DEFAULT_CUSTODY_FACTOR_PERMILLE, periodicLines, scheduleSegments, scheduleVersionOn, type ScheduleSegment } from './fee-schedule.ts';
export { billKey, generateBills, type GenerateOptions, type GenerateResult } from './generate-bills.ts';
export { lateFee, lateFeeStart, type LateFeePart, type LateFeeResult, type PrincipalPayment } from './late-fee.ts';
export { accountsByUnit, billStateOf, DEFAULT_ALLOCATION, paidTotals, settleAccount, type AccountInput, type AccountState, type BillState, type PaidTotal, type Refund } from './account.ts';
export { formatReceiptSerial, makeReceipt, nextReceiptSerial, SERIAL_PREFIX, type Receipt, type ReceiptLine } from './receipt.ts';
export { checkRefundReason, makeRefundSlip, REFUND_REASON_MAX, type RefundSlip } from './refund-slip.ts';
export { AGE_BUCKETS, ageBucket, arrearsOf, arrearsReport, statement, type AgeBucket, type ArrearsReport, type ArrearsRow, type Statement, type StatementEntry } from './statement.ts';
export { amountInWords } from './amount-in-words.ts';
export { lateFeeRuleWords, lateFeeWarning, periodWords } from './words.ts';
export { addBuckets, ageArrears, AGEING_BUCKETS, ageingBillOf, ageingBucket, COUNTER_METHODS, heldTakings, type HeldTakings, monthRange, refundedTakings, type RefundedTakings, takings, type Ageing, type AgeingBill, type AgeingBucket, type AgeingUnit, type Buckets, type MethodTakings, type SerialRange, type Takings, type TakingsEntry } from './cashier.ts';
export { chargeBilling, ONE_OFF_PAY_WITHIN, oneOffBill, oneOffBillKey, type ChargeBilling } from './one-off.ts';
export { feeMonthReport, feeMonthReportOf, feeMonthUnit, feeMonthUnitOfPaid, incomeAllocations, incomeAllocationsOfPaid, incomeSpendingReport, rateBp, type FeeMonthFigures, type FeeMonthReport, type FeeMonthUnit, type IncomeAllocation, type IncomeMoney, type IncomeSpendingReport, type SpendingItem } from './reports.ts';
