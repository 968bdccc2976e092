import { civilDate, dateTime, fen, jsonObject, text, uuid } from './common.ts';
import { custodyAgreement } from './estates.ts';

const billingDocument = {
  type: 'object',
  required: ['key', 'revision', 'updatedAt', 'document'],
  properties: { key: { type: 'string' }, revision: { type: 'integer' }, updatedAt: dateTime, document: { ...jsonObject, description: 'a fee-schedule or billing-plan document' } }, additionalProperties: false,
} as const;

export const billingDocuments = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: billingDocument } }, additionalProperties: false } as const;
export const billingDocumentSaved = { type: 'object', required: ['key', 'revision'], properties: { key: { type: 'string' }, revision: { type: 'integer' } }, additionalProperties: false } as const;

export const unitProfile = {
  type: 'object',
  required: ['unitId', 'unitType', 'custody', 'custodyAgreement', 'parking', 'payer', 'updatedAt', 'areaSqm', 'effectiveFrom', 'changed'],
  properties: {
    unitId: uuid,
    unitType: { type: 'string' },
    custody: { type: 'boolean' },
    custodyAgreement,
    parking: { type: 'array', items: { type: 'object', required: ['kind', 'count'], properties: { kind: { type: 'string' }, count: { type: 'integer' } }, additionalProperties: false } },
    payer: { type: 'string', enum: ['household', 'owner', 'tenant'] },
    updatedAt: dateTime,
    areaSqm: { type: ['string', 'null'], description: 'm² as text with 2 decimals' },
    effectiveFrom: { type: 'string', format: 'date', description: 'the date the values hold from (estate time)' },
    changed: { type: 'array', items: { type: 'string', enum: ['areaSqm', 'unitType', 'custody', 'custodyAgreement', 'parking', 'payer'] }, description: 'the fields this save changed (recorded in the unit history); empty when nothing changed' },
  },
  additionalProperties: false,
} as const;

const period = {
  type: 'object',
  required: ['cadence', 'id', 'year', 'index', 'months', 'start', 'end'],
  properties: { cadence: { type: 'string' }, id: { type: 'string' }, year: { type: 'integer' }, index: { type: 'integer' }, months: { type: 'integer' }, start: civilDate, end: civilDate }, additionalProperties: false,
} as const;

export const dunning = {
  type: 'object',
  required: ['period', 'notices', 'recovery'],
  properties: {
    period,
    notices: { type: 'array', items: { ...jsonObject, description: 'a notice of the timetable: its kind and date' } },
    recovery: { type: 'array', items: { ...jsonObject, description: "a step of BL-4's recovery ladder" } },
  },
  additionalProperties: false,
} as const;

export const run = {
  type: 'object',
  required: ['plan', 'period', 'created', 'existing', 'errors'],
  properties: {
    plan: { type: 'string' },
    period: { type: 'string' },
    created: { type: 'array', items: { type: 'object', required: ['key', 'unitId', 'totalFen'], properties: { key: { type: 'string' }, unitId: uuid, totalFen: fen, unitLabel: { type: 'string' }, building: { type: 'string' } }, additionalProperties: false } },
    existing: { type: 'integer', description: 'bills of this plan and period that were already there' },
    errors: {
      type: 'array',
      description: 'units this run did not bill, each with the reason (zh/en); every other unit is billed. `invalid-amount`: a pending charge due on this bill is not whole fen from 0 to 1 亿元; `duplicate-order-serial`: two due charges (or another bill) carry its order number; both name the charge in `orderSerial`; `no-custody-agreement`: the unit is in custody (托管) with no signed custody agreement covering the period (BL-10)',
      items: { type: 'object', required: ['unitId', 'reason', 'message'], properties: { unitId: uuid, reason: { type: 'string' }, path: { type: 'string' }, orderSerial: { type: 'string' }, message: text, unitLabel: { type: 'string' }, building: { type: 'string' } }, additionalProperties: false },
    },
  },
  additionalProperties: false,
} as const;

/** A billing run job (`POST /api/billing/runs`, `GET /api/billing/runs/{id}`): its status, progress and result so far. */
export const runJob = {
  type: 'object',
  required: ['id', 'status', 'plan', 'period', 'progress', 'created', 'existing', 'errors', 'nothingNew', 'message', 'error', 'createdAt', 'finishedAt'],
  properties: {
    id: uuid,
    status: { enum: ['queued', 'running', 'done', 'failed'] },
    plan: { type: 'string' },
    period: { type: 'string' },
    progress: { type: 'object', required: ['done', 'total'], properties: { done: { type: 'integer', minimum: 0 }, total: { type: 'integer', minimum: 0 } }, additionalProperties: false, description: 'profiled units looked at so far, of all the run bills' },
    created: run.properties.created,
    existing: run.properties.existing,
    errors: run.properties.errors,
    nothingNew: { type: 'boolean', description: 'done and made no bill: every bill of the period was already there (已是最新)' },
    message: { anyOf: [text, { type: 'null' }], description: 'what the run did, in words, once done' },
    error: { anyOf: [text, { type: 'null' }], description: 'why a failed run stopped' },
    createdAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
  },
  additionalProperties: false,
} as const;

export const bill = {
  type: 'object',
  required: ['key', 'planId', 'unitId', 'periodId', 'periodStart', 'periodEnd', 'issueOn', 'payBy', 'scheduleVersion', 'lines', 'totalFen', 'principalFen', 'principalPaidFen', 'lateFeeFen', 'lateFeeAccruedFen', 'lateFeePaidFen', 'outstandingFen', 'clearedOn'],
  properties: {
    key: { type: 'string', description: '<plan>/<unit>/<period>' },
    planId: { type: 'string' },
    unitId: uuid,
    unitLabel: { type: 'string', description: "the unit as residents say it, e.g. \"3-1-502\"; in the bills list" },
    building: { type: 'string', description: 'its building, e.g. "3栋"; in the bills list' },
    periodId: { type: 'string' },
    periodStart: civilDate,
    periodEnd: civilDate,
    issueOn: civilDate,
    payBy: civilDate,
    scheduleVersion: civilDate,
    lines: {
      type: 'array',
      items: {
        type: 'object',
        required: ['no', 'kind', 'description', 'amountFen'],
        properties: { no: { type: 'integer', minimum: 1 }, kind: { type: 'string', enum: ['management', 'parking', 'service'] }, description: text, amountFen: fen, orderSerial: { type: 'string', description: 'the paid-service order a service line bills' } },
        additionalProperties: false,
      },
    },
    totalFen: { ...fen, description: 'the sum of the lines as issued' },
    principalFen: fen,
    principalPaidFen: fen,
    lateFeeFen: fen,
    lateFeeAccruedFen: fen,
    lateFeePaidFen: fen,
    outstandingFen: fen,
    clearedOn: { type: ['string', 'null'], format: 'date' },
  },
  additionalProperties: false,
} as const;

const nextCursor = { type: ['string', 'null'], description: 'send it back as `cursor` for the next page; null on the last' } as const;

export const billList = { type: 'object', required: ['asOf', 'items', 'nextCursor'], properties: { asOf: civilDate, items: { type: 'array', items: bill }, nextCursor }, additionalProperties: false } as const;

const payment = {
  type: 'object',
  required: ['id', 'unitId', 'kind', 'receivedOn', 'amountFen', 'method'],
  properties: { id: uuid, unitId: uuid, kind: { type: 'string', enum: ['payment', 'refund'] }, receivedOn: civilDate, amountFen: fen, method: { type: 'string' }, reason: { type: 'string' }, serial: { type: 'string' } }, additionalProperties: false,
} as const;

/** A receipt (收据 SJ-…) of a payment, or the slip (退款凭证 TK-…) of a refund. */
const receipt = {
  type: 'object',
  required: ['serial', 'paymentId', 'unitId', 'receivedOn', 'method', 'amountFen'],
  properties: {
    kind: { type: 'string', enum: ['payment', 'refund'] },
    serial: { type: 'string' },
    paymentId: uuid,
    unitId: uuid,
    unitLabel: { type: 'string' },
    receivedOn: civilDate,
    method: { type: 'string' },
    amountFen: fen,
    lines: { type: 'array', items: { type: 'object', required: ['amountFen'], properties: { billKey: { type: 'string' }, component: { type: 'string' }, amountFen: fen }, additionalProperties: false } },
    creditFen: fen,
    reason: { type: 'string' },
    cashier: { type: 'object', required: ['id', 'name'], properties: { id: { type: ['string', 'null'] }, name: { type: 'string' } }, additionalProperties: false },
    payer: { type: 'string', description: '交款人: as the cashier wrote it, else the names of the unit\'s residents' },
    company: { type: 'string', description: 'the property company that issues the receipt' },
    from: { type: 'array', items: { type: 'object', required: ['paymentId', 'amountFen'], properties: { paymentId: uuid, amountFen: fen }, additionalProperties: false } },
    issuedAt: dateTime,
  },
  additionalProperties: false,
} as const;

export const paid = {
  type: 'object',
  required: ['payment', 'receipt', 'slip', 'balanceFen', 'creditFen'],
  properties: { payment, receipt: { anyOf: [{ type: 'null' }, receipt] }, slip: { anyOf: [{ type: 'null' }, receipt] }, balanceFen: fen, creditFen: fen }, additionalProperties: false,
} as const;

export const receiptList = { type: 'object', required: ['items', 'nextCursor'], properties: { items: { type: 'array', items: receipt }, nextCursor }, additionalProperties: false } as const;

export const adjustment = {
  type: 'object',
  required: ['id', 'billKey', 'on', 'component', 'amountFen', 'reason'],
  properties: { id: uuid, billKey: { type: 'string' }, on: civilDate, component: { type: 'string', enum: ['principal', 'late-fee'] }, amountFen: fen, reason: text }, additionalProperties: false,
} as const;

export const statement = {
  type: 'object',
  required: ['unitId', 'from', 'to', 'openingFen', 'entries', 'closingFen', 'creditFen'],
  properties: {
    unitId: uuid,
    from: civilDate,
    to: civilDate,
    openingFen: fen,
    entries: { type: 'array', items: { type: 'object', required: ['on', 'kind', 'ref', 'description', 'amountFen'], properties: { on: civilDate, kind: { type: 'string', enum: ['charge', 'adjustment', 'late-fee', 'payment', 'refund'] }, ref: { type: 'string' }, description: text, amountFen: { ...fen, description: 'positive: owed by the unit; negative: paid by it' } }, additionalProperties: false } },
    closingFen: fen,
    creditFen: fen,
  },
  additionalProperties: false,
} as const;

const buckets = { type: 'object', required: ['0-30', '31-90', '91-180', '181-365', '365+'], properties: { '0-30': fen, '31-90': fen, '91-180': fen, '181-365': fen, '365+': fen }, additionalProperties: false, description: 'fen owed by days past the due date (the same rule as the arrears by building)' } as const;

export const arrears = {
  type: 'object',
  required: ['asOf', 'rows', 'totals', 'totalFen', 'unpaidFen', 'billsIssued', 'unitsInArrears', 'nextCursor'],
  properties: {
    asOf: civilDate,
    unitsInArrears: { type: 'integer', description: 'every unit in arrears, on every page' },
    nextCursor: { type: ['string', 'null'], description: 'the next page of rows (largest first), or null' },
    unpaidFen: { ...fen, description: 'what every bill issued by asOf still owes (principal and late fee), whether or not its period has begun: the sum of the rows of GET /billing/bills' },
    billsIssued: { type: 'integer', description: 'bills issued by asOf, the whole estate' },
    rows: { type: 'array', items: { type: 'object', required: ['unitId', 'buckets', 'totalFen', 'oldestPeriodId', 'unitLabel'], properties: { unitId: uuid, buckets, totalFen: fen, oldestPeriodId: { type: 'string' }, unitLabel: { type: ['string', 'null'] } }, additionalProperties: false } },
    totals: buckets,
    totalFen: fen,
  },
  additionalProperties: false,
} as const;

/** A plan billing may run, with the periods a finance clerk is offered (the current one, the one before and the next two). */
export const runOptions = {
  type: 'object',
  required: ['today', 'plans', 'buildings'],
  properties: {
    today: civilDate,
    plans: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'title', 'cadence', 'periods', 'suggested'],
        properties: {
          id: { type: 'string' },
          title: text,
          cadence: { type: 'string' },
          periods: { type: 'array', items: { type: 'object', required: ['id', 'start', 'end', 'issueOn'], properties: { id: { type: 'string' }, start: civilDate, end: civilDate, issueOn: civilDate }, additionalProperties: false } },
          suggested: { type: 'string', description: 'the latest period whose payment notice is out by today' },
        },
        additionalProperties: false,
      },
    },
    buildings: { type: 'array', items: { type: 'object', required: ['id', 'name', 'units'], properties: { id: uuid, name: { type: 'string' }, units: { type: 'integer' } }, additionalProperties: false }, description: 'in natural order of name; a run is made one building at a time' },
  },
  additionalProperties: false,
} as const;

/** What a run would do, computed by the run itself in a transaction that is rolled back: nothing is written. */
export const runPreview = {
  type: 'object',
  required: ['plan', 'period', 'units', 'created', 'totalFen', 'existing', 'errors', 'unprofiled'],
  properties: {
    plan: { type: 'string' },
    period: { type: 'string' },
    units: { type: 'integer', description: 'units of the estate (or building) considered' },
    created: run.properties.created,
    totalFen: fen,
    existing: run.properties.existing,
    errors: run.properties.errors,
    unprofiled: { type: 'array', items: { type: 'object', required: ['unitId', 'unitLabel', 'building'], properties: { unitId: uuid, unitLabel: { type: 'string' }, building: { type: 'string' } }, additionalProperties: false }, description: 'units with no billing profile, so no plan bills them' },
  },
  additionalProperties: false,
} as const;

export const voided = {
  type: 'object',
  required: ['billKey', 'adjustments'],
  properties: { billKey: { type: 'string' }, adjustments: { type: 'array', items: adjustment } },
  additionalProperties: false,
} as const;

/** How a payment would be allocated (settleAccount, as the payment itself will be): nothing is written. */
export const paymentPreview = {
  type: 'object',
  required: ['receivedOn', 'amountFen', 'lines', 'creditFen', 'balanceBeforeFen', 'balanceAfterFen'],
  properties: {
    receivedOn: civilDate,
    amountFen: fen,
    lines: { type: 'array', items: { type: 'object', required: ['billKey', 'periodId', 'component', 'amountFen'], properties: { billKey: { type: 'string' }, periodId: { type: 'string' }, component: { type: 'string', enum: ['principal', 'late-fee'] }, amountFen: fen }, additionalProperties: false } },
    creditFen: fen,
    balanceBeforeFen: { type: 'integer', description: 'what the unit owes that day before the payment (negative: credit)' },
    balanceAfterFen: { type: 'integer', description: 'and after it' },
  },
  additionalProperties: false,
} as const;

export const dunningRun = {
  type: 'object',
  required: ['asOf', 'started', 'notices'],
  properties: {
    asOf: civilDate,
    started: { type: 'integer', description: 'dunning processes started, one per bill still unpaid on its reminder day (never two for a bill)' },
    notices: {
      type: 'array',
      description: "notices this sweep issued, each with the bill's figures as a statement shows them on the notice's issue date (BL-2: the late fee is billing's)",
      items: {
        type: 'object',
        required: ['billKey', 'unitId', 'kind', 'issueOn', 'principalOwedFen', 'lateFeeFen', 'lateFeePaidFen', 'outstandingFen'],
        properties: { billKey: { type: 'string' }, unitId: uuid, kind: { enum: ['reminder', 'final-notice', 'recovery'] }, issueOn: civilDate, principalOwedFen: { type: 'integer' }, lateFeeFen: { type: 'integer', description: 'the late fee charged that day (lateFee(...) after waivers)' }, lateFeePaidFen: { type: 'integer' }, outstandingFen: { type: 'integer' } },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

const feeDefinition = {
  type: 'object',
  required: ['key', 'published', 'draft'],
  properties: {
    key: { type: 'string' },
    published: { type: ['object', 'null'], required: ['version', 'publishedAt', 'document'], properties: { version: { type: 'integer' }, publishedAt: dateTime, document: jsonObject }, additionalProperties: false, description: 'the latest published version (what billing uses), if any' },
    draft: { type: ['object', 'null'], required: ['updatedAt', 'document'], properties: { updatedAt: dateTime, document: jsonObject }, additionalProperties: false, description: 'the draft being edited, if any' },
  },
  additionalProperties: false,
} as const;

export const feeDefinitions = {
  type: 'object',
  required: ['schedules', 'plans'],
  properties: { schedules: { type: 'array', items: feeDefinition }, plans: { type: 'array', items: feeDefinition } },
  additionalProperties: false,
} as const;

export const feeDraftSaved = {
  type: 'object',
  required: ['kind', 'key', 'updatedAt'],
  properties: { kind: { enum: ['fee-schedule', 'billing-plan'] }, key: { type: 'string' }, updatedAt: dateTime },
  additionalProperties: false,
} as const;

export const feePublished = {
  type: 'object',
  required: ['kind', 'key', 'version', 'publishedAt'],
  properties: { kind: { enum: ['fee-schedule', 'billing-plan'] }, key: { type: 'string' }, version: { type: 'integer' }, publishedAt: dateTime },
  additionalProperties: false,
} as const;

/** GET /billing/service-items: the paid-service price list in force on `asOf` (PS-10). */
export const serviceItems = {
  type: 'object', required: ['asOf', 'items'], additionalProperties: false,
  properties: {
    asOf: civilDate,
    items: {
      type: 'array',
      items: {
        type: 'object', required: ['code', 'title', 'priceFen', 'per', 'schedule'], additionalProperties: false,
        properties: {
          code: { type: 'string' }, title: text, priceFen: fen, per: text, schedule: { type: 'string', description: 'the fee schedule listing it' },
          unit: { enum: ['job', 'hour', 'item'] }, materials: { enum: ['included', 'at-cost', 'customer-supplies'] },
          checklistForm: { type: 'string' }, basis: text, source: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;
