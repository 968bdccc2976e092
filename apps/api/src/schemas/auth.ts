import { PERMISSIONS } from '@estateflow/definitions';
import { dateTime, text, uuid } from './common.ts';

/** A power granted to a role apart from workflow steps (the company's role catalogue). */
export const permission = { type: 'string', enum: PERMISSIONS } as const;

/** The signed-in user and their role per estate (`GET /api/auth/me`). */
export const me = {
  type: 'object',
  required: ['user', 'memberships'],
  properties: {
    user: {
      type: 'object',
      required: ['id', 'username', 'displayName', 'locale', 'largeText', 'tenantId', 'mustChangePassword', 'demo'],
      properties: {
        id: uuid, username: { type: 'string' }, displayName: { type: 'string' }, locale: { type: 'string' }, tenantId: uuid,
        largeText: { type: 'boolean', description: 'large-text mode (适老化), kept per user: set with PUT /api/auth/me/preferences' },
        mustChangePassword: { type: 'boolean', description: 'the password was set by someone else: every route but changing it answers 403 until it is changed' },
        demo: { type: 'boolean', description: 'a demo account of the seed (keeps the printed password)' },
      },
      additionalProperties: false,
    },
    memberships: {
      type: 'array',
      items: {
        type: 'object',
        required: ['estateId', 'estateName', 'role', 'timeZone', 'permissions'],
        properties: {
          estateId: uuid, estateName: { type: 'string' }, role: { type: 'string' },
          roleTitle: { ...text, description: "the role's title in the company's catalogue" },
          timeZone: { type: 'string', description: 'IANA time zone of the estate' },
          permissions: { type: 'array', items: permission, description: "what the caller's role may do in this estate besides its workflow steps" },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

/** The signed-in user's display preferences (`PUT /api/auth/me/preferences`). */
export const preferences = {
  type: 'object',
  required: ['largeText'],
  properties: { largeText: { type: 'boolean', description: 'large-text mode (适老化): bigger type and controls' } },
  additionalProperties: false,
} as const;

export const login = {
  ...me,
  required: [...me.required, 'token', 'expiresAt'],
  properties: { ...me.properties, token: { type: 'string', description: 'also usable as Authorization: Bearer <token>' }, expiresAt: dateTime },
} as const;

/** The demo accounts the sign-in page lists when this server seeded the quick start's demo. */
export const demoAccounts = {
  type: 'object',
  required: ['seeded'],
  properties: {
    seeded: { type: 'boolean' },
    password: { type: 'string', description: 'the printed demo password (only when seeded)' },
    accounts: {
      type: 'array',
      items: { type: 'object', required: ['username', 'displayName', 'role'], properties: { username: { type: 'string' }, displayName: { type: 'string' }, role: { type: 'string' } }, additionalProperties: false },
    },
  },
  additionalProperties: false,
} as const;

export const sessionsEnded = { type: 'object', required: ['sessionsEnded'], properties: { sessionsEnded: { type: 'integer', minimum: 0 } }, additionalProperties: false } as const;

/** One live session of the caller (`GET /api/auth/sessions`). */
export const sessionItem = {
  type: 'object',
  required: ['id', 'current', 'createdAt', 'lastSeenAt', 'expiresAt', 'idleExpiresAt'],
  properties: {
    id: { type: 'string', description: 'the first characters of the token hash: names the session, is no token' },
    current: { type: 'boolean' },
    createdAt: dateTime, lastSeenAt: dateTime, expiresAt: dateTime, idleExpiresAt: dateTime,
    address: { type: ['string', 'null'] }, userAgent: { type: ['string', 'null'] },
  },
  additionalProperties: false,
} as const;
export const sessionList = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: sessionItem } }, additionalProperties: false } as const;

export const passwordChanged = {
  ...me,
  required: [...me.required, 'sessionsEnded'],
  properties: { ...me.properties, sessionsEnded: { type: 'integer', minimum: 0, description: 'the other sessions ended' } },
} as const;

export const passwordReset = {
  type: 'object',
  required: ['ok', 'sessionsEnded'],
  properties: { ok: { type: 'boolean', const: true }, sessionsEnded: { type: 'integer', minimum: 0 } }, additionalProperties: false,
} as const;
