-- Monthly partitions of the tables that grow without bound (history `events` by `at`, `outbox` by
-- `created_at`; migration 0037 partitions them by range). Months are UTC calendar months; a
-- partition is named `<table>_yYYYYmMM`, and `<table>_default` catches any row outside them.
-- `ef_partitions_ensure(table, from, to)` makes every month that meets [from, to) that is missing,
-- moving the rows the default partition already holds for it, and answers how many it made. The
-- new month is built aside and attached (ATTACH takes a lighter lock on the parent than CREATE
-- … PARTITION OF, so the event path keeps writing). The worker calls it for this month and the
-- next ones (apps/api/src/services/partitions.ts); one caller at a time per table.
CREATE OR REPLACE FUNCTION ef_partitions_ensure(p_table text, p_from timestamptz, p_to timestamptz) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  m timestamptz := date_trunc('month', p_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  nxt timestamptz;
  col text;
  part text;
  n int := 0;
BEGIN
  SELECT a.attname INTO col FROM pg_partitioned_table pt JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
  WHERE pt.partrelid = p_table::regclass;
  IF col IS NULL THEN
    RAISE EXCEPTION 'table % is not partitioned', p_table;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('ef_partitions:' || p_table));
  WHILE m < p_to LOOP
    nxt := ((m AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
    part := p_table || '_y' || to_char(m AT TIME ZONE 'UTC', 'YYYY') || 'm' || to_char(m AT TIME ZONE 'UTC', 'MM');
    IF NOT EXISTS (SELECT 1 FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
                   WHERE h.inhparent = p_table::regclass AND c.relname = part) THEN
      EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)', part, p_table);
      IF to_regclass(p_table || '_default') IS NOT NULL THEN
        EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= $1 AND %I < $2 RETURNING *) INSERT INTO %I SELECT * FROM moved',
          p_table || '_default', col, col, part) USING m, nxt;
      END IF;
      EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', p_table, part, m, nxt);
      n := n + 1;
    END IF;
    m := nxt;
  END LOOP;
  RETURN n;
END;
$$;
--> statement-breakpoint
-- History (`events`, by `at`) and the outbox (by `created_at`) partitioned by month (issue #21).
-- No foreign key points at either. Each table is rebuilt: the new partitioned table takes the old
-- one's columns and defaults, gets one partition per month its rows span plus this month and the
-- next two (the worker keeps three months ahead), and a default partition; the rows are copied; the
-- keys and indexes are built once, on the partitioned table, after the copy.
ALTER TABLE "events" RENAME TO "events_unpartitioned";--> statement-breakpoint
ALTER TABLE "events_unpartitioned" RENAME CONSTRAINT "events_tenant_id_instance_id_seq_pk" TO "events_unpartitioned_pk";--> statement-breakpoint
CREATE TABLE "events" (LIKE "events_unpartitioned" INCLUDING DEFAULTS) PARTITION BY RANGE ("at");--> statement-breakpoint
CREATE TABLE "events_default" PARTITION OF "events" DEFAULT;--> statement-breakpoint
SELECT ef_partitions_ensure('events', least(coalesce((SELECT min("at") FROM "events_unpartitioned"), now()), now()), now() + interval '2 months');--> statement-breakpoint
INSERT INTO "events" SELECT * FROM "events_unpartitioned";--> statement-breakpoint
DROP TABLE "events_unpartitioned";--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_tenant_id_instance_id_seq_at_pk" PRIMARY KEY("tenant_id","instance_id","seq","at");--> statement-breakpoint
ALTER TABLE "outbox" RENAME TO "outbox_unpartitioned";--> statement-breakpoint
ALTER TABLE "outbox_unpartitioned" RENAME CONSTRAINT "outbox_tenant_id_id_pk" TO "outbox_unpartitioned_pk";--> statement-breakpoint
DROP INDEX "outbox_pending_idx";--> statement-breakpoint
DROP INDEX "outbox_notices_idx";--> statement-breakpoint
DROP INDEX "outbox_notices_tenant_idx";--> statement-breakpoint
DROP INDEX "outbox_notices_instance_idx";--> statement-breakpoint
DROP INDEX "outbox_notices_user_idx";--> statement-breakpoint
DROP INDEX "outbox_notices_public_idx";--> statement-breakpoint
DROP INDEX "outbox_notices_role_idx";--> statement-breakpoint
DROP INDEX "outbox_notices_roles0_idx";--> statement-breakpoint
DROP INDEX "outbox_notices_roles1_idx";--> statement-breakpoint
DROP INDEX "outbox_notices_roles2_idx";--> statement-breakpoint
DROP INDEX "outbox_notices_roles_long_idx";--> statement-breakpoint
DROP INDEX "outbox_charges_billed_idx";--> statement-breakpoint
CREATE TABLE "outbox" (LIKE "outbox_unpartitioned" INCLUDING DEFAULTS) PARTITION BY RANGE ("created_at");--> statement-breakpoint
CREATE TABLE "outbox_default" PARTITION OF "outbox" DEFAULT;--> statement-breakpoint
SELECT ef_partitions_ensure('outbox', least(coalesce((SELECT min("created_at") FROM "outbox_unpartitioned"), now()), now()), now() + interval '2 months');--> statement-breakpoint
INSERT INTO "outbox" SELECT * FROM "outbox_unpartitioned";--> statement-breakpoint
DROP TABLE "outbox_unpartitioned";--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_tenant_id_id_created_at_pk" PRIMARY KEY("tenant_id","id","created_at");--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "outbox" USING btree ("created_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "outbox_notices_idx" ON "outbox" USING btree ("tenant_id","estate_id","created_at") WHERE kind in ('notify', 'escalate');--> statement-breakpoint
CREATE INDEX "outbox_notices_tenant_idx" ON "outbox" USING btree ("tenant_id","created_at","id") WHERE kind in ('notify', 'escalate');--> statement-breakpoint
CREATE INDEX "outbox_notices_instance_idx" ON "outbox" USING btree ("tenant_id","instance_id","created_at","id") WHERE kind in ('notify', 'escalate') and instance_id is not null;--> statement-breakpoint
CREATE INDEX "outbox_notices_user_idx" ON "outbox" USING btree ("tenant_id",(payload->'to'->>'user'),"created_at","id") WHERE kind in ('notify', 'escalate') and payload->'to'->>'user' is not null;--> statement-breakpoint
CREATE INDEX "outbox_notices_public_idx" ON "outbox" USING btree ("tenant_id","estate_id","created_at","id") WHERE kind in ('notify', 'escalate') and (payload->'to'->>'residents' is not null or instance_id is null);--> statement-breakpoint
CREATE INDEX "outbox_notices_role_idx" ON "outbox" USING btree ("tenant_id",(payload->'to'->>'role'),"created_at","id") WHERE kind in ('notify', 'escalate') and payload->'to'->>'role' is not null;--> statement-breakpoint
CREATE INDEX "outbox_notices_roles0_idx" ON "outbox" USING btree ("tenant_id",(payload->'roles'->>0),"created_at","id") WHERE kind in ('notify', 'escalate') and payload->'roles'->>0 is not null;--> statement-breakpoint
CREATE INDEX "outbox_notices_roles1_idx" ON "outbox" USING btree ("tenant_id",(payload->'roles'->>1),"created_at","id") WHERE kind in ('notify', 'escalate') and payload->'roles'->>1 is not null;--> statement-breakpoint
CREATE INDEX "outbox_notices_roles2_idx" ON "outbox" USING btree ("tenant_id",(payload->'roles'->>2),"created_at","id") WHERE kind in ('notify', 'escalate') and payload->'roles'->>2 is not null;--> statement-breakpoint
CREATE INDEX "outbox_notices_roles_long_idx" ON "outbox" USING btree ("tenant_id","created_at","id") WHERE kind in ('notify', 'escalate') and payload ? 'roles' and case when jsonb_typeof(payload->'roles') = 'array' then jsonb_array_length(payload->'roles') > 3 else true end;--> statement-breakpoint
CREATE INDEX "outbox_charges_billed_idx" ON "outbox" USING btree ("tenant_id","processed_by") WHERE kind = 'charge';
