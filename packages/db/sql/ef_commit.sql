-- Commits many WritePlans in one statement (the fast EventStore: group commit, the worker's batch):
-- answers one entry per plan, in order: "ok", "moved", or [sqlstate, message] for a plan whose
-- writes failed. Without p_isolate (the event path, one statement in autocommit) each plan that
-- does not hold is answered "moved" and writes nothing; an error fails the statement. With it (the
-- worker, inside its batch transaction) each run of consecutive plans of one instance goes in its
-- own subtransaction, strictly: a plan that fails or no longer holds undoes that instance's writes
-- alone, and each of its plans is answered with the error.
CREATE OR REPLACE FUNCTION ef_commit(p_plans jsonb, p_isolate boolean) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  answers jsonb := '[]'::jsonb;
  run jsonb := '[]'::jsonb;
  p jsonb;
  q jsonb;
  failure jsonb;
BEGIN
  IF NOT p_isolate THEN
    FOR p IN SELECT value FROM jsonb_array_elements(p_plans) LOOP
      answers := answers || to_jsonb(ef_commit_plan(p, false));
    END LOOP;
    RETURN answers;
  END IF;
  -- a null at the end closes the last run
  FOR p IN SELECT value FROM jsonb_array_elements(p_plans || 'null'::jsonb) LOOP
    IF jsonb_array_length(run) > 0 AND (p = 'null'::jsonb OR p->>'instanceId' <> run->0->>'instanceId' OR p->>'tenantId' <> run->0->>'tenantId') THEN
      failure := NULL;
      BEGIN
        FOR q IN SELECT value FROM jsonb_array_elements(run) LOOP
          PERFORM ef_commit_plan(q, true);
        END LOOP;
      EXCEPTION WHEN OTHERS THEN
        failure := jsonb_build_array(SQLSTATE, SQLERRM);
      END;
      FOR q IN SELECT value FROM jsonb_array_elements(run) LOOP
        answers := answers || CASE WHEN failure IS NULL THEN '["ok"]'::jsonb ELSE jsonb_build_array(failure) END;
      END LOOP;
      run := '[]'::jsonb;
    END IF;
    IF p <> 'null'::jsonb THEN run := run || jsonb_build_array(p); END IF;
  END LOOP;
  RETURN answers;
END $$;
