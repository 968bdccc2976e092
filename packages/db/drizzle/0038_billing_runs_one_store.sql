CREATE TABLE "billing_runs" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"plan_key" text NOT NULL,
	"period_id" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"units_done" integer DEFAULT 0 NOT NULL,
	"units_total" integer DEFAULT 0 NOT NULL,
	"result" jsonb,
	"error" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "billing_runs_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
-- issue #20: one store for fee definitions. Each document saved in the older tables is published
-- into definition_versions as its key's next version, unless a version published after it exists.
INSERT INTO "definition_versions" ("tenant_id", "id", "estate_id", "kind", "key", "version", "document", "change_note", "published_at", "published_by")
SELECT d."tenant_id", gen_random_uuid(), d."estate_id", d."kind", d."key",
  COALESCE((SELECT max(v."version") FROM "definition_versions" v WHERE v."tenant_id" = d."tenant_id" AND v."estate_id" = d."estate_id" AND v."kind" = d."kind" AND v."key" = d."key"), 0) + 1,
  d."document", 'moved from the older ' || d."src" || ' table (issue #20)', d."updated_at", d."updated_by"
FROM (
  SELECT "tenant_id", "estate_id", 'fee-schedule' AS "kind", "key", "document", "updated_at", "updated_by", 'fee_schedules' AS "src" FROM "fee_schedules"
  UNION ALL
  SELECT "tenant_id", "estate_id", 'billing-plan' AS "kind", "key", "document", "updated_at", "updated_by", 'billing_plans' AS "src" FROM "billing_plans"
) d
WHERE NOT EXISTS (SELECT 1 FROM "definition_versions" v WHERE v."tenant_id" = d."tenant_id" AND v."estate_id" = d."estate_id" AND v."kind" = d."kind" AND v."key" = d."key" AND v."published_at" > d."updated_at");
--> statement-breakpoint
DROP TABLE "billing_plans" CASCADE;--> statement-breakpoint
DROP TABLE "fee_schedules" CASCADE;--> statement-breakpoint
CREATE INDEX "billing_runs_estate_idx" ON "billing_runs" USING btree ("tenant_id","estate_id","created_at");