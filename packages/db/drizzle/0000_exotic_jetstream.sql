CREATE TABLE "buildings" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "buildings_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "companies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "estates" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"name" text NOT NULL,
	"time_zone" text DEFAULT 'Asia/Shanghai' NOT NULL,
	"address" text,
	"meta" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "estates_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "residents" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"name" text NOT NULL,
	"phone" text,
	"kind" text DEFAULT 'owner' NOT NULL,
	"user_id" uuid,
	CONSTRAINT "residents_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "units" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"building_id" uuid NOT NULL,
	"label" text NOT NULL,
	"area_sqm" numeric(10, 2),
	CONSTRAINT "units_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"role" text NOT NULL,
	CONSTRAINT "memberships_tenant_id_user_id_estate_id_pk" PRIMARY KEY("tenant_id","user_id","estate_id")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"username" text NOT NULL,
	"display_name" text NOT NULL,
	"password_hash" text NOT NULL,
	"locale" text DEFAULT 'zh-CN' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "bundle_installs" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"bundle_id" text NOT NULL,
	"bundle_version" text NOT NULL,
	"source" text NOT NULL,
	"parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"content" jsonb NOT NULL,
	"installed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"installed_by" uuid,
	CONSTRAINT "bundle_installs_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "calendars" (
	"tenant_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"key" text NOT NULL,
	"document" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calendars_tenant_id_estate_id_key_pk" PRIMARY KEY("tenant_id","estate_id","key")
);
--> statement-breakpoint
CREATE TABLE "definition_drafts" (
	"tenant_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"document" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "definition_drafts_tenant_id_estate_id_kind_key_pk" PRIMARY KEY("tenant_id","estate_id","kind","key")
);
--> statement-breakpoint
CREATE TABLE "definition_versions" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"version" integer NOT NULL,
	"document" jsonb NOT NULL,
	"change_note" text NOT NULL,
	"bundle_install_id" uuid,
	"bundle_id" text,
	"bundle_version" text,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_by" uuid,
	CONSTRAINT "definition_versions_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "counters" (
	"tenant_id" uuid NOT NULL,
	"scope" text NOT NULL,
	"value" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "counters_tenant_id_scope_pk" PRIMARY KEY("tenant_id","scope")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"tenant_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"actor_id" uuid,
	"actor_role" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"idempotency_key" text,
	"state_after" jsonb,
	CONSTRAINT "events_tenant_id_instance_id_seq_pk" PRIMARY KEY("tenant_id","instance_id","seq")
);
--> statement-breakpoint
CREATE TABLE "instances" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"unit_id" uuid,
	"workflow_key" text NOT NULL,
	"definition_version_id" uuid NOT NULL,
	"workflow_version" integer NOT NULL,
	"serial" text NOT NULL,
	"state" jsonb NOT NULL,
	"snapshot" jsonb NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"grade" text,
	"search_text" text DEFAULT '' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"started_by" uuid,
	"updated_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "instances_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"instance_id" uuid,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"processed_at" timestamp with time zone,
	"processed_by" text,
	CONSTRAINT "outbox_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"key" text NOT NULL,
	"title" jsonb NOT NULL,
	"role" text,
	"assignee_id" uuid,
	"form" text,
	"events" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"due_at" timestamp with time zone,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"claimed_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	CONSTRAINT "tasks_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "timers" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"key" text NOT NULL,
	"event" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'armed' NOT NULL,
	"fired_at" timestamp with time zone,
	"fired_by" text,
	CONSTRAINT "timers_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid,
	"actor_id" uuid,
	"actor_role" text,
	"action" text NOT NULL,
	"target" text,
	"outcome" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_log_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"key" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_tenant_id_user_id_key_pk" PRIMARY KEY("tenant_id","user_id","key")
);
--> statement-breakpoint
CREATE INDEX "buildings_estate_idx" ON "buildings" USING btree ("tenant_id","estate_id");--> statement-breakpoint
CREATE INDEX "residents_unit_idx" ON "residents" USING btree ("tenant_id","estate_id","unit_id");--> statement-breakpoint
CREATE INDEX "units_estate_idx" ON "units" USING btree ("tenant_id","estate_id","building_id");--> statement-breakpoint
CREATE INDEX "memberships_estate_role_idx" ON "memberships" USING btree ("tenant_id","estate_id","role");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("tenant_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_uq" ON "users" USING btree ("username");--> statement-breakpoint
CREATE INDEX "bundle_installs_estate_idx" ON "bundle_installs" USING btree ("tenant_id","estate_id","bundle_id");--> statement-breakpoint
CREATE UNIQUE INDEX "definition_versions_key_uq" ON "definition_versions" USING btree ("tenant_id","estate_id","kind","key","version");--> statement-breakpoint
CREATE INDEX "instances_estate_idx" ON "instances" USING btree ("tenant_id","estate_id","workflow_key","status");--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "outbox" USING btree ("created_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "tasks_inbox_idx" ON "tasks" USING btree ("tenant_id","estate_id","status","role");--> statement-breakpoint
CREATE INDEX "tasks_instance_idx" ON "tasks" USING btree ("tenant_id","instance_id","key");--> statement-breakpoint
CREATE INDEX "timers_instance_idx" ON "timers" USING btree ("tenant_id","instance_id","key");--> statement-breakpoint
CREATE INDEX "timers_due_idx" ON "timers" USING btree ("due_at") WHERE status = 'armed';--> statement-breakpoint
CREATE INDEX "audit_target_idx" ON "audit_log" USING btree ("tenant_id","target","at");