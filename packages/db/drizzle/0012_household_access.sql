ALTER TABLE "unit_billing_profiles" ADD COLUMN "payer" text DEFAULT 'household' NOT NULL;--> statement-breakpoint
CREATE INDEX "residents_user_idx" ON "residents" USING btree ("tenant_id","estate_id","user_id");--> statement-breakpoint
CREATE INDEX "instances_started_by_idx" ON "instances" USING btree ("tenant_id","estate_id","started_by");--> statement-breakpoint
CREATE INDEX "instances_unit_idx" ON "instances" USING btree ("tenant_id","estate_id","unit_id");