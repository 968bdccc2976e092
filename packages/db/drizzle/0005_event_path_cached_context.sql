-- The event path keeps instances it has read or written in process and skips the read when it
-- holds one (issue #9). The version check of ef_apply_group already catches another writer; what
-- the cached copy was stepped with besides the row is checked here, in the same statement: a step's
-- `u.fp` = {cal, wf, sla} is the estate's calendars fingerprint (key@xmin, as ef_instance_context
-- reads it) and the ids of the latest bound SLA policy versions of workflow `wf`. When either moved
-- (a calendar or SLA policy was published), the group writes nothing and counts as a conflict, so
-- the event is read afresh and stepped again.
CREATE OR REPLACE FUNCTION ef_context_holds(t uuid, e uuid, fp jsonb) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT (SELECT coalesce(string_agg(c.key || '@' || c.xmin::text, ',' ORDER BY c.key), '') FROM calendars c
          WHERE c.tenant_id = t AND c.estate_id = e) = fp->>'cal'
     AND (SELECT coalesce(array_agg(d.id::text ORDER BY d.id::text), '{}'::text[]) FROM (
            SELECT DISTINCT ON (d.key) d.id FROM definition_versions d
            WHERE d.tenant_id = t AND d.estate_id = e AND d.kind = 'sla' AND d.document->>'workflow' = fp->>'wf'
            ORDER BY d.key, d.version DESC) d)
       = (SELECT coalesce(array_agg(x ORDER BY x), '{}'::text[]) FROM jsonb_array_elements_text(fp->'sla') x)
$$;
--> statement-breakpoint
-- ef_apply_group of migration 0003, with the check above before a step's instance update.
CREATE OR REPLACE FUNCTION ef_apply_group(g jsonb, p_strict boolean) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  s jsonb;
  u jsonb;
  a jsonb;
  w jsonb;
  at timestamptz;
  t uuid := (g->>'t')::uuid;
  i uuid := (g->>'i')::uuid;
  e uuid := (g->>'e')::uuid;
  first boolean := true;
BEGIN
  FOR s IN SELECT value FROM jsonb_array_elements(coalesce(g->'steps', '[]'::jsonb)) LOOP
    at := (s->>'at')::timestamptz;
    u := s->'u';
    IF u ? 'fp' AND NOT ef_context_holds(t, e, u->'fp') THEN
      IF first AND NOT p_strict THEN RETURN false; END IF;
      RAISE EXCEPTION 'instance % was stepped against calendars or SLA policies that have changed', i USING ERRCODE = '40001';
    END IF;
    IF u IS NOT NULL THEN
      UPDATE instances SET snapshot = u->'snapshot', state = u->'state', version = (u->>'v')::int + 1, status = u->>'status',
        grade = u->>'grade', search_text = u->>'search', updated_at = at, ended_at = (u->>'ended')::timestamptz
      WHERE tenant_id = t AND id = i AND version = (u->>'v')::int;
      IF NOT FOUND THEN
        IF first AND NOT p_strict THEN RETURN false; END IF;
        RAISE EXCEPTION 'instance % is no longer at version %', i, u->>'v' USING ERRCODE = '40001';
      END IF;
    END IF;
    first := false;
    IF s ? 'ev' THEN
      INSERT INTO events (tenant_id, instance_id, seq, type, data, actor_id, actor_role, at, idempotency_key, state_after)
      SELECT t, i, x.seq, x.type, coalesce(x.data, '{}'::jsonb), x.actor, x.role, at, x.idem, x.state
      FROM jsonb_to_record(s->'ev') x(seq int, type text, data jsonb, actor uuid, role text, idem text, state jsonb);
    END IF;
    IF s ? 'tc' THEN
      UPDATE timers SET status = 'cancelled'
      WHERE tenant_id = t AND instance_id = i AND status = 'armed' AND key IN (SELECT jsonb_array_elements_text(s->'tc'));
    END IF;
    IF s ? 'ta' THEN
      INSERT INTO timers (tenant_id, id, instance_id, key, event, data, due_at, status)
      SELECT t, x.id, i, x.key, x.event, coalesce(x.data, '{}'::jsonb), x.due, 'armed'
      FROM jsonb_to_recordset(s->'ta') x(id uuid, key text, event text, data jsonb, due timestamptz);
    END IF;
    IF s ? 'kc' THEN
      UPDATE tasks SET status = 'done', closed_at = at
      WHERE tenant_id = t AND instance_id = i AND status = 'open' AND key IN (SELECT jsonb_array_elements_text(s->'kc'));
    END IF;
    IF s ? 'ko' THEN
      INSERT INTO tasks (tenant_id, id, estate_id, instance_id, key, title, role, assignee_id, form, events, due_at, created_at)
      SELECT t, x.id, e, i, x.key, x.title, x.role, x.assignee, x.form, coalesce(x.events, '[]'::jsonb), x.due, at
      FROM jsonb_to_recordset(s->'ko') x(id uuid, key text, title jsonb, role text, assignee uuid, form text, events jsonb, due timestamptz);
    END IF;
    IF s ? 'ka' THEN
      FOR a IN SELECT value FROM jsonb_array_elements(s->'ka') LOOP
        UPDATE tasks SET role = a->>'role', assignee_id = (a->>'assignee')::uuid
        WHERE tenant_id = t AND instance_id = i AND key = a->>'key' AND status = 'open';
      END LOOP;
    END IF;
    IF s ? 'ob' THEN
      INSERT INTO outbox (tenant_id, id, estate_id, instance_id, kind, payload, created_at)
      SELECT t, x.id, e, i, x.kind, x.payload, at FROM jsonb_to_recordset(s->'ob') x(id uuid, kind text, payload jsonb);
    END IF;
    IF s ? 'au' THEN
      INSERT INTO audit_log (tenant_id, id, estate_id, actor_id, actor_role, action, target, outcome, detail, at)
      SELECT t, x.id, e, x.actor, x.role, x.action, x.target, x.outcome, coalesce(x.detail, '{}'::jsonb), at
      FROM jsonb_to_recordset(s->'au') x(id uuid, actor uuid, role text, action text, target text, outcome text, detail jsonb);
    END IF;
    w := s->'sla';
    IF w IS NOT NULL THEN
      UPDATE timers tm SET status = 'cancelled'
      WHERE tm.tenant_id = t AND tm.instance_id = i AND tm.status = 'armed' AND tm.key LIKE 'sla:%'
        AND tm.due_at > (w->>'now')::timestamptz AND tm.id IS DISTINCT FROM (w->>'except')::uuid
        AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset(w->'wanted') x(key text, due timestamptz) WHERE x.key = tm.key AND x.due = tm.due_at);
      INSERT INTO timers (tenant_id, id, instance_id, key, event, data, due_at, status)
      SELECT t, x.id, i, x.key, x.event, x.data, x.due, 'armed'
      FROM jsonb_to_recordset(w->'wanted') x(id uuid, key text, event text, data jsonb, due timestamptz)
      WHERE NOT EXISTS (SELECT 1 FROM timers tm WHERE tm.tenant_id = t AND tm.instance_id = i AND tm.status = 'armed' AND tm.key = x.key
        AND tm.due_at = x.due AND tm.due_at > (w->>'now')::timestamptz AND tm.id IS DISTINCT FROM (w->>'except')::uuid);
    END IF;
  END LOOP;
  IF g ? 'timers' THEN
    UPDATE timers tm SET status = x.status, fired_at = (g->>'at')::timestamptz, fired_by = g->>'by'
    FROM jsonb_to_recordset(g->'timers') x(id uuid, status text)
    WHERE tm.tenant_id = t AND tm.id = x.id;
  END IF;
  RETURN true;
END $$;
