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
        required: ['id', 'name', 'units'],
        properties: {
          id: uuid,
          name: { type: 'string' },
          units: { type: 'array', items: { type: 'object', required: ['id', 'label', 'areaSqm'], properties: { id: uuid, label: { type: 'string' }, areaSqm: { ...nullableString, description: 'm² as text with 2 decimals' } }, additionalProperties: false } },
        },
        additionalProperties: false,
      },
    },
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
