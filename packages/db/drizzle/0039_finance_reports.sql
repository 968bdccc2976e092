CREATE TABLE "spending_entries" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"category" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"spent_on" date NOT NULL,
	"note" text,
	"entered_by" uuid NOT NULL,
	"entered_at" timestamp with time zone NOT NULL,
	CONSTRAINT "spending_entries_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "unit_billing_profiles" ADD COLUMN "custody_agreement" jsonb;--> statement-breakpoint
CREATE INDEX "spending_entries_estate_idx" ON "spending_entries" USING btree ("tenant_id","estate_id","spent_on");