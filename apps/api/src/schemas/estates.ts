import { civilDate, dateTime, fen, nullableString, optionalDateTime, text, uuid } from './common.ts';

export const estateList = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: { type: 'object', required: ['id', 'name', 'timeZone', 'role'], properties: { id: uuid, name: { type: 'string' }, timeZone: { type: 'string' }, role: { type: 'string' } }, additionalProperties: false } } }, additionalProperties: false,
} as const;

export const estate = {
  type: 'object',
  required: ['id', 'name', 'timeZone', 'address', 'role', 'buildings'],
  properties: {
    id: uuid,
    name: { type: 'string' },
    timeZone: { type: 'string' },
    address: nullableString,
    role: { type: 'string' },
    buildings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'unitCount'],
        properties: {
          id: uuid,
          name: { type: 'string' },
          unitCount: { type: 'integer', minimum: 0, description: 'how many units the building has; list them with `GET /estates/{id}/units`' },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

const parking = { type: 'array', items: { type: 'object', required: ['kind', 'count'], properties: { kind: { type: 'string' }, count: { type: 'integer' } }, additionalProperties: false } } as const;
const payer = { type: 'string', enum: ['household', 'owner', 'tenant'], description: "whose account the unit's bills are" } as const;

/** BL-10: the signed custody agreement (托管协议) a custody plan needs, or null. */
export const custodyAgreement = {
  type: ['object', 'null'],
  required: ['party', 'signedOn', 'from', 'to', 'reference'],
  properties: {
    party: { type: 'string', description: 'who signed it for the unit (the owner, or their agent)' },
    signedOn: civilDate,
    from: { ...civilDate, description: 'custody from' },
    to: { type: ['string', 'null'], format: 'date', description: 'custody until (null: until ended)' },
    reference: { type: 'string', description: "the signed paper's reference (协议编号 or archive number)" },
  },
  additionalProperties: false,
} as const;

/** A unit's billing profile (unit_billing_profiles), or null before one is set. */
const profile = {
  type: ['object', 'null'],
  required: ['unitType', 'custody', 'parking', 'payer'],
  properties: { unitType: { type: 'string', description: "the fee schedule's unit type (residential, shop, …)" }, custody: { type: 'boolean', description: 'custody (托管) plan, BL-6' }, parking, payer },
  additionalProperties: false,
} as const;

const unit = {
  type: 'object',
  required: ['id', 'label', 'areaSqm', 'buildingId', 'building', 'profile'],
  properties: {
    id: uuid,
    label: { type: 'string', description: 'as residents say it, e.g. "3-1-502" (栋-单元-房号)' },
    areaSqm: { ...nullableString, description: 'm² as text with 2 decimals' },
    buildingId: uuid,
    building: { type: 'string', description: "the building's name" },
    profile,
  },
  additionalProperties: false,
} as const;

const change = { type: 'object', required: ['from', 'to'], properties: { from: { description: 'the value before (null: none)' }, to: { description: 'the value after' } }, additionalProperties: false } as const;

/** One unit's household file (一户一档, SV-3): `GET /estates/{id}/units/{unitId}`. */
export const unitFile = {
  type: 'object',
  required: ['id', 'estateId', 'label', 'buildingId', 'building', 'areaSqm', 'profile', 'history', 'residents', 'personal', 'account', 'revisits'],
  properties: {
    id: uuid,
    estateId: uuid,
    label: { type: 'string' },
    buildingId: uuid,
    building: { type: 'string' },
    areaSqm: { ...nullableString, description: 'm² as text with 2 decimals' },
    profile: {
      type: ['object', 'null'],
      required: ['unitType', 'custody', 'custodyAgreement', 'parking', 'payer', 'updatedAt'],
      properties: { unitType: { type: 'string' }, custody: { type: 'boolean' }, custodyAgreement, parking, payer, updatedAt: dateTime },
      additionalProperties: false,
    },
    history: {
      type: 'array',
      description: 'changes of floor area and billing profile, newest first (at most 50)',
      items: {
        type: 'object',
        required: ['id', 'effectiveFrom', 'changedAt', 'changedByName', 'changes'],
        properties: {
          id: uuid,
          effectiveFrom: civilDate,
          changedAt: dateTime,
          changedByName: { ...nullableString, description: 'who made it (null: the demo seed)' },
          changes: { type: 'object', description: 'field (areaSqm, unitType, custody, custodyAgreement, parking, payer) → its value before and after', properties: { areaSqm: change, unitType: change, custody: change, custodyAgreement: change, parking: change, payer: change }, additionalProperties: false },
        },
        additionalProperties: false,
      },
    },
    residents: {
      type: 'array',
      description: 'who lives or lived there, newest first',
      items: {
        type: 'object',
        required: ['id', 'userId', 'name', 'displayName', 'kind', 'phone', 'startedAt', 'endedAt', 'active', 'linkedVia', 'linkedByName', 'endedByName'],
        properties: {
          id: uuid,
          userId: { type: ['string', 'null'], format: 'uuid', description: "the resident's account (null: no account linked); staff register a request for it as `requestedFor` (PS-12)" },
          name: { type: 'string' },
          displayName: nullableString,
          kind: { type: 'string', enum: ['owner', 'tenant', 'family'] },
          phone: { ...nullableString, description: 'masked (138****5678) unless revealed' },
          startedAt: dateTime,
          endedAt: optionalDateTime,
          active: { type: 'boolean' },
          linkedVia: { type: ['string', 'null'], enum: ['code', 'verification', null] },
          linkedByName: nullableString,
          endedByName: nullableString,
        },
        additionalProperties: false,
      },
    },
    personal: {
      type: 'object',
      required: ['masked', 'revealed', 'mayReveal'],
      properties: { masked: { type: 'array', items: { type: 'string' } }, revealed: { type: 'boolean' }, mayReveal: { type: 'boolean' } },
      additionalProperties: false,
    },
    account: {
      type: ['object', 'null'],
      description: "the unit's account settled as of the estate's today (null for roles that do not read bills)",
      required: ['asOf', 'bills', 'billedFen', 'outstandingFen', 'arrearsFen', 'creditFen', 'paidFen', 'payments'],
      properties: {
        asOf: civilDate,
        bills: { type: 'integer', minimum: 0, description: 'bills issued by today' },
        billedFen: { ...fen, description: 'their total' },
        outstandingFen: { ...fen, description: 'what they still owe, late fees included (未缴)' },
        arrearsFen: { ...fen, description: 'the part of it whose period has begun (欠费, the arrears report)' },
        creditFen: { ...fen, description: 'money received and not allocated (预收)' },
        paidFen: { ...fen, description: 'payments less refunds' },
        payments: { type: 'integer', minimum: 0 },
      },
      additionalProperties: false,
    },
    revisits: {
      type: 'array',
      description: "revisits of the unit's requests with their answers, newest first (at most 50)",
      items: {
        type: 'object',
        required: ['instanceId', 'serial', 'title', 'at', 'byName', 'answers'],
        properties: {
          instanceId: uuid,
          serial: { type: 'string' },
          title: { ...text, description: "the process's own title" },
          at: dateTime,
          byName: nullableString,
          answers: { type: 'array', items: { type: 'object', required: ['label', 'value'], properties: { label: text, value: { anyOf: [text, { type: 'string' }] } }, additionalProperties: false } },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

export const units = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: unit },
    nextCursor: { type: ['string', 'null'], description: 'send it back as `cursor` for the next page; null on the last' },
  },
  additionalProperties: false,
} as const;

export const members = {
  type: 'object',
  required: ['items', 'total', 'limit', 'offset'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['userId', 'username', 'displayName', 'role'],
        properties: { userId: uuid, username: { type: 'string' }, displayName: { type: 'string' }, realName: { type: ['string', 'null'] }, employeeNo: { type: ['string', 'null'] }, role: { type: 'string' } }, additionalProperties: false,
      },
    },
    total: { type: 'integer', minimum: 0, description: 'how many match, over all pages' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
  },
  additionalProperties: false,
} as const;

const option = { type: 'object', required: ['value', 'title'], properties: { value: { type: 'string' }, title: text }, additionalProperties: false } as const;
/** `GET /estates/{id}/unit-options`: what a unit's billing profile may name, with the fee schedules' titles. */
export const unitOptions = {
  type: 'object',
  required: ['unitTypes', 'parkingKinds'],
  properties: {
    unitTypes: { type: 'array', items: option, description: "the fee schedules' unit types (management fee rates)" },
    parkingKinds: { type: 'array', items: option, description: "the fee schedules' parking kinds" },
  },
  additionalProperties: false,
} as const;
