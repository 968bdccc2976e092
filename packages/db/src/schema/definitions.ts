import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/** The editable draft of one definition (kind + key) in an estate. */
export const definitionDrafts = pgTable(
  'definition_drafts',
  {
    tenantId: uuid('tenant_id').notNull(),
    estateId: uuid('estate_id').notNull(),
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    document: jsonb('document').$type<Record<string, unknown>>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.estateId, t.kind, t.key] })],
);

/** The review recorded with a published version: user ids, resolved to names when read (an erased person's pseudonym shows). */
export type VersionReview = {
  fourEyes: boolean;
  draftedBy: string | null;
  draftedAt: string;
  approvedBy: string | null;
  approvedAt: string;
  changes: { path: string; text: { zh: string; en: string } }[];
};

/** An immutable published version; instances pin one by id. */
export const definitionVersions = pgTable(
  'definition_versions',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    version: integer('version').notNull(),
    document: jsonb('document').$type<Record<string, unknown>>().notNull(),
    changeNote: text('change_note').notNull(),
    bundleInstallId: uuid('bundle_install_id'),
    bundleId: text('bundle_id'),
    bundleVersion: text('bundle_version'),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
    publishedBy: uuid('published_by'),
    /**
     * The review behind a publish from the designer (#19, publishing like a team): who drafted it
     * (saved the draft published) and when, who approved (published) it and when, whether the
     * company's four-eyes rule held, and the change list the approver reviewed (zh/en lines against
     * the version before). Null for versions installed from a bundle or published before this was kept.
     */
    review: jsonb('review').$type<VersionReview>(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('definition_versions_key_uq').on(t.tenantId, t.estateId, t.kind, t.key, t.version),
  ],
);

/** A bundle installed into an estate, with its parameter values (provenance of versions). */
export const bundleInstalls = pgTable(
  'bundle_installs',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    bundleId: text('bundle_id').notNull(),
    bundleVersion: text('bundle_version').notNull(),
    source: text('source').$type<'catalogue' | 'upload'>().notNull(),
    parameters: jsonb('parameters').$type<Record<string, unknown>>().notNull().default({}),
    /** the bundle as installed: `{ manifest, documents }`, for export */
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
    installedAt: timestamp('installed_at', { withTimezone: true }).notNull().defaultNow(),
    installedBy: uuid('installed_by'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('bundle_installs_estate_idx').on(t.tenantId, t.estateId, t.bundleId)],
);

/** A business calendar of an estate (kind `calendar` documents, also published from bundles). */
export const calendars = pgTable(
  'calendars',
  {
    tenantId: uuid('tenant_id').notNull(),
    estateId: uuid('estate_id').notNull(),
    key: text('key').notNull(),
    document: jsonb('document').$type<Record<string, unknown>>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.estateId, t.key] })],
);

export type DefinitionDraft = typeof definitionDrafts.$inferSelect;
export type DefinitionVersion = typeof definitionVersions.$inferSelect;
export type BundleInstall = typeof bundleInstalls.$inferSelect;
export type Calendar = typeof calendars.$inferSelect;
