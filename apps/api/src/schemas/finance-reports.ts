import { civilDate, dateTime, fen, nullableString, uuid } from './common.ts';
import { buckets, takings } from './billing-cashier.ts';

/** Finance's reports the seeds ask for (issue #20): the monthly fee report (BL-9), spending entries and the income-and-spending report (BL-11). */

const figures = {
  type: 'object',
  required: ['bills', 'receivableFen', 'collectedFen', 'collectionRateBp', 'receivedFen', 'refundedFen', 'arrearsFen', 'arrearsBuckets', 'lateFeeChargedFen', 'lateFeeReceivedFen', 'waivedPrincipalFen', 'waivedLateFeeFen', 'creditFen'],
  properties: {
    bills: { type: 'integer', description: 'bills issued in the month' },
    receivableFen: { ...fen, description: '应收: principal of the bills issued in the month (voids and waivers included)' },
    collectedFen: { ...fen, description: 'of that, the principal paid by the report date' },
    collectionRateBp: { type: ['integer', 'null'], description: '收缴率 in basis points (9750 = 97.50 %), collected ÷ receivable rounded half up; null when nothing was receivable' },
    receivedFen: { ...fen, description: '实收: payments received in the month less refunds paid in it' },
    refundedFen: fen,
    arrearsFen: { ...fen, description: '欠费 on the report date: what bills past their due date still owe (ageArrears)' },
    arrearsBuckets: buckets,
    lateFeeChargedFen: { ...fen, description: 'late fee accrued in the month' },
    lateFeeReceivedFen: { ...fen, description: 'late fee paid in the month' },
    waivedPrincipalFen: { ...fen, description: '减免 of principal approved in the month' },
    waivedLateFeeFen: { ...fen, description: '减免 of late fee approved in the month' },
    creditFen: { ...fen, description: '预收 held on the report date' },
  },
  additionalProperties: false,
} as const;

export const feeMonthReport = {
  type: 'object',
  required: ['month', 'from', 'to', 'asOf', 'totals', 'received', 'buildings'],
  properties: {
    month: { type: 'string' },
    from: civilDate,
    to: civilDate,
    asOf: { ...civilDate, description: "the day the figures are settled as of: the month's last day, or today in the current month" },
    totals: figures,
    received: takings,
    buildings: {
      type: 'array',
      items: { type: 'object', required: ['buildingId', 'building', 'figures'], properties: { buildingId: uuid, building: { type: 'string' }, figures }, additionalProperties: false },
    },
  },
  additionalProperties: false,
} as const;

const person = { type: 'object', required: ['id', 'name'], properties: { id: uuid, name: { type: 'string' } }, additionalProperties: false } as const;

export const spendingEntry = {
  type: 'object',
  required: ['id', 'category', 'amountFen', 'spentOn', 'note', 'enteredBy', 'enteredAt'],
  properties: { id: uuid, category: { type: 'string' }, amountFen: fen, spentOn: civilDate, note: nullableString, enteredBy: person, enteredAt: dateTime },
  additionalProperties: false,
} as const;

export const spendingList = {
  type: 'object',
  required: ['items', 'totalFen'],
  properties: { items: { type: 'array', items: spendingEntry }, totalFen: { ...fen, description: 'Σ of the entries listed' } },
  additionalProperties: false,
} as const;

export const incomeSpendingReport = {
  type: 'object',
  required: ['period', 'from', 'to', 'asOf', 'income', 'spending', 'balanceFen'],
  properties: {
    period: { type: 'string', examples: ['2026-Q4', '2026-H2'] },
    from: civilDate,
    to: civilDate,
    asOf: { ...civilDate, description: "the day the figures run to: the period's last day, or today in the current period" },
    income: {
      type: 'object',
      required: ['byKind', 'lateFeeFen', 'unallocatedFen', 'totalFen'],
      properties: {
        byKind: { type: 'object', required: ['management', 'parking', 'service'], properties: { management: fen, parking: fen, service: fen }, additionalProperties: false, description: 'money received in the period by the kind of bill line it paid' },
        lateFeeFen: fen,
        unallocatedFen: { ...fen, description: '预收: received in the period and not yet allocated to a bill, less refunds paid in it' },
        totalFen: { ...fen, description: 'all money received in the period less refunds' },
      },
      additionalProperties: false,
    },
    spending: {
      type: 'object',
      required: ['byCategory', 'totalFen'],
      properties: {
        byCategory: { type: 'array', items: { type: 'object', required: ['category', 'amountFen', 'entries'], properties: { category: { type: 'string' }, amountFen: fen, entries: { type: 'integer' } }, additionalProperties: false } },
        totalFen: fen,
      },
      additionalProperties: false,
    },
    balanceFen: { ...fen, description: 'income − spending' },
  },
  additionalProperties: false,
} as const;
