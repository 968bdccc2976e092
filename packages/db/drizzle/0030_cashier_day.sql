CREATE TABLE "cashier_closes" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"cashier_id" uuid NOT NULL,
	"day" date NOT NULL,
	"closed_at" timestamp with time zone NOT NULL,
	"closed_by" uuid NOT NULL,
	"totals" jsonb NOT NULL,
	"note" text,
	CONSTRAINT "cashier_closes_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "deposits" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"method" text NOT NULL,
	"taken_on" date NOT NULL,
	"taken_by" uuid NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"note" text,
	"status" text NOT NULL,
	"settled_on" date,
	"settled_by" uuid,
	"settle_reason" text,
	CONSTRAINT "deposits_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "fee_waivers" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"bill_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"component" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"reason" text NOT NULL,
	"requested_by" uuid NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"adjustment_id" uuid,
	CONSTRAINT "fee_waivers_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE INDEX "cashier_closes_day_idx" ON "cashier_closes" USING btree ("tenant_id","estate_id","day","cashier_id");--> statement-breakpoint
CREATE INDEX "deposits_unit_idx" ON "deposits" USING btree ("tenant_id","estate_id","unit_id");--> statement-breakpoint
CREATE INDEX "fee_waivers_estate_idx" ON "fee_waivers" USING btree ("tenant_id","estate_id","status","requested_at");