-- The event path's and the timer worker's statements as functions (issue #9): one round trip
-- reads an instance with what its event needs, one applies every write of one or many events.
-- PL/pgSQL caches each inner statement's plan per connection, so nothing is parsed or planned per call.

-- epoch milliseconds of a timestamptz (what JavaScript's Date takes)
CREATE OR REPLACE FUNCTION ef_ms(t timestamptz) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$ SELECT (extract(epoch FROM t) * 1000)::float8 $$;
--> statement-breakpoint
-- For each [tenant_id, id] of p_keys: the instance row; `cal`, a fingerprint of the estate's
-- calendars (key@xmin, so the process can keep them compiled until one changes); `sla`, the latest
-- version of each SLA policy of the estate bound to the workflow ([id, key, version], null if none);
-- `armed`, the instance's armed SLA timers ([id, key, due ms]); `history`, the instance's events
-- ([at ms, type, data, state_after] by seq), only when a policy is bound (SLA clocks need it).
CREATE OR REPLACE FUNCTION ef_instance_context(p_keys jsonb) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    SELECT coalesce(jsonb_agg(jsonb_build_object(
      'row', to_jsonb(i),
      'cal', (SELECT coalesce(string_agg(c.key || '@' || c.xmin::text, ',' ORDER BY c.key), '') FROM calendars c WHERE c.tenant_id = i.tenant_id AND c.estate_id = i.estate_id),
      'sla', b.bound,
      'armed', (SELECT coalesce(jsonb_agg(jsonb_build_array(tm.id, tm.key, ef_ms(tm.due_at))), '[]') FROM timers tm
                WHERE tm.tenant_id = i.tenant_id AND tm.instance_id = i.id AND tm.status = 'armed' AND tm.key LIKE 'sla:%'),
      'history', CASE WHEN b.bound IS NOT NULL THEN (
        SELECT jsonb_agg(jsonb_build_array(ef_ms(e.at), e.type, e.data, e.state_after) ORDER BY e.seq) FROM events e
        WHERE e.tenant_id = i.tenant_id AND e.instance_id = i.id) END
    ) ORDER BY k.n), '[]'::jsonb)
    FROM jsonb_array_elements(p_keys) WITH ORDINALITY k(v, n)
    JOIN instances i ON i.tenant_id = (k.v->>0)::uuid AND i.id = (k.v->>1)::uuid
    LEFT JOIN LATERAL (
      SELECT jsonb_agg(jsonb_build_array(d.id, d.key, d.version)) AS bound FROM (
        SELECT DISTINCT ON (d.key) d.id, d.key, d.version FROM definition_versions d
        WHERE d.tenant_id = i.tenant_id AND d.estate_id = i.estate_id AND d.kind = 'sla' AND d.document->>'workflow' = i.workflow_key
        ORDER BY d.key, d.version DESC) d
    ) b ON true
  );
END $$;
--> statement-breakpoint
-- Claims a batch of due timers: the instances of the oldest due timers FOR UPDATE SKIP LOCKED,
-- then their due armed timers SKIP LOCKED (so concurrent claimers get disjoint instances and never
-- wait), plus due timers whose instance is gone (orphans). Answers the timers in due order and the
-- claimed instances' contexts (as ef_instance_context).
CREATE OR REPLACE FUNCTION ef_claim_timers(p_now timestamptz, p_limit int) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  claimed jsonb;
  keys jsonb;
BEGIN
  WITH cand AS (
    SELECT tenant_id, instance_id, due_at FROM timers
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
    JOIN (SELECT DISTINCT tenant_id, instance_id FROM cand) c ON c.tenant_id = t.tenant_id AND c.instance_id = t.instance_id
    WHERE t.status = 'armed' AND t.due_at <= p_now
      AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.tenant_id = t.tenant_id AND i.id = t.instance_id)
    FOR UPDATE OF t SKIP LOCKED
  )
  SELECT coalesce(jsonb_agg(jsonb_build_array(u.tenant_id, u.id, u.instance_id, u.key, u.event, u.data, ef_ms(u.due_at), u.orphan) ORDER BY u.due_at), '[]'::jsonb)
  INTO claimed
  FROM (SELECT * FROM live UNION ALL SELECT * FROM orphans) u;
  SELECT coalesce(jsonb_agg(DISTINCT jsonb_build_array(x->>0, x->>2)), '[]'::jsonb) INTO keys
  FROM jsonb_array_elements(claimed) x WHERE NOT (x->>7)::boolean;
  RETURN jsonb_build_object('timers', claimed, 'instances', ef_instance_context(keys));
END $$;
--> statement-breakpoint
-- The writes of one instance's events, in order (see ef_apply). Each step may carry:
--   u  the instance update {v: version read, snapshot, state, status, grade, search, at, ended}; the
--      row must still be at version v (it becomes v + 1), else: false when it is the first step and
--      p_strict is off (nothing was written), an error otherwise
--   ev the history row; tc timer keys to cancel; ta timers to insert; kc task keys to close;
--   ko tasks to open; ka task (re)assignments, in order; ob outbox rows; au audit rows;
--   sla {now, except, wanted}: the instance's SLA timers made to match `wanted` (future armed
--      ones not wanted are cancelled, wanted ones not armed are inserted), against the rows as they
--      are now, so a concurrent worker's SLA firing is seen
-- then the group's claimed timers get their status (worker).
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
--> statement-breakpoint
-- Applies the writes of many instances' events in one statement: p is an array of groups
-- {t: tenant, i: instance, e: estate, steps: [...], timers?: [{id, status}], at?, by?} (see
-- ef_apply_group). Without p_isolate (the event path, one statement in autocommit) a group whose
-- instance moved past the version read writes nothing and is listed in `conflicts`; with it (the
-- worker, inside its batch transaction) each group runs in its own subtransaction and a group that
-- fails is undone alone and listed in `failed` as [index, sqlstate, message].
CREATE OR REPLACE FUNCTION ef_apply(p jsonb, p_isolate boolean) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  g jsonb;
  n int := 0;
  conflicts jsonb := '[]'::jsonb;
  failed jsonb := '[]'::jsonb;
BEGIN
  FOR g IN SELECT value FROM jsonb_array_elements(p) LOOP
    IF p_isolate THEN
      BEGIN
        PERFORM ef_apply_group(g, true);
      EXCEPTION WHEN OTHERS THEN
        failed := failed || jsonb_build_array(jsonb_build_array(n, SQLSTATE, SQLERRM));
      END;
    ELSIF NOT ef_apply_group(g, false) THEN
      conflicts := conflicts || to_jsonb(n);
    END IF;
    n := n + 1;
  END LOOP;
  RETURN jsonb_build_object('conflicts', conflicts, 'failed', failed);
END $$;
