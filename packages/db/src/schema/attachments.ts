import { sql } from 'drizzle-orm';
import { customType, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** PostgreSQL `bytea`: a Buffer on postgres-js, a Uint8Array on PGlite; both are handed back as Uint8Array. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

/**
 * An uploaded file (photo, scan, document) of an estate, kept in the database so PGlite and
 * PostgreSQL behave alike and backups carry it. Form values refer to it as `/api/attachments/<id>`.
 */
export const attachments = pgTable(
  'attachments',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    name: text('name').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    /** hex SHA-256 of the bytes */
    sha256: text('sha256').notNull(),
    data: bytea('data').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    createdBy: uuid('created_by'),
    /** when a start or event naming it was accepted; null for an upload never submitted (swept after EF_ATTACHMENT_ORPHAN_HOURS) */
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('attachments_estate_idx').on(t.tenantId, t.estateId, t.createdAt),
    // the worker's sweep reads the oldest unclaimed uploads across tenants
    index('attachments_unclaimed_idx').on(t.createdAt).where(sql`${t.claimedAt} is null`)],
);

export type Attachment = typeof attachments.$inferSelect;
