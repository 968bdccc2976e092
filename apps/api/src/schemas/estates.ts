import { nullableString, uuid } from './common.ts';

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

const unit = {
  type: 'object',
  required: ['id', 'label', 'areaSqm', 'buildingId', 'building'],
  properties: {
    id: uuid,
    label: { type: 'string', description: 'as residents say it, e.g. "3-1-502" (栋-单元-房号)' },
    areaSqm: { ...nullableString, description: 'm² as text with 2 decimals' },
    buildingId: uuid,
    building: { type: 'string', description: "the building's name" },
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
