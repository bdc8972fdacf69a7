-- +goose Up
-- The GIN index of push_results' mutation ids without a pending list
-- (issue 17, docs/benchmarks.md "Issue 17, branch pg17b"). With fastupdate
-- every push appended its ids to the pending list, every group's lookup
-- scanned that list beside the tree, and every 64 kB one unlucky insert
-- merged the list into the tree inside its group's transaction: the same
-- tree insertions as without the list, plus writing and reading the list.
-- Measured on a load tool's database (7 pushes of 40 ids, a lookup of 280
-- ids): 296 WAL records and 46 kB per insert without the list against
-- 405 and 74 kB on average with it (one insert in six merged: 2 300
-- records and 7 000 buffers inside one group's transaction). The ids are
-- UUIDv7, so the tree grows at its right edge. The pending list also
-- counts in the planner's cost of the index: on a young table that
-- nothing had analyzed, the lookup's cached plan stayed a sequential scan.
-- Turning fastupdate off does not merge what is already pending (only
-- VACUUM would, and autovacuum may be off), so the migration merges it.
ALTER INDEX push_results_mutation_ids SET (fastupdate = off);
SELECT gin_clean_pending_list('push_results_mutation_ids'::regclass);
