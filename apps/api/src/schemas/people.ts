import { text, uuid } from './common.ts';
import { permission } from './auth.ts';

/** A role a person holds in one estate. */
export const estateRole = { type: 'object', required: ['estateId', 'role'], properties: { estateId: uuid, role: { type: 'string' } }, additionalProperties: false } as const;

/** A staff member as the People page lists them (`GET /api/people`). */
export const person = {
  type: 'object',
  required: ['id', 'username', 'displayName', 'status', 'demo', 'mustChangePassword', 'roles'],
  properties: {
    id: uuid,
    username: { type: 'string' },
    displayName: { type: 'string' },
    realName: { type: ['string', 'null'] },
    phone: { type: ['string', 'null'] },
    employeeNo: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['active', 'inactive'] },
    demo: { type: 'boolean' },
    mustChangePassword: { type: 'boolean' },
    roles: { type: 'array', items: estateRole, description: 'the roles held in the estates the caller manages people in' },
  },
  additionalProperties: false,
} as const;
export const personList = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: person } }, additionalProperties: false } as const;

export const staffCreated = {
  type: 'object',
  required: ['id', 'username'],
  properties: { id: uuid, username: { type: 'string' }, initialPassword: { type: 'string', description: 'the generated first password, answered this once; it must be changed at the first sign-in' } }, additionalProperties: false,
} as const;

export const openTask = {
  type: 'object',
  required: ['id', 'estateId', 'instanceId', 'role', 'dueAt'],
  properties: { id: uuid, estateId: uuid, instanceId: uuid, title: { anyOf: [text, { type: 'string' }, { type: 'null' }] }, role: { type: 'string' }, dueAt: { type: ['string', 'null'], format: 'date-time' } }, additionalProperties: false,
} as const;
export const openTaskList = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: openTask } }, additionalProperties: false } as const;

export const deactivated = {
  type: 'object',
  required: ['reassigned', 'sessionsEnded'],
  properties: {
    reassigned: { type: 'array', items: { type: 'object', required: ['taskId', 'to'], properties: { taskId: uuid, to: uuid }, additionalProperties: false } },
    sessionsEnded: { type: 'integer', minimum: 0 },
  },
  additionalProperties: false,
} as const;

export const resetCode = {
  type: 'object',
  required: ['code', 'expiresAt'],
  properties: { code: { type: 'string', description: 'the one-time code to hand over' }, expiresAt: { type: 'string', format: 'date-time' } }, additionalProperties: false,
} as const;

/** A role of the company's catalogue. */
export const role = {
  type: 'object',
  required: ['key', 'title', 'description', 'kind', 'permissions'],
  properties: { key: { type: 'string' }, title: text, description: text, kind: { type: 'string', enum: ['staff', 'resident'] }, permissions: { type: 'array', items: permission } }, additionalProperties: false,
} as const;
export const roleList = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: role } }, additionalProperties: false } as const;
