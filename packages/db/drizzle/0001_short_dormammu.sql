CREATE TABLE "bill_adjustments" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"bill_id" uuid NOT NULL,
	"on" date NOT NULL,
	"component" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"reason" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" uuid,
	CONSTRAINT "bill_adjustments_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "bill_lines" (
	"tenant_id" uuid NOT NULL,
	"bill_id" uuid NOT NULL,
	"no" integer NOT NULL,
	"estate_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"description" jsonb NOT NULL,
	"amount_fen" bigint NOT NULL,
	"order_serial" text,
	CONSTRAINT "bill_lines_tenant_id_bill_id_no_pk" PRIMARY KEY("tenant_id","bill_id","no")
);
--> statement-breakpoint
CREATE TABLE "billing_plans" (
	"tenant_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"key" text NOT NULL,
	"document" jsonb NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "billing_plans_tenant_id_estate_id_key_pk" PRIMARY KEY("tenant_id","estate_id","key")
);
--> statement-breakpoint
CREATE TABLE "bills" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"key" text NOT NULL,
	"plan_key" text NOT NULL,
	"period_id" text NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"issue_on" date NOT NULL,
	"pay_by" date NOT NULL,
	"schedule_version" date NOT NULL,
	"total_fen" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "bills_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "fee_schedules" (
	"tenant_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"key" text NOT NULL,
	"document" jsonb NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "fee_schedules_tenant_id_estate_id_key_pk" PRIMARY KEY("tenant_id","estate_id","key")
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"received_on" date NOT NULL,
	"amount_fen" bigint NOT NULL,
	"method" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" uuid,
	CONSTRAINT "payments_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "receipts" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"payment_id" uuid NOT NULL,
	"serial" text NOT NULL,
	"content" jsonb NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	CONSTRAINT "receipts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "unit_billing_profiles" (
	"tenant_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"unit_type" text NOT NULL,
	"custody" boolean DEFAULT false NOT NULL,
	"parking" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "unit_billing_profiles_tenant_id_unit_id_pk" PRIMARY KEY("tenant_id","unit_id")
);
--> statement-breakpoint
CREATE INDEX "bill_adjustments_bill_idx" ON "bill_adjustments" USING btree ("tenant_id","bill_id");--> statement-breakpoint
CREATE UNIQUE INDEX "bill_lines_order_uq" ON "bill_lines" USING btree ("tenant_id","estate_id","order_serial") WHERE order_serial is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "bills_key_uq" ON "bills" USING btree ("tenant_id","estate_id","key");--> statement-breakpoint
CREATE INDEX "bills_unit_idx" ON "bills" USING btree ("tenant_id","estate_id","unit_id","period_start");--> statement-breakpoint
CREATE INDEX "payments_unit_idx" ON "payments" USING btree ("tenant_id","estate_id","unit_id","received_on");--> statement-breakpoint
CREATE UNIQUE INDEX "receipts_serial_uq" ON "receipts" USING btree ("tenant_id","estate_id","serial");--> statement-breakpoint
CREATE INDEX "unit_billing_profiles_estate_idx" ON "unit_billing_profiles" USING btree ("tenant_id","estate_id");