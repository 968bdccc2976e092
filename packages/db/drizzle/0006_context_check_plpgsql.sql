-- ef_context_holds (migration 0005) as PL/pgSQL: called from ef_apply_group's IF, a LANGUAGE sql
-- function is not inlined and its body was planned again on every call (~0.18 ms of a 0.9 ms
-- event write, measured); PL/pgSQL keeps each statement's plan for the connection.
CREATE OR REPLACE FUNCTION ef_context_holds(t uuid, e uuid, fp jsonb) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE
  cal text;
  bound text[];
  wanted text[];
BEGIN
  SELECT coalesce(string_agg(c.key || '@' || c.xmin::text, ',' ORDER BY c.key), '') INTO cal FROM calendars c
  WHERE c.tenant_id = t AND c.estate_id = e;
  IF cal IS DISTINCT FROM fp->>'cal' THEN RETURN false; END IF;
  SELECT coalesce(array_agg(d.id::text ORDER BY d.id::text), '{}'::text[]) INTO bound FROM (
    SELECT DISTINCT ON (d.key) d.id FROM definition_versions d
    WHERE d.tenant_id = t AND d.estate_id = e AND d.kind = 'sla' AND d.document->>'workflow' = fp->>'wf'
    ORDER BY d.key, d.version DESC) d;
  SELECT coalesce(array_agg(x ORDER BY x), '{}'::text[]) INTO wanted FROM jsonb_array_elements_text(fp->'sla') x;
  RETURN bound = wanted;
END $$;
