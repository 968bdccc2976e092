import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Report rollups (#21): the dashboard, SLA, revisit and monthly statistics read these instead of
 * scanning history. The worker keeps them (apps/api/src/services/rollups.ts): an instance whose
 * version moved is read once, its figures (`report_facts`) computed from its history, and the
 * difference from the figures it had before added to the rollups, so a change processed twice counts
 * once. `pnpm wf rollups recompute [--estate <id>]` rebuilds them from history.
 */

/** One instance's figures as last computed, at `version` of the instance (the rollups hold their sum). */
export const reportFacts = pgTable(
  'report_facts',
  {
    tenantId: uuid('tenant_id').notNull(),
    instanceId: uuid('instance_id').notNull(),
    estateId: uuid('estate_id').notNull(),
    version: integer('version').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    /** the local day (the estate's time zone) it started on */
    day: date('day', { mode: 'string' }).notNull(),
    workflowKey: text('workflow_key').notNull(),
    category: text('category').notNull(),
    channel: text('channel').notNull(),
    grade: text('grade').notNull(),
    status: text('status').notNull(),
    /** everything else: revisits by method, satisfied, rework, SLA clocks (see rollups.ts `Fact`) */
    figures: jsonb('figures').$type<Record<string, unknown>>().notNull(),
    /** a running, paused or pending SLA clock: the reports read these few as of now */
    openClocks: boolean('open_clocks').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.instanceId] }),
    // a report's partial first and last day, read from the facts of that day
    index('report_facts_started_idx').on(t.tenantId, t.estateId, t.startedAt),
    // the SLA clocks still running, read as of now
    index('report_facts_open_clocks_idx').on(t.tenantId, t.estateId, t.startedAt).where(sql`open_clocks`),
  ],
);

/** Requests per estate, local day started, workflow, category, channel and complaint grade. */
export const reportRollups = pgTable(
  'report_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    estateId: uuid('estate_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    workflowKey: text('workflow_key').notNull(),
    category: text('category').notNull(),
    channel: text('channel').notNull(),
    grade: text('grade').notNull(),
    started: integer('started').notNull().default(0),
    finished: integer('finished').notNull().default(0),
    /** finished with at least one revisit */
    revisited: integer('revisited').notNull().default(0),
    /** revisits of finished requests, on site of them, satisfied and dissatisfied answers */
    revisits: integer('revisits').notNull().default(0),
    onSite: integer('on_site').notNull().default(0),
    satisfied: integer('satisfied').notNull().default(0),
    dissatisfied: integer('dissatisfied').notNull().default(0),
    /** requests sent back to rework at least once, and how many reworks */
    reworked: integer('reworked').notNull().default(0),
    reworks: integer('reworks').notNull().default(0),
    /** surveys: households asked and forms returned (the survey's `households` and `returned`) */
    households: integer('households').notNull().default(0),
    returned: integer('returned').notNull().default(0),
    /** the requests' tasks (any status), those done and those done by their due instant (the dashboard's task due compliance) */
    tasks: integer('tasks').notNull().default(0),
    tasksClosed: integer('tasks_closed').notNull().default(0),
    tasksOnTime: integer('tasks_on_time').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.estateId, t.day, t.workflowKey, t.category, t.channel, t.grade] })],
);

/** Revisits of finished requests by method (phone, onsite, visit, none). */
export const reportRevisitRollups = pgTable(
  'report_revisit_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    estateId: uuid('estate_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    workflowKey: text('workflow_key').notNull(),
    method: text('method').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.estateId, t.day, t.workflowKey, t.method] })],
);

/** SLA clocks whose outcome is settled (met or breached), per estate, day started, workflow, policy and metric. */
export const reportSlaRollups = pgTable(
  'report_sla_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    estateId: uuid('estate_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    workflowKey: text('workflow_key').notNull(),
    policy: text('policy').notNull(),
    metricId: text('metric_id').notNull(),
    met: integer('met').notNull().default(0),
    breached: integer('breached').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.estateId, t.day, t.workflowKey, t.policy, t.metricId] })],
);

/** How far the worker has read an estate's changed instances: the last (updated_at, id) it counted. */
export const rollupMarks = pgTable(
  'rollup_marks',
  {
    tenantId: uuid('tenant_id').notNull(),
    estateId: uuid('estate_id').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    instanceId: uuid('instance_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.estateId] })],
);
