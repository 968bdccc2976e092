/**
 * The billing package's own minimal types for the `fee-schedule` and `billing-plan` definitions
 * (schemas/fee-schedule.schema.json, schemas/billing-plan.schema.json) and for the records a
 * billing run produces. Kept in this one file until @estateflow/definitions generates the
 * definition types from the schemas; then the two definition interfaces switch to those.
 *
 * Money is always an integer number of fen (分), a safe integer; no floating point anywhere.
 */

/** Bilingual text, zh-CN first (schemas/common.schema.json#/$defs/Text). */
export interface Text {
  readonly zh: string;
  readonly en: string;
}

/** A civil date in the estate's time zone, `YYYY-MM-DD`. */
export type CivilDate = string;

/** An integer amount of fen (1 yuan = 100 fen). */
export type Fen = number;

export type Cadence = 'monthly' | 'quarterly' | 'semi-annual';

/** An exact ratio, e.g. 3 ‰ = `{ numerator: 3, denominator: 1000 }`. */
export interface Ratio {
  readonly numerator: number;
  readonly denominator: number;
}

// ---------------------------------------------------------------- fee schedule (PS-2, BL-6)

export interface ManagementRate {
  /** Unit type this rate applies to, e.g. `residential`, `shop`, `villa`. */
  readonly unitType: string;
  readonly title: Text;
  /** Management fee in fen per m² of floor area per month. */
  readonly fenPerSqmMonth: Fen;
}

export interface ParkingRate {
  readonly kind: string;
  readonly title: Text;
  readonly fenPerMonth: Fen;
}

export interface DebrisRemovalRate {
  readonly title: Text;
  /** `per-sqm`: amount × floor area; `per-unit`: a flat amount (RN-2). */
  readonly basis: 'per-sqm' | 'per-unit';
  readonly amountFen: Fen;
}

export interface ServiceItem {
  /** Catalogue code, e.g. `lamp-replace` (PS-10). */
  readonly code: string;
  readonly title: Text;
  readonly priceFen: Fen;
  /** What one price buys, e.g. 次/each, 米/metre. */
  readonly per: Text;
  /** Optional id of the checklist form the technician fills (PS-10). */
  readonly checklistForm?: string;
}

export interface FeeScheduleVersion {
  /** First day this version applies (inclusive); it applies until the next version's date. */
  readonly effectiveFrom: CivilDate;
  readonly management: readonly ManagementRate[];
  readonly parking?: readonly ParkingRate[];
  readonly debrisRemoval?: DebrisRemovalRate;
  /** BL-6: vacant units in custody pay this share of the management fee (‰; default 700). */
  readonly custodyFactorPermille?: number;
  readonly services?: readonly ServiceItem[];
}

export interface FeeSchedule {
  readonly kind: 'fee-schedule';
  readonly id: string;
  readonly title: Text;
  readonly description?: Text;
  readonly versions: readonly FeeScheduleVersion[];
}

// ---------------------------------------------------------------- billing plan (BL table, BL-1..BL-4)

export interface PayWithin {
  readonly amount: number;
  readonly unit: 'days' | 'months';
}

/** A notice issued on a fixed day of a month counted from the period's first month. */
export interface MonthDayNotice {
  /** Months relative to the period's first month: -1 = the month before, 0 = the first month. */
  readonly monthOffset: number;
  /** Day of that month, 1–31 (clamped to the month's last day). */
  readonly day: number;
  readonly payWithin: PayWithin;
}

export interface FinalNoticeRule {
  /** BL-1: counted from the reminder's issue date or from its pay-by date. */
  readonly after: 'reminder-issue' | 'reminder-pay-by';
  /** "From the 8th day after": issueOn = anchor + days. */
  readonly days: number;
  readonly payWithin: PayWithin;
}

export type RecoveryChannel = 'phone' | 'sms' | 'letter' | 'visit' | 'legal';

export interface RecoveryStep {
  readonly channel: RecoveryChannel;
  /** Offset from the first day of recovery. */
  readonly after: PayWithin;
  readonly title: Text;
}

export interface RecoveryRule {
  /** Recovery starts this many days after the final notice's pay-by date (default 1). */
  readonly daysAfterFinalPayBy: number;
  /** BL-4: how long the soft ladder runs before the formal letter (default 3 months). */
  readonly payWithin: PayWithin;
  /** BL-4's softer ladder: phone/SMS, formal letter after 3 months, visit, legal. */
  readonly steps?: readonly RecoveryStep[];
}

export type LateFeeStart = 'period-start' | 'payment-notice-pay-by' | 'reminder-pay-by' | 'final-notice-pay-by';

export interface LateFeeRule {
  /** BL-2: 3 ‰ per day = `{ numerator: 3, denominator: 1000 }`. */
  readonly dailyRate: Ratio;
  /** BL-2 default `period-start`: from the first day of the period in arrears; the others start the day after that pay-by. */
  readonly startsOn: LateFeeStart;
  /**
   * `final-notice` (BL-2: "the reminder warns of it; the final notice charges it"): principal
   * paid before the final notice's issue date bears no late fee. `accrual`: every day counts.
   */
  readonly chargedFrom: 'final-notice' | 'accrual';
  readonly cap?: { readonly ratioOfPrincipal?: Ratio; readonly maxFen?: Fen };
  readonly waiver?: {
    /** A computed late fee below this amount is waived. */
    readonly belowFen?: Fen;
    /** Principal fully paid within this many days from the start bears no late fee. */
    readonly graceDays?: number;
  };
}

export interface AllocationRule {
  readonly order: 'oldest-first' | 'newest-first';
  readonly within: 'principal-first' | 'late-fee-first';
}

export interface BillingPlan {
  readonly kind: 'billing-plan';
  readonly id: string;
  readonly title: Text;
  readonly description?: Text;
  /** Id of the fee schedule this plan bills. */
  readonly feeSchedule: string;
  readonly cadence: Cadence;
  /** First month (1–12) of the first period of a year; default 1 (periods start in January). */
  readonly anchorMonth?: number;
  readonly timeZone?: string;
  readonly notices: {
    readonly paymentNotice: MonthDayNotice;
    readonly reminder: MonthDayNotice;
    readonly finalNotice: FinalNoticeRule;
    readonly recovery: RecoveryRule;
  };
  readonly lateFee: LateFeeRule;
  readonly allocation?: AllocationRule;
  /** PS-7/BL-5: list completed paid-service orders on the next notice (default true). */
  readonly includeServiceCharges?: boolean;
}

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

export type PaymentMethod = 'desk' | 'home-collection' | 'bank-transfer' | 'wechat' | 'alipay' | 'other';

/** Money in (`payment`) or out (`refund`, taken from the unit's credit). Amount is positive. */
export interface Payment {
  readonly id: string;
  readonly unitId: string;
  readonly kind: 'payment' | 'refund';
  readonly receivedOn: CivilDate;
  readonly amountFen: Fen;
  readonly method: PaymentMethod;
}

export interface Allocation {
  readonly paymentId: string;
  readonly billKey: string;
  readonly component: 'principal' | 'late-fee';
  readonly on: CivilDate;
  readonly amountFen: Fen;
}
