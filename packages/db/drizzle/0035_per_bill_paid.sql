CREATE TABLE "bill_paid" (
	"tenant_id" uuid NOT NULL,
	"bill_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"issue_on" date NOT NULL,
	"changed_on" date NOT NULL,
	"principal_fen" bigint NOT NULL,
	"principal_paid_fen" bigint NOT NULL,
	"principal_payments" jsonb NOT NULL,
	"late_fee_adjusted_fen" bigint NOT NULL,
	"late_fee_paid_fen" bigint NOT NULL,
	"open" boolean NOT NULL,
	CONSTRAINT "bill_paid_tenant_id_bill_id_pk" PRIMARY KEY("tenant_id","bill_id")
);
--> statement-breakpoint
CREATE TABLE "bill_paid_estates" (
	"tenant_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"plans_hash" text NOT NULL,
	"refreshed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "bill_paid_estates_tenant_id_estate_id_pk" PRIMARY KEY("tenant_id","estate_id")
);
--> statement-breakpoint
CREATE INDEX "bill_paid_open_idx" ON "bill_paid" USING btree ("tenant_id","estate_id","unit_id") WHERE open;--> statement-breakpoint
CREATE INDEX "bill_paid_changed_idx" ON "bill_paid" USING btree ("tenant_id","estate_id","changed_on");--> statement-breakpoint
CREATE INDEX "bill_paid_issue_idx" ON "bill_paid" USING btree ("tenant_id","estate_id","issue_on");