-- Keeps instance_search_pairs: a request's two-character CJK pairs (ef_bigrams of its search_text),
-- which the search box's two-character searches (客厅, 张三) find on instance_search_pairs_idx.
-- Called by the triggers on instances (migration search_pairs): after an insert, and after an update
-- whose search_text differs (the trigger's WHEN says so before calling this). An event, timer or
-- re-arm rewrites the row with the same text and touches nothing here, so only a change of the text
-- pays for its pairs (an index on ef_bigrams(search_text) worked them out on every write, #21). A
-- trigger, so every writer of instance rows (ef_commit_plan, the reference store, erasure, the bench
-- seed) keeps them alike. Triggers depend on this function: gen:sql replaces it in place, never drops it.
CREATE OR REPLACE FUNCTION ef_set_search_pairs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO instance_search_pairs (tenant_id, instance_id, pairs)
  VALUES (NEW.tenant_id, NEW.id, coalesce(ef_bigrams(NEW.search_text), '{}'))
  ON CONFLICT (tenant_id, instance_id) DO UPDATE SET pairs = excluded.pairs;
  RETURN NULL;
END
$$;
