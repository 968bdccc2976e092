-- ef_sla_rearm of migration 0008, extended: a calendar publish also re-times the timers the engine
-- armed from a named working-time delay and the due times of open tasks (`retimeTimers` in
-- @estateflow/engine). A group may now carry, besides or instead of `sla`, `snap` (the snapshot
-- with the new due times), `et` and `kt` ([{key, due}]: the armed engine timers and the open tasks
-- to move). Like the SLA part, it is written only while the
-- instance row is held at the version read and its context (calendars, bound SLA policies) is the
-- one the due times were computed from; the version stays (not an event: a client's
-- expectedVersion holds) and no history row is written.
CREATE OR REPLACE FUNCTION ef_sla_rearm(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  g jsonb;
  n int := 0;
  t uuid;
  i uuid;
  cur int;
  moved jsonb := '[]'::jsonb;
  busy jsonb := '[]'::jsonb;
  gone jsonb := '[]'::jsonb;
BEGIN
  FOR g IN SELECT value FROM jsonb_array_elements(p) LOOP
    t := (g->>'t')::uuid;
    i := (g->>'i')::uuid;
    PERFORM 1 FROM instances WHERE tenant_id = t AND id = i AND version = (g->>'v')::int FOR NO KEY UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
      SELECT version INTO cur FROM instances WHERE tenant_id = t AND id = i;
      IF NOT FOUND THEN gone := gone || to_jsonb(n);
      ELSIF cur <> (g->>'v')::int THEN moved := moved || to_jsonb(n);
      ELSE busy := busy || to_jsonb(n);
      END IF;
    ELSIF NOT ef_context_holds(t, (g->>'e')::uuid, g->'fp') THEN
      moved := moved || to_jsonb(n);
    ELSE
      IF g ? 'sla' THEN
        PERFORM ef_apply_group(jsonb_build_object('t', g->'t', 'i', g->'i', 'e', g->'e',
          'steps', jsonb_build_array(jsonb_build_object('at', g->'sla'->'now', 'sla', g->'sla'))), true);
      END IF;
      IF g ? 'snap' THEN
        UPDATE instances SET snapshot = g->'snap' WHERE tenant_id = t AND id = i AND version = (g->>'v')::int;
        UPDATE timers tm SET due_at = x.due
        FROM jsonb_to_recordset(coalesce(g->'et', '[]'::jsonb)) x(key text, due timestamptz)
        WHERE tm.tenant_id = t AND tm.instance_id = i AND tm.status = 'armed' AND tm.key = x.key;
        UPDATE tasks k SET due_at = x.due
        FROM jsonb_to_recordset(coalesce(g->'kt', '[]'::jsonb)) x(key text, due timestamptz)
        WHERE k.tenant_id = t AND k.instance_id = i AND k.status = 'open' AND k.key = x.key;
      END IF;
    END IF;
    n := n + 1;
  END LOOP;
  RETURN jsonb_build_object('moved', moved, 'busy', busy, 'gone', gone);
END $$;
