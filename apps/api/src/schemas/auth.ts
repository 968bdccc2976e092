import { dateTime, uuid } from './common.ts';

/** The signed-in user and their role per estate (`GET /api/auth/me`). */
export const me = {
  type: 'object',
  required: ['user', 'memberships'],
  properties: {
    user: {
      type: 'object',
      required: ['id', 'username', 'displayName', 'locale', 'tenantId'],
      properties: { id: uuid, username: { type: 'string' }, displayName: { type: 'string' }, locale: { type: 'string' }, tenantId: uuid },
    },
    memberships: { type: 'array', items: { type: 'object', required: ['estateId', 'estateName', 'role', 'timeZone'], properties: { estateId: uuid, estateName: { type: 'string' }, role: { type: 'string' }, timeZone: { type: 'string', description: 'IANA time zone of the estate' } } } },
  },
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
      items: { type: 'object', required: ['username', 'displayName', 'role'], properties: { username: { type: 'string' }, displayName: { type: 'string' }, role: { type: 'string' } } },
    },
  },
} as const;
