-- +goose Up
-- Less PostgreSQL work per pushed inspection (issue 17, docs/benchmarks.md).
--
-- A group of pushes looks its mutation ids up through the GIN index of
-- push_results, and every lookup reads the whole pending list of ids not
-- yet merged into the index: at 256 kB that scan was a tenth of
-- PostgreSQL's CPU under load (perf: gingetbitmap, ginCompareEntries).
-- 64 kB (the least PostgreSQL allows) makes each lookup scan a quarter of
-- it; the merges come four times as often and move the same ids in all.
ALTER INDEX push_results_mutation_ids SET (gin_pending_list_limit = 64);

-- A submitted inspection writes three values over the 2 kB TOAST
-- threshold: its change-log entry (4–5 kB), its answers and its
-- evaluation. pglz compressing them was 3 % of PostgreSQL's CPU; lz4 does
-- the same in a fraction of it, for slightly larger values. Only values
-- written from now on change; old ones stay readable as they are. Where
-- the server was built without lz4, nothing changes.
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE changes ALTER COLUMN data SET COMPRESSION lz4;
        ALTER TABLE inspections ALTER COLUMN answers SET COMPRESSION lz4;
        ALTER TABLE inspections ALTER COLUMN evaluation SET COMPRESSION lz4;
    END IF;
END;
$$;
-- +goose StatementEnd
