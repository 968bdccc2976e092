import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** A running workflow, pinned to one published definition version. */
export const instances = pgTable(
  'instances',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    unitId: uuid('unit_id'),
    workflowKey: text('workflow_key').notNull(),
    definitionVersionId: uuid('definition_version_id').notNull(),
    workflowVersion: integer('workflow_version').notNull(),
    /** human serial, e.g. "RP-000012", unique per estate and workflow */
    serial: text('serial').notNull(),
    state: jsonb('state').$type<unknown>().notNull(),
    snapshot: jsonb('snapshot').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<'active' | 'done'>().notNull().default('active'),
    grade: text('grade'),
    searchText: text('search_text').notNull().default(''),
    version: integer('version').notNull().default(1),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    startedBy: uuid('started_by'),
    /**
     * whom the request is for, when staff registered it for a resident ("first asked owns it", PS-12,
     * GN-1): that resident follows it as if they had raised it (CP-12); `startedBy` stays who registered it
     */
    requestedFor: uuid('requested_for'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('instances_estate_idx').on(t.tenantId, t.estateId, t.workflowKey, t.status),
    // who may see an instance (apps/api/src/services/instance-access.ts): a resident's own requests and their unit's
    index('instances_started_by_idx').on(t.tenantId, t.estateId, t.startedBy),
    // …and a unit's requests, newest first, a page at a time (the household file: `GET /api/instances?unitId=`)
    index('instances_unit_idx').on(t.tenantId, t.estateId, t.unitId, t.updatedAt, t.id),
    index('instances_requested_for_idx').on(t.tenantId, t.estateId, t.requestedFor).where(sql`${t.requestedFor} is not null`),
    // lists and reports page through an estate's requests in a stable order (keyset: the key, then the id)
    index('instances_updated_idx').on(t.tenantId, t.estateId, t.updatedAt, t.id),
    index('instances_started_idx').on(t.tenantId, t.estateId, t.startedAt, t.id),
    // a serial typed in the search box: exact or prefix (`like 'RP-0001%'`) on its own index
    index('instances_serial_idx').on(t.tenantId, t.serial.op('text_pattern_ops')),
    // free text in the search box (`ilike '%…%'`): trigrams (pg_trgm), tenant-led (btree_gin)
    index('instances_search_trgm_idx').using('gin', t.tenantId, t.searchText.op('gin_trgm_ops')),
    // a two-character CJK search (`客厅`), which has no trigram: its pairs, in `instanceSearchPairs`
  ],
);

/**
 * The two-character CJK pairs of each request's search text (packages/db/sql/ef_bigrams.sql), for the
 * search box's two-character searches (客厅, 张三), which have no trigram. A trigger on instances
 * (packages/db/sql/ef_search_pairs.sql) writes a request's row when its text is written and differs:
 * an event, timer or re-arm that keeps the text touches nothing here. Kept beside the instance, not in
 * it, so those writes do no index work for the pairs (an index on `ef_bigrams(search_text)` worked
 * them out on every write, ~0.5 ms a row: the timers fired per second fell by a quarter, #21).
 */
export const instanceSearchPairs = pgTable(
  'instance_search_pairs',
  {
    tenantId: uuid('tenant_id').notNull(),
    instanceId: uuid('instance_id').notNull(),
    pairs: text('pairs').array().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.instanceId] }),
    foreignKey({ columns: [t.tenantId, t.instanceId], foreignColumns: [instances.tenantId, instances.id], name: 'instance_search_pairs_instance_fk' }).onDelete('cascade'),
    // the pairs alone: a tenant key in a GIN index (btree_gin) matches every row of the company, and
    // reading its posting list made the planner prefer a sequential scan; the tenant is checked on the row
    index('instance_search_pairs_idx').using('gin', t.pairs),
  ],
);

/** Append-only history: every accepted event with who, when and the validated data. */
export const events = pgTable(
  'events',
  {
    tenantId: uuid('tenant_id').notNull(),
    instanceId: uuid('instance_id').notNull(),
    /** the instance version this event produced (1 = start) */
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    actorId: uuid('actor_id'),
    actorRole: text('actor_role').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    idempotencyKey: text('idempotency_key'),
    stateAfter: jsonb('state_after').$type<unknown>(),
  },
  // partitioned by month on `at` (migration 0036, declarative partitioning drizzle-kit cannot express):
  // the key holds the partition key; one row per (instance, seq) is kept by the instance's version check
  (t) => [primaryKey({ columns: [t.tenantId, t.instanceId, t.seq, t.at] })],
);

/** A durable timer: fires `event` once at `due_at`, after restarts too. */
export const timers = pgTable(
  'timers',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    instanceId: uuid('instance_id').notNull(),
    key: text('key').notNull(),
    event: text('event').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    status: text('status').$type<'armed' | 'fired' | 'cancelled'>().notNull().default('armed'),
    firedAt: timestamp('fired_at', { withTimezone: true }),
    firedBy: text('fired_by'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('timers_instance_idx').on(t.tenantId, t.instanceId, t.key),
    // the worker scans across tenants for due timers: a partial index on the armed ones only
    index('timers_due_idx').on(t.dueAt).where(sql`status = 'armed'`),
  ],
);

export const tasks = pgTable(
  'tasks',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    instanceId: uuid('instance_id').notNull(),
    key: text('key').notNull(),
    title: jsonb('title').$type<{ zh: string; en: string }>().notNull(),
    role: text('role'),
    assigneeId: uuid('assignee_id'),
    form: text('form'),
    events: jsonb('events').$type<string[]>().notNull().default([]),
    dueAt: timestamp('due_at', { withTimezone: true }),
    status: text('status').$type<'open' | 'done' | 'cancelled'>().notNull().default('open'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('tasks_inbox_idx').on(t.tenantId, t.estateId, t.status, t.role),
    // the inbox's order, a page at a time (#21): due (none last), created, id within an estate's open tasks
    index('tasks_due_idx').on(t.tenantId, t.estateId, t.status, sql`coalesce(${t.dueAt}, 'infinity'::timestamptz)`, t.createdAt, t.id),
    index('tasks_instance_idx').on(t.tenantId, t.instanceId, t.key),
  ],
);

/** Effects (notices, charges, child starts…) written with the event, delivered by the worker. */
export const outbox = pgTable(
  'outbox',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    estateId: uuid('estate_id').notNull(),
    instanceId: uuid('instance_id'),
    kind: text('kind').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<'pending' | 'done' | 'failed'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    processedBy: text('processed_by'),
  },
  (t) => [
    // partitioned by month on `created_at` (migration 0036; `ef_partitions_ensure` keeps months ahead,
    // `pnpm wf outbox archive` detaches delivered old months): the key holds the partition key
    primaryKey({ columns: [t.tenantId, t.id, t.createdAt] }),
    index('outbox_pending_idx').on(t.createdAt).where(sql`status = 'pending'`),
    // the notices page (GET /api/notices): an estate's notices, newest first
    index('outbox_notices_idx').on(t.tenantId, t.estateId, t.createdAt).where(sql`kind in ('notify', 'escalate')`),
    // the notices page across every estate of the caller (one call, newest first, keyset on (created_at, id))
    index('outbox_notices_tenant_idx').on(t.tenantId, t.createdAt, t.id).where(sql`kind in ('notify', 'escalate')`),
    // a resident's notices are found from their side, so they cost the same in a quiet estate and a busy one:
    // the notices of the requests they may see, those naming them, and the estate's public ones
    index('outbox_notices_instance_idx').on(t.tenantId, t.instanceId, t.createdAt, t.id).where(sql`kind in ('notify', 'escalate') and instance_id is not null`),
    index('outbox_notices_user_idx')
      .on(t.tenantId, sql`(payload->'to'->>'user')`, t.createdAt, t.id)
      .where(sql`kind in ('notify', 'escalate') and payload->'to'->>'user' is not null`),
    // a member of staff's notices, found by their role: sent to the role (to.role), or escalated to a list of roles
    index('outbox_notices_role_idx')
      .on(t.tenantId, sql`(payload->'to'->>'role')`, t.createdAt, t.id)
      .where(sql`kind in ('notify', 'escalate') and payload->'to'->>'role' is not null`),
    // an escalation's list of roles, by position (lists hold one to three roles), each in order of time
    ...[0, 1, 2].map((i) =>
      index(`outbox_notices_roles${i}_idx`)
        .on(t.tenantId, sql.raw(`(payload->'roles'->>${i})`), t.createdAt, t.id)
        .where(sql.raw(`kind in ('notify', 'escalate') and payload->'roles'->>${i} is not null`)),
    ),
    // and the rare longer lists (or a list that is not an array), walked in order of time
    index('outbox_notices_roles_long_idx')
      .on(t.tenantId, t.createdAt, t.id)
      .where(sql`kind in ('notify', 'escalate') and payload ? 'roles' and case when jsonb_typeof(payload->'roles') = 'array' then jsonb_array_length(payload->'roles') > 3 else true end`),
    index('outbox_notices_public_idx')
      .on(t.tenantId, t.estateId, t.createdAt, t.id)
      .where(sql`kind in ('notify', 'escalate') and (payload->'to'->>'residents' is not null or instance_id is null)`),
    // a payment that clears a bill finds the charges billed on it (`billing:<bill key>`) to send their paid events
    index('outbox_charges_billed_idx').on(t.tenantId, t.processedBy).where(sql`kind = 'charge'`),
  ],
);

/** Per-tenant counters (instance serials). */
export const counters = pgTable(
  'counters',
  {
    tenantId: uuid('tenant_id').notNull(),
    scope: text('scope').notNull(),
    value: integer('value').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.scope] })],
);

export type Instance = typeof instances.$inferSelect;
export type InstanceEvent = typeof events.$inferSelect;
export type Timer = typeof timers.$inferSelect;
export type Task = typeof tasks.$inferSelect;
export type OutboxRow = typeof outbox.$inferSelect;
