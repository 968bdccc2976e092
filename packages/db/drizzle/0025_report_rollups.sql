CREATE TABLE "report_facts" (
	"tenant_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"day" date NOT NULL,
	"workflow_key" text NOT NULL,
	"category" text NOT NULL,
	"channel" text NOT NULL,
	"grade" text NOT NULL,
	"status" text NOT NULL,
	"figures" jsonb NOT NULL,
	"open_clocks" boolean DEFAULT false NOT NULL,
	CONSTRAINT "report_facts_tenant_id_instance_id_pk" PRIMARY KEY("tenant_id","instance_id")
);
--> statement-breakpoint
CREATE TABLE "report_revisit_rollups" (
	"tenant_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"day" date NOT NULL,
	"workflow_key" text NOT NULL,
	"method" text NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "report_revisit_rollups_tenant_id_estate_id_day_workflow_key_method_pk" PRIMARY KEY("tenant_id","estate_id","day","workflow_key","method")
);
--> statement-breakpoint
CREATE TABLE "report_rollups" (
	"tenant_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"day" date NOT NULL,
	"workflow_key" text NOT NULL,
	"category" text NOT NULL,
	"channel" text NOT NULL,
	"grade" text NOT NULL,
	"started" integer DEFAULT 0 NOT NULL,
	"finished" integer DEFAULT 0 NOT NULL,
	"revisited" integer DEFAULT 0 NOT NULL,
	"revisits" integer DEFAULT 0 NOT NULL,
	"on_site" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"dissatisfied" integer DEFAULT 0 NOT NULL,
	"reworked" integer DEFAULT 0 NOT NULL,
	"reworks" integer DEFAULT 0 NOT NULL,
	"households" integer DEFAULT 0 NOT NULL,
	"returned" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "report_rollups_tenant_id_estate_id_day_workflow_key_category_channel_grade_pk" PRIMARY KEY("tenant_id","estate_id","day","workflow_key","category","channel","grade")
);
--> statement-breakpoint
CREATE TABLE "report_sla_rollups" (
	"tenant_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"day" date NOT NULL,
	"workflow_key" text NOT NULL,
	"policy" text NOT NULL,
	"metric_id" text NOT NULL,
	"met" integer DEFAULT 0 NOT NULL,
	"breached" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "report_sla_rollups_tenant_id_estate_id_day_workflow_key_policy_metric_id_pk" PRIMARY KEY("tenant_id","estate_id","day","workflow_key","policy","metric_id")
);
--> statement-breakpoint
CREATE TABLE "rollup_marks" (
	"tenant_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"instance_id" uuid NOT NULL,
	CONSTRAINT "rollup_marks_tenant_id_estate_id_pk" PRIMARY KEY("tenant_id","estate_id")
);
--> statement-breakpoint
CREATE INDEX "report_facts_started_idx" ON "report_facts" USING btree ("tenant_id","estate_id","started_at");--> statement-breakpoint
CREATE INDEX "report_facts_open_clocks_idx" ON "report_facts" USING btree ("tenant_id","estate_id","started_at") WHERE open_clocks;