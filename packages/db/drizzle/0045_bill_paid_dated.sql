-- Every dated change of a bill on its row (the late fee allocated to it, its adjustments). Rows written before
-- have empty lists and no reader trusts them: an estate's mark (bill_paid_estates.plans_hash) hashes the
-- paid-total format with its plans (apps/api/src/services/bill-paid.ts), so the estates settle in full until
-- `pnpm wf rollups recompute` (or a plan save) rewrites their rows.
ALTER TABLE "bill_paid" ADD COLUMN "late_fee_payments" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "bill_paid" ADD COLUMN "adjustments" jsonb DEFAULT '[]'::jsonb NOT NULL;
