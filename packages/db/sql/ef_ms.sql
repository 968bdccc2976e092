-- Epoch milliseconds of a timestamptz: what JavaScript's Date takes, so reads hand instants over
-- as numbers rather than text to parse.
CREATE OR REPLACE FUNCTION ef_ms(t timestamptz) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$ SELECT (extract(epoch FROM t) * 1000)::float8 $$;
