import { boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { BUILT_IN_ROLES, type Permission } from '@estateflow/definitions';

/** The built-in roles (a company's catalogue adds its own: `company_roles`); `system` (timers, child completion) is never a membership. */
export const roles = BUILT_IN_ROLES;
/** A role key of a company's catalogue: a built-in one or one the company added. */
export type Role = string;

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
    /** large-text mode (适老化, issue #18): the person's choice, kept on the server so it follows them to another browser */
    largeText: boolean('large_text').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** the person's legal name (实名), as on their ID; `displayName` is what colleagues read (王师傅) */
    realName: text('real_name'),
    phone: text('phone'),
    /** 工号 */
    employeeNo: text('employee_no'),
    /** `inactive`: left the company; cannot sign in, holds no task */
    status: text('status').$type<'active' | 'inactive'>().notNull().default('active'),
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true }),
    /** a demo account (seed): signs in with the printed password, never forced to change it */
    demo: boolean('demo').notNull().default(false),
    /** the password was given by someone else (an admin, a reset code): the next sign-in must change it */
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
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
    /** absolute expiry: the session ends then however busy it is */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** idle expiry counts from here (moved forward at most once a minute) */
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    /** the client address and browser that signed in, shown in "my sessions" */
    address: text('address'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.tenantId, t.userId)],
);

/**
 * A company's own roles and its changes to built-in ones (the catalogue is the built-in roles of
 * @estateflow/definitions overlaid by these rows, by key).
 */
export const companyRoles = pgTable(
  'company_roles',
  {
    tenantId: uuid('tenant_id').notNull(),
    key: text('key').notNull(),
    titleZh: text('title_zh').notNull(),
    titleEn: text('title_en').notNull(),
    descriptionZh: text('description_zh').notNull().default(''),
    descriptionEn: text('description_en').notNull().default(''),
    permissions: jsonb('permissions').$type<Permission[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.key] })],
);

/** A one-time password reset code an admin hands over (only its hash is kept); used once, then void. */
export const passwordResets = pgTable(
  'password_resets',
  {
    tenantId: uuid('tenant_id').notNull(),
    userId: uuid('user_id').notNull(),
    codeHash: text('code_hash').primaryKey(),
    issuedBy: uuid('issued_by').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('password_resets_user_idx').on(t.tenantId, t.userId)],
);

export type CompanyRole = typeof companyRoles.$inferSelect;
export type User = typeof users.$inferSelect;
export type Membership = typeof memberships.$inferSelect;
export type Session = typeof sessions.$inferSelect;
