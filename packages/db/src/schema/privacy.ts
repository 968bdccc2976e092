import { integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The periodic privacy clean-up (CP-13, #22): one row per closed request whose personal data the
 * worker cleared after its workflow's retention window (`personalDataRetentionDays`), keeping the
 * case. The row is the clean-up's own record: which request, when it ended, when it was cleaned,
 * which fields were cleared and how many history entries changed. A request with a row is done.
 */
export const privacyCleanups = pgTable(
  'privacy_cleanups',
  {
    tenantId: uuid('tenant_id').notNull(),
    instanceId: uuid('instance_id').notNull(),
    estateId: uuid('estate_id').notNull(),
    workflowKey: text('workflow_key').notNull(),
    serial: text('serial').notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }).notNull(),
    retentionDays: integer('retention_days').notNull(),
    cleanedAt: timestamp('cleaned_at', { withTimezone: true }).notNull(),
    /** the data fields cleared (their paths, `name`, `phone`, `against`) */
    fields: jsonb('fields').$type<string[]>().notNull(),
    /** history entries whose data changed */
    events: integer('events').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.instanceId] })],
);
