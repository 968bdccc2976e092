-- Writes one WritePlan (apps/api/src/store/write-plan.ts says what each field means). First the
-- instance, which decides whether anything is written:
--   snapshot.write = 'create' (a start): under the estate's SLA context lock (ef_sla_context_lock),
--     when the context still holds, the row is inserted at version 1;
--   'next' (an event): when the context still holds, the row moves from expectedVersion to
--     expectedVersion + 1, only if it is still at expectedVersion;
--   'hold' (a re-arm or re-timing: no event, the version stays): the row is locked FOR NO KEY
--     UPDATE SKIP LOCKED at expectedVersion (a re-arm never waits on an event's write nor
--     deadlocks with a group commit), the context checked, and the snapshot replaced if one is given.
-- A plan with a `claim` (the inbox's change of who works one open task; never with a snapshot)
-- decides instead: the task's assignee, role and claimed_at are set only while it is open and,
-- with unlessHeld, unassigned or already the claimant's.
-- When the instance part does not hold, nothing is written and the answer is 'moved' (with
-- p_strict, an error instead: the worker's plans run in a subtransaction per instance). Then every
-- other part, each only when present: history row, engine timers cancelled / armed / moved, tasks
-- closed as done / closed as cancelled (the plan says which: the engine's taskDoneBy) / opened /
-- reassigned / moved, the SLA timers made to match `slaTimers.wanted` (future
-- armed ones not wanted are cancelled, wanted ones not armed inserted, keys by ef_sla_timer_key;
-- checked against the rows as they are now, so a concurrent worker's SLA firing is seen), outbox
-- rows and charges, uploads claimed, audit lines, the idempotency record of the request (a key
-- stored meanwhile by the same request raises EF409: the caller replays the stored answer), and
-- the worker's claimed timers marked fired or cancelled. Answers 'ok' or 'moved'.
-- Rows of the instance are found through its own indexes: a status is compared as (status || '')
-- so that the partial indexes on armed timers by due time (the worker's) and on open tasks by
-- role (the inbox's) cannot be chosen. PL/pgSQL keeps each statement's plan for the connection,
-- and a generic plan made while the tables were small (a fresh database, its first starts) chose
-- the due-time index and went on scanning every armed timer as they grew (measured: a re-arm
-- batch of 100 took 2-5 s at 3,000 instances instead of 0.2 s).
CREATE OR REPLACE FUNCTION ef_commit_plan(p jsonb, p_strict boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  t uuid := (p->>'tenantId')::uuid;
  i uuid := (p->>'instanceId')::uuid;
  e uuid := (p->>'estateId')::uuid;
  at timestamptz := (p->>'at')::timestamptz;
  s jsonb := p->'snapshot';
  w jsonb := p->'slaTimers';
  a jsonb;
  held boolean := true;
BEGIN
  IF p ? 'claim' THEN
    IF s IS NOT NULL THEN
      RAISE EXCEPTION 'a plan with a claim changes no snapshot';
    END IF;
    UPDATE tasks k SET assignee_id = c."assigneeId", role = c.role, claimed_at = CASE WHEN c."assigneeId" IS NULL THEN NULL ELSE at END
    FROM jsonb_to_record(p->'claim') c("taskId" uuid, "assigneeId" uuid, role text, "unlessHeld" boolean)
    WHERE k.tenant_id = t AND k.id = c."taskId" AND k.instance_id = i AND (k.status || '') = 'open'
      AND (NOT c."unlessHeld" OR c."assigneeId" IS NULL OR k.assignee_id IS NULL OR k.assignee_id = c."assigneeId");
    held := FOUND;
  ELSIF s IS NOT NULL THEN
    IF s->>'write' = 'create' THEN
      PERFORM pg_advisory_xact_lock_shared(ef_sla_context_lock(t, e));
      held := NOT p ? 'context' OR ef_context_holds(t, e, p->'context');
      IF held THEN
        INSERT INTO instances (tenant_id, id, estate_id, unit_id, workflow_key, definition_version_id, workflow_version, serial, state, snapshot,
          status, grade, search_text, version, started_at, started_by, requested_for, updated_at, ended_at)
        SELECT t, i, e, c."unitId", c."workflowKey", c."definitionVersionId", c."workflowVersion", c.serial, s->'document'->'value', s->'document',
          s->>'status', s->>'grade', s->>'searchText', 1, at, c."startedBy", c."requestedFor", at, (s->>'endedAt')::timestamptz
        FROM jsonb_to_record(s->'created') c("unitId" uuid, "workflowKey" text, "definitionVersionId" uuid, "workflowVersion" int, serial text, "startedBy" uuid, "requestedFor" uuid);
      END IF;
    ELSIF s->>'write' = 'next' THEN
      held := NOT p ? 'context' OR ef_context_holds(t, e, p->'context');
      IF held THEN
        UPDATE instances SET snapshot = s->'document', state = s->'document'->'value', version = (s->>'expectedVersion')::int + 1,
          status = s->>'status', grade = s->>'grade', search_text = s->>'searchText', updated_at = at, ended_at = (s->>'endedAt')::timestamptz
        WHERE tenant_id = t AND id = i AND version = (s->>'expectedVersion')::int;
        held := FOUND;
      END IF;
    ELSIF s->>'write' = 'hold' THEN
      PERFORM 1 FROM instances WHERE tenant_id = t AND id = i AND version = (s->>'expectedVersion')::int FOR NO KEY UPDATE SKIP LOCKED;
      held := FOUND AND (NOT p ? 'context' OR ef_context_holds(t, e, p->'context'));
      IF held AND s ? 'document' THEN
        UPDATE instances SET snapshot = s->'document' WHERE tenant_id = t AND id = i;
      END IF;
    ELSE
      RAISE EXCEPTION 'unknown snapshot write "%"', s->>'write';
    END IF;
  END IF;
  IF NOT held THEN
    IF p_strict THEN
      RAISE EXCEPTION 'instance % moved past version % or its context changed', i, s->>'expectedVersion' USING ERRCODE = '40001';
    END IF;
    RETURN 'moved';
  END IF;

  IF p ? 'history' THEN
    INSERT INTO events (tenant_id, instance_id, seq, type, data, actor_id, actor_role, at, idempotency_key, state_after)
    SELECT t, i, x.seq, x.type, coalesce(x.data, '{}'::jsonb), x."actorId", x."actorRole", at, x."idempotencyKey", x."stateAfter"
    FROM jsonb_to_record(p->'history') x(seq int, type text, data jsonb, "actorId" uuid, "actorRole" text, "idempotencyKey" text, "stateAfter" jsonb);
  END IF;

  IF p->'timers' ? 'cancel' THEN
    UPDATE timers SET status = 'cancelled'
    WHERE tenant_id = t AND instance_id = i AND (status || '') = 'armed' AND key IN (SELECT jsonb_array_elements_text(p->'timers'->'cancel'));
  END IF;
  IF p->'timers' ? 'arm' THEN
    INSERT INTO timers (tenant_id, id, instance_id, key, event, data, due_at, status)
    SELECT t, x.id, i, x.key, x.event, coalesce(x.data, '{}'::jsonb), x."dueAt", 'armed'
    FROM jsonb_to_recordset(p->'timers'->'arm') x(id uuid, key text, event text, data jsonb, "dueAt" timestamptz);
  END IF;
  IF p->'timers' ? 'move' THEN
    UPDATE timers tm SET due_at = x."dueAt"
    FROM jsonb_to_recordset(p->'timers'->'move') x(key text, "dueAt" timestamptz)
    WHERE tm.tenant_id = t AND tm.instance_id = i AND (tm.status || '') = 'armed' AND tm.key = x.key;
  END IF;

  IF p->'tasks' ? 'close' THEN
    UPDATE tasks SET status = 'done', closed_at = at
    WHERE tenant_id = t AND instance_id = i AND (status || '') = 'open' AND key IN (SELECT jsonb_array_elements_text(p->'tasks'->'close'));
  END IF;
  IF p->'tasks' ? 'cancel' THEN
    UPDATE tasks SET status = 'cancelled', closed_at = at
    WHERE tenant_id = t AND instance_id = i AND (status || '') = 'open' AND key IN (SELECT jsonb_array_elements_text(p->'tasks'->'cancel'));
  END IF;
  IF p->'tasks' ? 'open' THEN
    INSERT INTO tasks (tenant_id, id, estate_id, instance_id, key, title, role, assignee_id, form, events, due_at, created_at)
    SELECT t, x.id, e, i, x.key, x.title, x.role, x."assigneeId", x.form, coalesce(x.events, '[]'::jsonb), x."dueAt", at
    FROM jsonb_to_recordset(p->'tasks'->'open') x(id uuid, key text, title jsonb, role text, "assigneeId" uuid, form text, events jsonb, "dueAt" timestamptz);
  END IF;
  IF p->'tasks' ? 'reassign' THEN
    -- in order: a later reassignment of the same task wins
    FOR a IN SELECT value FROM jsonb_array_elements(p->'tasks'->'reassign') LOOP
      UPDATE tasks SET role = a->>'role', assignee_id = (a->>'assigneeId')::uuid
      WHERE tenant_id = t AND instance_id = i AND key = a->>'key' AND (status || '') = 'open';
    END LOOP;
  END IF;
  IF p->'tasks' ? 'move' THEN
    UPDATE tasks k SET due_at = x."dueAt"
    FROM jsonb_to_recordset(p->'tasks'->'move') x(key text, "dueAt" timestamptz)
    WHERE k.tenant_id = t AND k.instance_id = i AND (k.status || '') = 'open' AND k.key = x.key;
  END IF;

  IF w IS NOT NULL THEN
    UPDATE timers tm SET status = 'cancelled'
    WHERE tm.tenant_id = t AND tm.instance_id = i AND (tm.status || '') = 'armed' AND ef_is_sla_timer(tm.key)
      AND tm.due_at > (w->>'now')::timestamptz AND tm.id IS DISTINCT FROM (w->>'except')::uuid
      AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset(w->'wanted') x(policy text, metric text, kind text, step int, "dueAt" timestamptz)
                      WHERE ef_sla_timer_key(x.policy, x.metric, x.kind, x.step) = tm.key AND x."dueAt" = tm.due_at);
    INSERT INTO timers (tenant_id, id, instance_id, key, event, data, due_at, status)
    SELECT t, x.id, i, ef_sla_timer_key(x.policy, x.metric, x.kind, x.step), x.event, x.data, x."dueAt", 'armed'
    FROM jsonb_to_recordset(w->'wanted') x(id uuid, policy text, metric text, kind text, step int, event text, data jsonb, "dueAt" timestamptz)
    WHERE NOT EXISTS (SELECT 1 FROM timers tm WHERE tm.tenant_id = t AND tm.instance_id = i AND (tm.status || '') = 'armed'
      AND tm.key = ef_sla_timer_key(x.policy, x.metric, x.kind, x.step) AND tm.due_at = x."dueAt"
      AND tm.due_at > (w->>'now')::timestamptz AND tm.id IS DISTINCT FROM (w->>'except')::uuid);
  END IF;

  IF p ? 'outbox' THEN
    INSERT INTO outbox (tenant_id, id, estate_id, instance_id, kind, payload, created_at)
    SELECT t, x.id, e, i, x.kind, x.payload, at FROM jsonb_to_recordset(p->'outbox') x(id uuid, kind text, payload jsonb);
  END IF;
  IF p ? 'charges' THEN
    INSERT INTO outbox (tenant_id, id, estate_id, instance_id, kind, payload, created_at)
    SELECT t, x.id, e, i, 'charge', x.payload, at FROM jsonb_to_recordset(p->'charges') x(id uuid, payload jsonb);
  END IF;
  IF p ? 'attachments' THEN
    UPDATE attachments SET claimed_at = at
    WHERE tenant_id = t AND claimed_at IS NULL AND id IN (SELECT x::uuid FROM jsonb_array_elements_text(p->'attachments') x);
  END IF;
  IF p ? 'audit' THEN
    INSERT INTO audit_log (tenant_id, id, estate_id, actor_id, actor_role, action, target, outcome, detail, at)
    SELECT t, x.id, e, x."actorId", x."actorRole", x.action, x.target, x.outcome, coalesce(x.detail, '{}'::jsonb), at
    FROM jsonb_to_recordset(p->'audit') x(id uuid, "actorId" uuid, "actorRole" text, action text, target text, outcome text, detail jsonb);
  END IF;
  IF p ? 'idempotency' THEN
    INSERT INTO idempotency_keys (tenant_id, user_id, key, method, path, request_hash, status_code, response, created_at)
    SELECT t, x."userId", x.key, x.method, x.path, x."requestHash", x."statusCode", x.response, at
    FROM jsonb_to_record(p->'idempotency') x("userId" uuid, key text, method text, path text, "requestHash" text, "statusCode" int, response jsonb)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'Idempotency-Key "%" was stored meanwhile', p->'idempotency'->>'key' USING ERRCODE = 'EF409';
    END IF;
  END IF;
  IF p ? 'firedTimers' THEN
    UPDATE timers tm SET status = x.status, fired_at = at, fired_by = p->'firedTimers'->>'by'
    FROM jsonb_to_recordset(p->'firedTimers'->'timers') x(id uuid, status text)
    WHERE tm.tenant_id = t AND tm.id = x.id;
  END IF;
  RETURN 'ok';
END $$;
