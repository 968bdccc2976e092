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
    phone: { type: ['string', 'null'], description: 'masked (138****5678); `GET /api/people/personal` reveals it (audited)' },
    employeeNo: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['active', 'inactive'] },
    demo: { type: 'boolean' },
    mustChangePassword: { type: 'boolean' },
    roles: { type: 'array', items: estateRole, description: 'the roles held in the estates the caller manages people in' },
  },
  additionalProperties: false,
} as const;
export const personList = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: person }, mayReveal: { type: 'boolean', description: "the caller's role holds the personal-data permission" } }, additionalProperties: false } as const;

/** One person's personal data, unmasked (an audited read). */
export const personalData = { type: 'object', required: ['id', 'phone'], properties: { id: uuid, phone: { type: ['string', 'null'] } }, additionalProperties: false } as const;

const anyJson = {} as const;
const list = { type: 'array', items: { type: 'object' } } as const;
/** Everything held about a person (`GET /api/people/export`), a JSON download. */
export const personExport = {
  type: 'object',
  required: ['exportedAt', 'account', 'roles', 'links', 'sessions', 'requests', 'notices', 'bills', 'payments', 'files'],
  properties: {
    exportedAt: { type: 'string', format: 'date-time' },
    account: {
      type: 'object',
      required: ['id', 'username', 'displayName', 'realName', 'phone', 'status'],
      properties: { id: uuid, username: { type: 'string' }, displayName: { type: 'string' }, realName: { type: ['string', 'null'] }, phone: { type: ['string', 'null'] }, employeeNo: { type: ['string', 'null'] }, locale: { type: 'string' }, largeText: { type: 'boolean', description: 'large-text mode (适老化), the display preference kept on the account' }, status: { type: 'string' }, demo: { type: 'boolean' }, createdAt: anyJson, deactivatedAt: anyJson, passwordChangedAt: anyJson },
      additionalProperties: false,
    },
    roles: list,
    links: { type: 'array', items: { type: 'object', required: ['unitId', 'unit', 'kind'], properties: { estateId: uuid, unitId: uuid, unit: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, phone: { type: ['string', 'null'] } }, additionalProperties: false } },
    sessions: list,
    requests: {
      type: 'array',
      items: {
        type: 'object', required: ['id', 'serial', 'workflow', 'data', 'history'],
        properties: {
          id: uuid, serial: { type: 'string' }, workflow: { type: 'string' }, estateId: uuid, unit: { type: ['string', 'null'] }, status: { type: 'string' }, state: anyJson,
          startedAt: anyJson, endedAt: anyJson, data: { type: 'object', description: 'the request\'s data as it holds it now' }, history: list,
        },
        additionalProperties: false,
      },
    },
    notices: list,
    bills: {
      type: 'array',
      items: {
        type: 'object', required: ['id', 'totalFen', 'total', 'lines'],
        properties: {
          id: uuid, unit: { type: ['string', 'null'] }, period: { type: 'string' }, periodStart: anyJson, periodEnd: anyJson, payBy: anyJson,
          totalFen: { type: 'integer' }, total: { type: 'string', description: 'in yuan, e.g. ¥1,234.56' }, lines: list, adjustments: list,
        },
        additionalProperties: false,
      },
    },
    payments: list,
    files: { type: 'array', description: 'the files they uploaded (name, type, size, when; the bytes at their url)', items: { type: 'object', required: ['id', 'name', 'url'], properties: { id: uuid, estateId: uuid, name: { type: 'string' }, contentType: { type: 'string' }, size: { type: 'integer' }, createdAt: { type: 'string' }, url: { type: 'string' } }, additionalProperties: false } },
  },
  additionalProperties: false,
} as const;

/** What an erasure changed (`POST /api/people/erase`). */
export const erased = {
  type: 'object',
  required: ['pseudonym', 'requests', 'events', 'notices', 'receipts', 'files', 'auditLines', 'sessionsEnded'],
  properties: {
    pseudonym: { type: 'string', description: 'the name the erased account is shown by from now on' },
    requests: { type: 'integer', minimum: 0 }, events: { type: 'integer', minimum: 0 }, notices: { type: 'integer', minimum: 0 },
    receipts: { type: 'integer', minimum: 0 }, files: { type: 'integer', minimum: 0, description: 'files they uploaded, deleted (references to them replaced)' }, auditLines: { type: 'integer', minimum: 0 }, sessionsEnded: { type: 'integer', minimum: 0 },
  },
  additionalProperties: false,
} as const;

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
