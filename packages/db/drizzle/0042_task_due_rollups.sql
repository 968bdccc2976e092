ALTER TABLE "report_rollups" ADD COLUMN "tasks" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "report_rollups" ADD COLUMN "tasks_closed" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "report_rollups" ADD COLUMN "tasks_on_time" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- each request's task counts into its report figures (apps/api/src/services/rollups.ts, `Fact.figures.tasks`), then the
-- rollups by the same sums, so the rollups stay the sum of the facts (a stale fact is subtracted as stored)
UPDATE "report_facts" f SET "figures" = f."figures" || jsonb_build_object('tasks', jsonb_build_object('all', x.n, 'closed', x.closed, 'onTime', x.on_time))
FROM (
  SELECT "tenant_id", "instance_id", count(*)::int AS n, (count(*) FILTER (WHERE "status" = 'done'))::int AS closed,
    (count(*) FILTER (WHERE "status" = 'done' AND ("due_at" IS NULL OR "closed_at" <= "due_at")))::int AS on_time
  FROM "tasks" GROUP BY 1, 2
) x
WHERE f."tenant_id" = x."tenant_id" AND f."instance_id" = x."instance_id";--> statement-breakpoint
UPDATE "report_rollups" r SET "tasks" = s.n, "tasks_closed" = s.closed, "tasks_on_time" = s.on_time
FROM (
  SELECT "tenant_id", "estate_id", "day", "workflow_key", "category", "channel", "grade",
    sum(("figures"->'tasks'->>'all')::int)::int AS n, sum(("figures"->'tasks'->>'closed')::int)::int AS closed, sum(("figures"->'tasks'->>'onTime')::int)::int AS on_time
  FROM "report_facts" WHERE "figures" ? 'tasks' GROUP BY 1, 2, 3, 4, 5, 6, 7
) s
WHERE r."tenant_id" = s."tenant_id" AND r."estate_id" = s."estate_id" AND r."day" = s."day" AND r."workflow_key" = s."workflow_key"
  AND r."category" = s."category" AND r."channel" = s."channel" AND r."grade" = s."grade";
