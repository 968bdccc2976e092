-- THE SLA policies bound to a workflow in an estate (their one definition; both halves live in this
-- file): the latest published version of each SLA policy of the estate, kept when that version names
-- the workflow. A policy whose latest version moved to another workflow is no longer bound to the
-- old one.
-- ef_latest_sla: the latest version of each SLA policy of the estate, by key; only those naming
-- p_workflow (the bound ones), or every one when p_workflow is null (the monthly statistics' on-time
-- table names every metric of the estate). LANGUAGE sql with one SELECT, so a query that reads it in
-- FROM (ef_bound_sla, the definitions' words batch) has it inlined and planned with its own statement.
CREATE OR REPLACE FUNCTION ef_latest_sla(p_tenant uuid, p_estate uuid, p_workflow text) RETURNS TABLE (id uuid, key text, version int) LANGUAGE sql STABLE AS $$
  SELECT l.id, l.key, l.version FROM (
    SELECT DISTINCT ON (d.key) d.id, d.key, d.version, d.document->>'workflow' AS workflow FROM definition_versions d
    WHERE d.tenant_id = p_tenant AND d.estate_id = p_estate AND d.kind = 'sla'
    ORDER BY d.key, d.version DESC) l
  WHERE p_workflow IS NULL OR l.workflow = p_workflow
$$;
--> statement-breakpoint
-- ef_bound_sla: the policies bound to the workflow as [[version id, key, version], ...] by key, or
-- null when none is bound (most workflows). Read by ef_instance_context and ef_context_holds.
CREATE OR REPLACE FUNCTION ef_bound_sla(p_tenant uuid, p_estate uuid, p_workflow text) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF p_workflow IS NULL THEN RETURN NULL; END IF;
  RETURN (SELECT json_agg(json_build_array(l.id, l.key, l.version) ORDER BY l.key) FROM ef_latest_sla(p_tenant, p_estate, p_workflow) l);
END $$;
