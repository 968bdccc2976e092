-- THE SLA policies bound to a workflow in an estate (their one definition): the latest published
-- version of each SLA policy of the estate, kept when that version names the workflow. A policy
-- whose latest version moved to another workflow is no longer bound to the old one. Answers
-- [[version id, key, version], ...] by key, or null when none is bound (most workflows).
CREATE OR REPLACE FUNCTION ef_bound_sla(p_tenant uuid, p_estate uuid, p_workflow text) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    SELECT json_agg(json_build_array(d.id, d.key, d.version) ORDER BY d.key) FROM (
      SELECT DISTINCT ON (d.key) d.id, d.key, d.version, d.document->>'workflow' AS workflow FROM definition_versions d
      WHERE d.tenant_id = p_tenant AND d.estate_id = p_estate AND d.kind = 'sla'
      ORDER BY d.key, d.version DESC) d
    WHERE d.workflow = p_workflow);
END $$;
