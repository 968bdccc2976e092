-- THE SLA timer-key scheme (its one definition; both halves live in this file):
-- sla:<policy>:<metric>:<kind>:<step>, where kind is warning | breach | escalation and step the
-- warning's percentage, the escalation's rung, or 0. The key tells an SLA timer apart from the
-- engine's own timers, and one instant of a clock from another: the write keeps an armed timer
-- whose key and due instant are both wanted (ef_commit_plan).
-- Written with text only (p_step::text): `text || int` is a STABLE operator, which kept the planner
-- from inlining this IMMUTABLE function (it was then called, and planned, once per row).
CREATE OR REPLACE FUNCTION ef_sla_timer_key(p_policy text, p_metric text, p_kind text, p_step int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'sla:' || p_policy || ':' || p_metric || ':' || p_kind || ':' || p_step::text $$;
--> statement-breakpoint
-- Whether a timer key is an SLA timer's (see ef_sla_timer_key above).
CREATE OR REPLACE FUNCTION ef_is_sla_timer(p_key text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT starts_with(p_key, 'sla:') $$;
