import { civilDate, dateTime, fen, nullableString, uuid } from './common.ts';

/** The cashier's day (日结/交班), month-end reconciliation (PS-7), fee waivers (减免), arrears by building and deposits (押金). Issue #20. */

const person = { type: 'object', required: ['id', 'name'], properties: { id: uuid, name: { type: 'string' } }, additionalProperties: false } as const;
const nullablePerson = { anyOf: [person, { type: 'null' }] } as const;

const serialRange = {
  type: 'object',
  required: ['count', 'first', 'last', 'amountFen'],
  properties: { count: { type: 'integer' }, first: nullableString, last: nullableString, amountFen: fen },
  additionalProperties: false,
} as const;

/** packages/billing `takings`: by method, against the receipts (SJ-…) and slips (TK-…) issued. */
export const takings = {
  type: 'object',
  required: ['byMethod', 'inFen', 'outFen', 'netFen', 'receipts', 'slips', 'unreceipted', 'balanced'],
  properties: {
    byMethod: {
      type: 'array',
      items: {
        type: 'object',
        required: ['method', 'payments', 'inFen', 'refunds', 'outFen', 'netFen'],
        properties: { method: { type: 'string' }, payments: { type: 'integer' }, inFen: fen, refunds: { type: 'integer' }, outFen: fen, netFen: fen },
        additionalProperties: false,
      },
    },
    inFen: fen,
    outFen: fen,
    netFen: fen,
    receipts: serialRange,
    slips: serialRange,
    unreceipted: { type: 'integer', description: 'payments or refunds with no receipt or slip' },
    balanced: { type: 'boolean', description: 'money taken equals the receipts issued and every entry has one' },
  },
  additionalProperties: false,
} as const;

const dayEntry = {
  type: 'object',
  required: ['paymentId', 'kind', 'serial', 'unitId', 'unitLabel', 'building', 'method', 'amountFen', 'receivedOn', 'recordedAt', 'closeNo', 'afterClose', 'prepaidFen'],
  properties: {
    paymentId: uuid,
    kind: { enum: ['payment', 'refund'] },
    serial: nullableString,
    unitId: uuid,
    unitLabel: { type: 'string' },
    building: { type: 'string' },
    method: { type: 'string' },
    amountFen: fen,
    receivedOn: civilDate,
    recordedAt: dateTime,
    closeNo: { type: ['integer', 'null'], description: 'the close (1, 2, …) that covers it; null while none has' },
    afterClose: { type: 'boolean', description: 'recorded after the day was last closed' },
    prepaidFen: { ...fen, description: 'prepayment (预存): the part of a payment no bill took as of the day (settleAccount); it pays bills as they are issued. 0 for refunds' },
  },
  additionalProperties: false,
} as const;

/** packages/billing `heldTakings`: deposits (押金) taken, by method. */
const held = {
  type: 'object',
  required: ['byMethod', 'count', 'inFen'],
  properties: {
    byMethod: { type: 'array', items: { type: 'object', required: ['method', 'count', 'inFen'], properties: { method: { type: 'string' }, count: { type: 'integer' }, inFen: fen }, additionalProperties: false } },
    count: { type: 'integer' },
    inFen: fen,
  },
  additionalProperties: false,
} as const;

const depositEntry = {
  type: 'object',
  required: ['depositId', 'kind', 'unitId', 'unitLabel', 'building', 'method', 'amountFen', 'takenAt', 'status', 'closeNo', 'afterClose'],
  properties: {
    depositId: uuid, kind: { type: 'string', description: 'renovation, other, …' }, unitId: uuid, unitLabel: { type: 'string' }, building: { type: 'string' }, method: { type: 'string' }, amountFen: fen, takenAt: dateTime,
    status: { enum: ['held', 'refunded', 'forfeited'] }, closeNo: { type: ['integer', 'null'] }, afterClose: { type: 'boolean' },
  },
  additionalProperties: false,
} as const;

/** packages/billing `refundedTakings`: deposits (押金) refunded, by method (the method each was taken with). */
const refunded = {
  type: 'object',
  required: ['byMethod', 'count', 'outFen'],
  properties: {
    byMethod: { type: 'array', items: { type: 'object', required: ['method', 'count', 'outFen'], properties: { method: { type: 'string' }, count: { type: 'integer' }, outFen: fen }, additionalProperties: false } },
    count: { type: 'integer' },
    outFen: fen,
  },
  additionalProperties: false,
} as const;

const depositRefundEntry = {
  type: 'object',
  required: ['depositId', 'kind', 'unitId', 'unitLabel', 'building', 'method', 'amountFen', 'takenOn', 'refundedOn', 'refundedBy', 'reason', 'closeNo', 'afterClose'],
  properties: {
    depositId: uuid, kind: { type: 'string', description: 'renovation, other, …' }, unitId: uuid, unitLabel: { type: 'string' }, building: { type: 'string' },
    method: { type: 'string', description: 'paid back the way it was taken' }, amountFen: fen, takenOn: civilDate, refundedOn: civilDate, refundedBy: person, reason: { type: 'string' },
    closeNo: { type: ['integer', 'null'], description: 'the close (1, 2, …) that covers it; null while none has' }, afterClose: { type: 'boolean', description: 'recorded after the day was last closed' },
  },
  additionalProperties: false,
} as const;

/** What the drawer should hold, by method: the takings' net, plus deposits taken, less deposits refunded. */
const drawer = {
  type: 'object',
  required: ['byMethod', 'netFen'],
  properties: {
    byMethod: {
      type: 'array',
      items: {
        type: 'object',
        required: ['method', 'takingsFen', 'depositsInFen', 'depositsOutFen', 'netFen'],
        properties: { method: { type: 'string' }, takingsFen: { ...fen, description: 'the takings\' net of the method' }, depositsInFen: fen, depositsOutFen: fen, netFen: { ...fen, description: 'takingsFen + depositsInFen − depositsOutFen' } },
        additionalProperties: false,
      },
    },
    netFen: { ...fen, description: 'the takings\' net, plus deposits taken, less deposits refunded' },
  },
  additionalProperties: false,
} as const;

const close = {
  type: 'object',
  required: ['id', 'no', 'closedAt', 'closedBy', 'totals', 'deposits', 'refunds', 'note'],
  properties: {
    id: uuid, no: { type: 'integer' }, closedAt: dateTime, closedBy: person, totals: takings, deposits: { ...held, description: 'deposits (押金) the close covered, beside the takings' },
    refunds: { ...refunded, description: 'deposit refunds (押金退还) the close covered (none in closes made before refunds joined the day)' }, note: nullableString,
  },
  additionalProperties: false,
} as const;

export const cashierDay = {
  type: 'object',
  required: ['day', 'today', 'cashier', 'cashiers', 'entries', 'takings', 'prepaidFen', 'deposits', 'drawer', 'closes', 'open', 'openDeposits', 'openRefunds'],
  properties: {
    day: civilDate,
    today: civilDate,
    cashier: person,
    cashiers: { type: 'array', items: person, description: 'who recorded money in the estate that day (the caller first)' },
    entries: { type: 'array', items: dayEntry },
    takings: { ...takings, description: 'the whole day' },
    prepaidFen: { ...fen, description: 'of the day\'s payments, what no bill took (预存), as settleAccount allocates it' },
    deposits: {
      type: 'object',
      required: ['entries', 'held', 'refunds', 'refunded'],
      properties: { entries: { type: 'array', items: depositEntry }, held, refunds: { type: 'array', items: depositRefundEntry, description: 'deposits the cashier refunded dated that day' }, refunded },
      additionalProperties: false,
      description: 'deposits (押金) the cashier took that day and those they refunded (押金退还): in and out of the drawer beside the takings, never in them',
    },
    drawer,
    closes: { type: 'array', items: close },
    open: { ...takings, description: 'entries no close covers yet (after the last close, if there is one)' },
    openDeposits: { ...held, description: 'deposits no close covers yet' },
    openRefunds: { ...refunded, description: 'deposit refunds no close covers yet' },
  },
  additionalProperties: false,
} as const;

export const cashierClosed = close;

export const reconciliation = {
  type: 'object',
  required: ['month', 'from', 'to', 'takings', 'byCashier', 'byDay'],
  properties: {
    month: { type: 'string', examples: ['2026-12'] },
    from: civilDate,
    to: civilDate,
    takings,
    byCashier: { type: 'array', items: { type: 'object', required: ['cashier', 'inFen', 'outFen', 'netFen', 'entries', 'closes'], properties: { cashier: person, inFen: fen, outFen: fen, netFen: fen, entries: { type: 'integer' }, closes: { type: 'integer', description: 'day closes recorded in the month' } }, additionalProperties: false } },
    byDay: { type: 'array', items: { type: 'object', required: ['day', 'inFen', 'outFen', 'netFen'], properties: { day: civilDate, inFen: fen, outFen: fen, netFen: fen }, additionalProperties: false } },
  },
  additionalProperties: false,
} as const;

export const waiver = {
  type: 'object',
  required: ['id', 'billKey', 'periodId', 'unitId', 'unitLabel', 'building', 'component', 'amountFen', 'reason', 'status', 'requestedBy', 'requestedAt', 'decidedBy', 'decidedAt', 'decisionNote', 'adjustmentId'],
  properties: {
    id: uuid,
    billKey: { type: 'string' },
    periodId: { type: 'string' },
    unitId: uuid,
    unitLabel: { type: 'string' },
    building: { type: 'string' },
    component: { enum: ['principal', 'late-fee'] },
    amountFen: fen,
    reason: { type: 'string' },
    status: { enum: ['pending', 'approved', 'rejected'] },
    requestedBy: person,
    requestedAt: dateTime,
    decidedBy: nullablePerson,
    decidedAt: { type: ['string', 'null'], format: 'date-time' },
    decisionNote: nullableString,
    adjustmentId: { type: ['string', 'null'], description: 'the bill adjustment the approval appended to the ledger' },
  },
  additionalProperties: false,
} as const;

export const waiverList = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: waiver } }, additionalProperties: false } as const;

export const buckets = {
  type: 'object',
  required: ['0-30', '31-90', '91-180', '181-365', '365+'],
  properties: { '0-30': fen, '31-90': fen, '91-180': fen, '181-365': fen, '365+': fen },
  additionalProperties: false,
  description: 'fen owed by days past the due date',
} as const;

export const arrearsByBuilding = {
  type: 'object',
  required: ['asOf', 'buildings', 'totals', 'totalFen'],
  properties: {
    asOf: civilDate,
    buildings: { type: 'array', items: { type: 'object', required: ['buildingId', 'building', 'units', 'buckets', 'totalFen'], properties: { buildingId: uuid, building: { type: 'string' }, units: { type: 'integer', description: 'units owing' }, buckets, totalFen: fen }, additionalProperties: false } },
    totals: buckets,
    totalFen: fen,
  },
  additionalProperties: false,
} as const;

export const arrearsOfBuilding = {
  type: 'object',
  required: ['asOf', 'buildingId', 'building', 'units', 'totals', 'totalFen'],
  properties: {
    asOf: civilDate,
    buildingId: uuid,
    building: { type: 'string' },
    units: {
      type: 'array',
      items: {
        type: 'object',
        required: ['unitId', 'unitLabel', 'buckets', 'totalFen', 'bills'],
        properties: {
          unitId: uuid,
          unitLabel: { type: 'string' },
          buckets,
          totalFen: fen,
          bills: { type: 'array', items: { type: 'object', required: ['billKey', 'periodId', 'dueOn', 'days', 'bucket', 'owedFen'], properties: { billKey: { type: 'string' }, periodId: { type: 'string' }, dueOn: civilDate, days: { type: 'integer' }, bucket: { type: 'string' }, owedFen: fen }, additionalProperties: false } },
        },
        additionalProperties: false,
      },
    },
    totals: buckets,
    totalFen: fen,
  },
  additionalProperties: false,
} as const;

export const deposit = {
  type: 'object',
  required: ['id', 'unitId', 'unitLabel', 'building', 'kind', 'amountFen', 'method', 'takenOn', 'takenBy', 'note', 'status', 'settledOn', 'settledBy', 'settleReason'],
  properties: {
    id: uuid,
    unitId: uuid,
    unitLabel: { type: 'string' },
    building: { type: 'string' },
    kind: { type: 'string', examples: ['renovation'] },
    amountFen: fen,
    method: { type: 'string' },
    takenOn: civilDate,
    takenBy: person,
    note: nullableString,
    status: { enum: ['held', 'refunded', 'forfeited'] },
    settledOn: { type: ['string', 'null'], format: 'date' },
    settledBy: nullablePerson,
    settleReason: nullableString,
  },
  additionalProperties: false,
} as const;

export const depositList = { type: 'object', required: ['items', 'heldFen'], properties: { items: { type: 'array', items: deposit }, heldFen: { ...fen, description: 'Σ of deposits still held' } }, additionalProperties: false } as const;
