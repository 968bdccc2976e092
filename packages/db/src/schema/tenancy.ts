import { gt, isNull, or, type SQL } from 'drizzle-orm';
import { index, jsonb, numeric, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** A property company: the tenant. Its `id` is the `tenant_id` of every row it owns. */
export const companies = pgTable('companies', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  /** Company-wide settings: `fourEyes` (a publish is approved by someone other than its drafter, #19; off by default). */
  settings: jsonb('settings').$type<CompanySettings>().notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A company's settings (`companies.settings`). */
export type CompanySettings = { fourEyes?: boolean };

/** An estate (小区/项目) of a company; roles, definitions and instances are scoped to one. */
export const estates = pgTable(
  'estates',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
    address: text('address'),
    meta: jsonb('meta').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);

export const buildings = pgTable(
  'buildings',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    name: text('name').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('buildings_estate_idx').on(t.tenantId, t.estateId)],
);

export const units = pgTable(
  'units',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    buildingId: uuid('building_id').notNull(),
    /** room label as residents say it, e.g. "3-1-502" (栋-单元-房号) */
    label: text('label').notNull(),
    areaSqm: numeric('area_sqm', { precision: 10, scale: 2 }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('units_estate_idx').on(t.tenantId, t.estateId, t.buildingId),
    // the unit picker pages through an estate's units in label order (keyset: label, then id)
    index('units_label_idx').on(t.tenantId, t.estateId, t.label, t.id),
  ],
);

/** How a resident is related to their unit. */
export const RESIDENT_KINDS = ['owner', 'tenant', 'family'] as const;
export type ResidentKind = (typeof RESIDENT_KINDS)[number];

/**
 * A resident's link to a unit. Only links in force at an instant count (`residentLinkActive`): the
 * access rule, the units a resident may name, their bills and their notices read those.
 */
export const residents = pgTable(
  'residents',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    name: text('name').notNull(),
    phone: text('phone'),
    /**
     * owner (业主), tenant (租户) or family member (家庭成员): decides whose bills they read when a unit's
     * bills have a `payer` (unit_billing_profiles; a family member reads the household's bills only)
     */
    kind: text('kind').$type<ResidentKind>().notNull().default('owner'),
    userId: uuid('user_id'),
    /** the link holds from this instant (move-in, or when the code was redeemed) */
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    /** move-out: the link ends at this instant (effective-dated; the row stays as history of who lived where when) */
    endedAt: timestamp('ended_at', { withTimezone: true }),
    /** how the link was made: a one-time code the resident entered, or the front desk's check of their papers */
    linkedVia: text('linked_via').$type<'code' | 'verification'>(),
    /** who vouched for the link: the staff member who checked the papers, or who issued the code */
    linkedBy: uuid('linked_by'),
    /** who recorded the move-out */
    endedBy: uuid('ended_by'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('residents_unit_idx').on(t.tenantId, t.estateId, t.unitId),
    // the units a signed-in resident lives in (every access check of a resident reads it)
    index('residents_user_idx').on(t.tenantId, t.estateId, t.userId),
  ],
);

/**
 * A one-time link code the front desk hands a resident: redeeming it links the resident's account to
 * `unitId` as `kind`. Only the code's SHA-256 is kept; used once, then void.
 */
export const residentLinkCodes = pgTable(
  'resident_link_codes',
  {
    tenantId: uuid('tenant_id').notNull(),
    codeHash: text('code_hash').primaryKey(),
    estateId: uuid('estate_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    kind: text('kind').$type<ResidentKind>().notNull(),
    issuedBy: uuid('issued_by').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    usedBy: uuid('used_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('resident_link_codes_unit_idx').on(t.tenantId, t.unitId)],
);

/**
 * The resident links in force at `at`: not ended by then (one rule for every reader). A link counts
 * from when it is made; `startedAt` records that for the history.
 */
export const residentLinkActive = (at: Date): SQL => or(isNull(residents.endedAt), gt(residents.endedAt, at))!;

export type Company = typeof companies.$inferSelect;
export type Estate = typeof estates.$inferSelect;
export type Building = typeof buildings.$inferSelect;
export type Unit = typeof units.$inferSelect;
export type Resident = typeof residents.$inferSelect;
export type ResidentLinkCode = typeof residentLinkCodes.$inferSelect;
