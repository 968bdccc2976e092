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
