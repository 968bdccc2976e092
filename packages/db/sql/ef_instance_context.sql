-- Reads instances with what planning their next write needs, in one round trip: for each
-- [tenant_id, id] of p_keys, in order (missing ones left out), `row` the instance row;
-- `calendars` the estate's calendar fingerprint; `sla` the bound SLA policy versions (ef_bound_sla,
-- null if none); `slaTimers` the instance's armed SLA timers ([id, key, due ms]); `history` its
-- events ([at ms, type, data, state_after] by seq), only when a policy is bound (SLA clocks are
-- computed from it). Built as json, not jsonb: a tree per value is 10-20 times slower to build for
-- a snapshot-sized row. The estate's fingerprint and binding are read once per estate and workflow
-- of the batch. The armed SLA timers are found by the instance's index, (status || '') keeping the
-- worker's partial due-time index out of the plan (see ef_commit_plan).
CREATE OR REPLACE FUNCTION ef_instance_context(p_keys jsonb) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    WITH wanted AS MATERIALIZED (
      SELECT i AS inst, i.tenant_id, i.id, i.estate_id, i.workflow_key, k.n FROM jsonb_array_elements(p_keys) WITH ORDINALITY k(v, n)
      JOIN instances i ON i.tenant_id = (k.v->>0)::uuid AND i.id = (k.v->>1)::uuid
    ), estate AS (
      -- once per estate and workflow of the batch (a worker's or re-arm's batch is mostly one estate)
      SELECT c.tenant_id, c.estate_id, c.workflow_key, ef_calendar_fingerprint(c.tenant_id, c.estate_id) AS calendars,
        ef_bound_sla(c.tenant_id, c.estate_id, c.workflow_key) AS bound
      FROM (SELECT DISTINCT tenant_id, estate_id, workflow_key FROM wanted) c
    )
    SELECT coalesce(json_agg(json_build_object(
      'row', row_to_json(i.inst),
      'calendars', b.calendars,
      'sla', b.bound,
      'slaTimers', (SELECT coalesce(json_agg(json_build_array(tm.id, tm.key, ef_ms(tm.due_at))), '[]'::json) FROM timers tm
                    WHERE tm.tenant_id = i.tenant_id AND tm.instance_id = i.id AND (tm.status || '') = 'armed' AND ef_is_sla_timer(tm.key)),
      'history', CASE WHEN b.bound IS NOT NULL THEN (
        SELECT json_agg(json_build_array(ef_ms(e.at), e.type, e.data, e.state_after) ORDER BY e.seq) FROM events e
        WHERE e.tenant_id = i.tenant_id AND e.instance_id = i.id) END
    ) ORDER BY i.n), '[]'::json)
    FROM wanted i
    JOIN estate b ON b.tenant_id = i.tenant_id AND b.estate_id = i.estate_id AND b.workflow_key = i.workflow_key
  );
END $$;
