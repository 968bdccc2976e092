import { index, jsonb, numeric, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** A property company: the tenant. Its `id` is the `tenant_id` of every row it owns. */
export const companies = pgTable('companies', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

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

export const residents = pgTable(
  'residents',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    name: text('name').notNull(),
    phone: text('phone'),
    /** owner (业主) or tenant (租户): decides whose bills they read when a unit's bills have a `payer` (unit_billing_profiles) */
    kind: text('kind').$type<'owner' | 'tenant'>().notNull().default('owner'),
    userId: uuid('user_id'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('residents_unit_idx').on(t.tenantId, t.estateId, t.unitId),
    // the units a signed-in resident lives in (every access check of a resident reads it)
    index('residents_user_idx').on(t.tenantId, t.estateId, t.userId),
  ],
);

export type Company = typeof companies.$inferSelect;
export type Estate = typeof estates.$inferSelect;
export type Building = typeof buildings.$inferSelect;
export type Unit = typeof units.$inferSelect;
export type Resident = typeof residents.$inferSelect;
