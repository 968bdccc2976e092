CREATE TABLE "resident_link_codes" (
	"tenant_id" uuid NOT NULL,
	"code_hash" text PRIMARY KEY NOT NULL,
	"estate_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"issued_by" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"used_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "started_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "linked_via" text;--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "linked_by" uuid;--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "ended_by" uuid;--> statement-breakpoint
CREATE INDEX "resident_link_codes_unit_idx" ON "resident_link_codes" USING btree ("tenant_id","unit_id");