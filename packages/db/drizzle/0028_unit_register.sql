CREATE TABLE "unit_profile_changes" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"effective_from" date NOT NULL,
	"changes" jsonb NOT NULL,
	"changed_by" uuid,
	"changed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "unit_profile_changes_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
DROP INDEX "instances_unit_idx";--> statement-breakpoint
CREATE INDEX "unit_profile_changes_unit_idx" ON "unit_profile_changes" USING btree ("tenant_id","estate_id","unit_id","changed_at");--> statement-breakpoint
CREATE INDEX "instances_unit_idx" ON "instances" USING btree ("tenant_id","estate_id","unit_id","updated_at","id");