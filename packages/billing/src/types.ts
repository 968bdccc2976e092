import type {
  BillingPlan as BillingPlanDefinition,
  BillingPlanPayWithin,
  BillingPlanRatio,
  FeeSchedule as FeeScheduleDefinition,
  FeeScheduleDebrisRemoval,
  FeeScheduleManagementRate,
  FeeScheduleParkingRate,
  FeeScheduleServiceItem,
  FeeScheduleVersion as FeeScheduleVersionDefinition,
  Text as DefinitionText,
} from '@estateflow/definitions';

/**
 * Types of the billing package: the `fee-schedule` and `billing-plan` definitions come from
 * @estateflow/definitions (generated from schemas/*.schema.json, never restated here); the
 * records a billing run produces (bills, payments, allocations) are defined below.
 *
 * Money is always an integer number of fen (分), a safe integer; no floating point anywhere.
 */

/** Bilingual text, zh-CN first (schemas/common.schema.json#/$defs/Text). */
export type Text = DefinitionText;

/** A civil date in the estate's time zone, `YYYY-MM-DD`. */
export type CivilDate = string;

/** An integer amount of fen (1 yuan = 100 fen). */
export type Fen = number;

// ---------------------------------------------------------------- definitions (generated from schemas/)

/** schemas/fee-schedule.schema.json, as generated into @estateflow/definitions. */
export type FeeSchedule = FeeScheduleDefinition;
export type FeeScheduleVersion = FeeScheduleVersionDefinition;
export type ManagementRate = FeeScheduleManagementRate;
export type ParkingRate = FeeScheduleParkingRate;
export type DebrisRemovalRate = FeeScheduleDebrisRemoval;
export type ServiceItem = FeeScheduleServiceItem;

/** schemas/billing-plan.schema.json, as generated into @estateflow/definitions. */
export type BillingPlan = BillingPlanDefinition;
export type PayWithin = BillingPlanPayWithin;
export type Ratio = BillingPlanRatio;
export type MonthDayNotice = BillingPlan['notices']['paymentNotice'];
export type FinalNoticeRule = BillingPlan['notices']['finalNotice'];
export type RecoveryRule = BillingPlan['notices']['recovery'];
export type RecoveryStep = NonNullable<RecoveryRule['steps']>[number];
export type RecoveryChannel = RecoveryStep['channel'];
export type LateFeeRule = BillingPlan['lateFee'];
export type LateFeeStart = LateFeeRule['startsOn'];
export type AllocationRule = NonNullable<BillingPlan['allocation']>;
export type Cadence = BillingPlan['cadence'];

// ---------------------------------------------------------------- records

export interface Unit {
  readonly id: string;
  readonly type: string;
  /** Floor area in m² as a decimal string with at most 2 decimals, e.g. `"89.37"`. */
  readonly areaSqm: string;
  /** BL-6: vacant and held in custody (托管). */
  readonly custody?: boolean;
  readonly parking?: readonly { readonly kind: string; readonly count: number }[];
}

/** A completed paid-service work order to be charged (PS-7, BL-5). */
export interface ServiceCharge {
  readonly orderSerial: string;
  readonly unitId: string;
  readonly completedOn: CivilDate;
  readonly amountFen: Fen;
  readonly description?: Text;
}

export type BillLineKind = 'management' | 'parking' | 'service';

export interface BillLine {
  readonly no: number;
  readonly kind: BillLineKind;
  readonly description: Text;
  readonly amountFen: Fen;
  readonly orderSerial?: string;
}

export interface Bill {
  /** `<planId>/<unitId>/<periodId>`: one bill per plan, unit and period. */
  readonly key: string;
  readonly planId: string;
  readonly unitId: string;
  readonly periodId: string;
  readonly periodStart: CivilDate;
  readonly periodEnd: CivilDate;
  /** The payment notice's issue date. */
  readonly issueOn: CivilDate;
  /** The payment notice's pay-by date. */
  readonly payBy: CivilDate;
  /** effectiveFrom of the fee-schedule version used. */
  readonly scheduleVersion: CivilDate;
  readonly lines: readonly BillLine[];
  readonly totalFen: Fen;
}

/** A signed change to a bill, appended, never edited (a correction, discount or late-fee waiver). */
export interface Adjustment {
  readonly id: string;
  readonly billKey: string;
  readonly on: CivilDate;
  readonly component: 'principal' | 'late-fee';
  readonly amountFen: Fen;
  readonly reason: Text;
}

/** `desk`: at the service desk without saying how (kept for older records); `cash` and `card` (POS) name it. */
export type PaymentMethod = 'cash' | 'card' | 'desk' | 'home-collection' | 'bank-transfer' | 'wechat' | 'alipay' | 'other';

/** Money in (`payment`) or out (`refund`, taken from the unit's credit). Amount is positive. */
export interface Payment {
  readonly id: string;
  readonly unitId: string;
  readonly kind: 'payment' | 'refund';
  readonly receivedOn: CivilDate;
  readonly amountFen: Fen;
  readonly method: PaymentMethod;
  /** Why a refund was made (退款原因); payments carry none. */
  readonly reason?: string;
  /** The receipt (`SJ-…`) or refund slip (`TK-…`) number issued for it, once issued. */
  readonly serial?: string;
}

export interface Allocation {
  readonly paymentId: string;
  readonly billKey: string;
  readonly component: 'principal' | 'late-fee';
  readonly on: CivilDate;
  readonly amountFen: Fen;
}
