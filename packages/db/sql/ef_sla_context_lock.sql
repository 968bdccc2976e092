-- The advisory lock on which an estate's starts and the re-arm of its SLA timers meet. A start's
-- commit holds it shared for its transaction, before it checks the SLA policies and calendars it
-- was planned with (starts never wait on each other); a re-arm job's first batch takes it
-- exclusively before it lists the running instances. A start that checked the policies before a
-- publish committed has therefore committed before the job lists instances, and is re-armed with
-- the rest; one whose commit comes after the publish finds its context changed and is planned again.
CREATE OR REPLACE FUNCTION ef_sla_context_lock(p_tenant uuid, p_estate uuid) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT hashtext('sla-context:' || p_tenant || '/' || p_estate) $$;
