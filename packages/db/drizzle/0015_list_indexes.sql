CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
CREATE INDEX "instances_updated_idx" ON "instances" USING btree ("tenant_id","estate_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "instances_started_idx" ON "instances" USING btree ("tenant_id","estate_id","started_at","id");--> statement-breakpoint
CREATE INDEX "instances_serial_idx" ON "instances" USING btree ("tenant_id","serial" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "instances_search_trgm_idx" ON "instances" USING gin ("tenant_id","search_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "bills_estate_period_idx" ON "bills" USING btree ("tenant_id","estate_id","period_start","id");--> statement-breakpoint
CREATE INDEX "bills_period_idx" ON "bills" USING btree ("tenant_id","estate_id","period_id","period_start","id");--> statement-breakpoint
CREATE INDEX "receipts_payment_idx" ON "receipts" USING btree ("tenant_id","payment_id");--> statement-breakpoint
CREATE INDEX "receipts_issued_idx" ON "receipts" USING btree ("tenant_id","estate_id","issued_at","id");