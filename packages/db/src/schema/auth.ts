import { index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/** Every platform role; `system` (timers, child completion) is never a membership. */
export const roles = [
  'admin',
  'consultant',
  'dispatcher',
  'front_desk',
  'technician',
  'security',
  'cleaning',
  'finance',
  'duty_manager',
  'cs_manager',
  'property_manager',
  'resident',
  // the field documents' 行政主管, 区域客户助理 and 客服主管 (complaints against the CS centre and their
  // revisits, front-desk paid-service revisits, major complaints under seed 000; #22)
  'admin_supervisor',
  'area_cs_assistant',
  'cs_supervisor',
] as const;
export type Role = (typeof roles)[number];

export const users = pgTable(
  'users',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    /** login name; globally unique because login happens before the tenant is known */
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    locale: text('locale').notNull().default('zh-CN'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), uniqueIndex('users_username_uq').on(t.username)],
);

/** One role per user per estate. */
export const memberships = pgTable(
  'memberships',
  {
    tenantId: uuid('tenant_id').notNull(),
    userId: uuid('user_id').notNull(),
    estateId: uuid('estate_id').notNull(),
    role: text('role').$type<Role>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId, t.estateId] }),
    index('memberships_estate_role_idx').on(t.tenantId, t.estateId, t.role),
  ],
);

/** A login session; the cookie carries the token, the table only its SHA-256. */
export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    tenantId: uuid('tenant_id').notNull(),
    userId: uuid('user_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.tenantId, t.userId)],
);

export type User = typeof users.$inferSelect;
export type Membership = typeof memberships.$inferSelect;
export type Session = typeof sessions.$inferSelect;
