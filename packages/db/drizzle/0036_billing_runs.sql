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
CREATE INDEX "billing_runs_estate_idx" ON "billing_runs" USING btree ("tenant_id","estate_id","created_at");