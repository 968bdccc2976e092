-- The two-character CJK pairs of a request's search text, for the search box's two-character
-- searches (#21: 客厅, 漏水, 张三). pg_trgm finds no trigram in '%客厅%', so such a search read
-- every row of the company's trigram index (6.9 s at a million requests); instances_search_bigram_idx
-- indexes these pairs instead (stored in instances.search_bigrams), and `search_bigrams @> '{客厅}'` finds the rows holding one.
-- Only pairs of two characters outside ASCII and whitespace: Latin text and digits are searched by
-- trigrams (three or more characters) and serials by their own index, so the index stays small.
-- instances.search_bigrams holds these pairs, kept by a trigger (ef_search_bigrams.sql): a new body
-- here must recompute that column in its migration (`UPDATE instances SET search_bigrams = ef_bigrams(search_text)`).
CREATE OR REPLACE FUNCTION ef_bigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}')
  FROM (SELECT substr(t, i, 2) AS g FROM generate_series(1, char_length(t) - 1) AS i) AS pairs
  WHERE g ~ '^[^\x01-\x7F[:space:]]{2}$'
$$;
