import { dateTime, nullableString, optionalDateTime, uuid } from './common.ts';

const kind = { type: 'string', enum: ['owner', 'tenant', 'family'], description: 'owner (业主), tenant (租户) or family member (家庭成员)' } as const;

/** A resident's link to a unit, current or past: the history of who lived where when. */
export const residentLink = {
  type: 'object',
  required: ['id', 'estateId', 'unitId', 'unitLabel', 'userId', 'name', 'displayName', 'kind', 'startedAt', 'endedAt', 'active', 'linkedVia', 'linkedBy', 'linkedByName', 'endedByName'],
  properties: {
    id: uuid,
    estateId: uuid,
    unitId: uuid,
    unitLabel: { type: 'string' },
    userId: { type: ['string', 'null'], format: 'uuid' },
    name: { type: 'string' },
    displayName: nullableString,
    kind,
    startedAt: dateTime,
    endedAt: { ...optionalDateTime, description: 'move-out: the link ends at this instant (null while it holds)' },
    active: { type: 'boolean', description: 'the link holds now' },
    linkedVia: { type: ['string', 'null'], enum: ['code', 'verification', null] },
    linkedBy: { type: ['string', 'null'], format: 'uuid' },
    linkedByName: { ...nullableString, description: 'who checked the papers, or issued the code' },
    endedByName: nullableString,
  },
  additionalProperties: false,
} as const;
export const residentLinkList = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: residentLink } }, additionalProperties: false } as const;

export const linkCode = {
  type: 'object',
  required: ['code', 'expiresAt', 'unitLabel', 'kind'],
  properties: { code: { type: 'string', description: 'the one-time code to hand over (shown once)' }, expiresAt: dateTime, unitLabel: { type: 'string' }, kind },
  additionalProperties: false,
} as const;

export const linked = {
  type: 'object',
  required: ['linkId', 'estateId', 'unitId', 'unitLabel', 'kind'],
  properties: { linkId: uuid, estateId: uuid, unitId: uuid, unitLabel: { type: 'string' }, kind },
  additionalProperties: false,
} as const;

export const verified = {
  type: 'object',
  required: ['linkId', 'userId', 'unitLabel'],
  properties: {
    linkId: uuid, userId: uuid, unitLabel: { type: 'string' }, username: { type: 'string' },
    initialPassword: { type: 'string', description: 'a new account\'s generated first password, answered this once; it must be changed at the first sign-in' },
  },
  additionalProperties: false,
} as const;

export const movedOut = { type: 'object', required: ['endedAt'], properties: { endedAt: dateTime }, additionalProperties: false } as const;

export const residentAccount = {
  type: 'object',
  required: ['id', 'username', 'displayName', 'realName', 'phone', 'units'],
  properties: { id: uuid, username: { type: 'string' }, displayName: { type: 'string' }, realName: nullableString, phone: nullableString, units: { type: 'integer', minimum: 0, description: 'units the account lives in now' } },
  additionalProperties: false,
} as const;
export const residentAccountList = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: residentAccount } }, additionalProperties: false } as const;
