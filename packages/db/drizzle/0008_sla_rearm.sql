-- Re-arming running instances' SLA timers after an SLA policy or calendar is published (the
-- worker's `slaRearm` outbox job). A re-arm is not an event: no history row and no new version (a
-- client's expectedVersion stays valid). For each group {t, i, e, v, fp, sla} of p: the instance row
-- is held FOR NO KEY UPDATE (as an event's update would hold it) only if it is still at version v,
-- SKIP LOCKED so the job never waits on an event's write nor deadlocks with a group commit; then
-- ef_context_holds checks the calendars and bound SLA policy versions the timers were computed with
-- (fp) are still current; then the SLA timers are made to match `sla` exactly as an event's write
-- does (ef_apply_group's `sla` step). Answers the indexes of the groups not written:
-- `moved` (another version or context: read again and recompute), `busy` (another writer holds
-- the row: try later), `gone` (no such instance).
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
      PERFORM ef_apply_group(jsonb_build_object('t', g->'t', 'i', g->'i', 'e', g->'e',
        'steps', jsonb_build_array(jsonb_build_object('at', g->'sla'->'now', 'sla', g->'sla'))), true);
    END IF;
    n := n + 1;
  END LOOP;
  RETURN jsonb_build_object('moved', moved, 'busy', busy, 'gone', gone);
END $$;
