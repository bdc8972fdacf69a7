-- +goose Up
-- The statistics job (store.RefreshStatistics) analyzes push_results each
-- time the young table doubles, so that cached plans stop being made for
-- an empty table. The one thing those plans need is the table's size
-- (reltuples and relpages), which ANALYZE estimates from the blocks it
-- samples whatever the columns' targets. The per-column statistics were
-- the cost: 30 000 sampled rows of 5 kB each, the element statistics of
-- 33 uuids per row, and the wide results, all for columns the one query
-- (org_id = ? AND mutation_ids && ?, a GIN lookup whose generic plan
-- cannot use element statistics anyway) does not need. Measured on 5 000
-- rows: 900 ms of a core per ANALYZE before, 25-50 ms after, and in paced
-- runs the slowest seconds were the ones that ANALYZE ran in
-- (docs/benchmarks.md, branch tail17). With every target at 0 ANALYZE
-- samples 100 blocks, still sets the size, and the plan stays the bitmap
-- scan of push_results_mutation_ids.
ALTER TABLE push_results
    ALTER COLUMN id SET STATISTICS 0,
    ALTER COLUMN org_id SET STATISTICS 0,
    ALTER COLUMN device_id SET STATISTICS 0,
    ALTER COLUMN user_id SET STATISTICS 0,
    ALTER COLUMN received_at SET STATISTICS 0,
    ALTER COLUMN mutation_ids SET STATISTICS 0,
    ALTER COLUMN types SET STATISTICS 0,
    ALTER COLUMN client_times SET STATISTICS 0,
    ALTER COLUMN body_hashes SET STATISTICS 0,
    ALTER COLUMN results SET STATISTICS 0;
