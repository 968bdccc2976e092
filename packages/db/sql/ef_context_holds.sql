-- Whether what a plan was computed with besides the instance row is still current: p_expected is
-- {calendars, workflow, sla}, the estate's calendar fingerprint (ef_calendar_fingerprint) and the
-- SLA policy versions bound to the workflow (ef_bound_sla, compared by id) as they were read. A
-- calendar or SLA policy published since makes it false: the write is refused as `moved` and the
-- plan made again on a fresh read.
CREATE OR REPLACE FUNCTION ef_context_holds(p_tenant uuid, p_estate uuid, p_expected jsonb) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE
  bound text[];
  wanted text[];
BEGIN
  IF ef_calendar_fingerprint(p_tenant, p_estate) IS DISTINCT FROM p_expected->>'calendars' THEN RETURN false; END IF;
  SELECT coalesce(array_agg(b->>0 ORDER BY b->>0), '{}'::text[]) INTO bound
  FROM json_array_elements(ef_bound_sla(p_tenant, p_estate, p_expected->>'workflow')) b;
  SELECT coalesce(array_agg(x->>'id' ORDER BY x->>'id'), '{}'::text[]) INTO wanted FROM jsonb_array_elements(p_expected->'sla') x;
  RETURN bound = wanted;
END $$;
