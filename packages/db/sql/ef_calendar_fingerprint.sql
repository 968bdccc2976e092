-- THE calendar fingerprint of an estate (its one definition): every calendar's key and the row
-- version it is at (key@xmin, by key). A process keeps an estate's calendars compiled while the
-- fingerprint it read is unchanged; a write stepped with them holds only while it is unchanged
-- (ef_context_holds). Any publish of a calendar (a new row version) changes it.
CREATE OR REPLACE FUNCTION ef_calendar_fingerprint(p_tenant uuid, p_estate uuid) RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
  -- PL/pgSQL keeps the statement's plan per connection (a LANGUAGE sql function with a FROM is
  -- planned again at every call)
  RETURN (SELECT coalesce(string_agg(c.key || '@' || c.xmin::text, ',' ORDER BY c.key), '')
          FROM calendars c WHERE c.tenant_id = p_tenant AND c.estate_id = p_estate);
END $$;
