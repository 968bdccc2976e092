-- Claims a batch of due timers for the worker: the instances of the oldest due timers
-- FOR UPDATE SKIP LOCKED, then their due armed timers SKIP LOCKED (so concurrent claimers get
-- disjoint instances and never wait), plus the candidates whose instance is gone (orphans). Answers
-- the timers in due order ([tenant, id, instance, key, event, data, due ms, orphan, sla]) and the
-- claimed instances read as ef_instance_context reads them. Planned as index lookups: a hash join
-- over a seq scan of instances or timers was chosen from the LIMITed candidates' estimates.
CREATE OR REPLACE FUNCTION ef_claim_timers(p_now timestamptz, p_limit int) RETURNS json LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
  claimed json;
  keys jsonb;
BEGIN
  WITH cand AS MATERIALIZED (
    SELECT tenant_id, id, instance_id, due_at FROM timers
    WHERE status = 'armed' AND due_at <= p_now
    ORDER BY due_at LIMIT p_limit * 8
  ), inst AS (
    SELECT i.tenant_id, i.id FROM instances i
    JOIN (SELECT tenant_id, instance_id, min(due_at) AS due FROM cand GROUP BY tenant_id, instance_id) c
      ON c.tenant_id = i.tenant_id AND c.instance_id = i.id
    ORDER BY c.due LIMIT p_limit
    FOR UPDATE OF i SKIP LOCKED
  ), live AS (
    SELECT t.*, false AS orphan FROM timers t
    JOIN inst ON inst.tenant_id = t.tenant_id AND inst.id = t.instance_id
    WHERE t.status = 'armed' AND t.due_at <= p_now
    FOR UPDATE OF t SKIP LOCKED
  ), orphans AS (
    SELECT t.*, true AS orphan FROM timers t
    JOIN cand c ON c.tenant_id = t.tenant_id AND c.id = t.id
    WHERE t.status = 'armed' AND t.due_at <= p_now
      AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.tenant_id = t.tenant_id AND i.id = t.instance_id)
    FOR UPDATE OF t SKIP LOCKED
  )
  SELECT coalesce(json_agg(json_build_array(u.tenant_id, u.id, u.instance_id, u.key, u.event, u.data, ef_ms(u.due_at), u.orphan, ef_is_sla_timer(u.key)) ORDER BY u.due_at), '[]'::json),
    coalesce(jsonb_agg(DISTINCT jsonb_build_array(u.tenant_id, u.instance_id)) FILTER (WHERE NOT u.orphan), '[]'::jsonb)
  INTO claimed, keys
  FROM (SELECT * FROM live UNION ALL SELECT * FROM orphans) u;
  RETURN json_build_object('timers', claimed, 'instances', ef_instance_context(keys));
END $$;
