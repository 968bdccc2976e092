CREATE TABLE "instance_search_pairs" (
	"tenant_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"pairs" text[] NOT NULL,
	CONSTRAINT "instance_search_pairs_tenant_id_instance_id_pk" PRIMARY KEY("tenant_id","instance_id")
);
--> statement-breakpoint
DROP INDEX "instances_search_bigram_idx";--> statement-breakpoint
ALTER TABLE "instance_search_pairs" ADD CONSTRAINT "instance_search_pairs_instance_fk" FOREIGN KEY ("tenant_id","instance_id") REFERENCES "public"."instances"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "instance_search_pairs_idx" ON "instance_search_pairs" USING gin ("pairs");--> statement-breakpoint
-- the pairs of the requests already there, once; the triggers keep them from now on
INSERT INTO "instance_search_pairs" ("tenant_id", "instance_id", "pairs")
SELECT "tenant_id", "id", coalesce(ef_bigrams("search_text"), '{}') FROM "instances";--> statement-breakpoint
CREATE TRIGGER "instances_search_pairs_insert" AFTER INSERT ON "instances" FOR EACH ROW EXECUTE FUNCTION ef_set_search_pairs();--> statement-breakpoint
CREATE TRIGGER "instances_search_pairs_update" AFTER UPDATE OF "search_text" ON "instances" FOR EACH ROW
  WHEN (OLD."search_text" IS DISTINCT FROM NEW."search_text") EXECUTE FUNCTION ef_set_search_pairs();
