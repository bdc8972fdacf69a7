-- +goose Up
-- Stored results found by their push's range of ids rather than by a GIN
-- entry per id (issue 17, docs/benchmarks.md "Issue 17, branch pg17c").
-- Every push added 40 entries to push_results_mutation_ids, one tree
-- insertion and WAL record each (40 of the 96 records per inspection), and
-- every group's claim searched the tree once per id: together 0.15-0.2 ms
-- of PostgreSQL's CPU per inspection, and the index, which grows at its
-- right edge and splits its pages in half, took 2.4 kB per push, more than
-- the row's own results.
--
-- A device's ids are UUIDv7 (the guard app's and the load tool's): they
-- start with the time they were made, so the ids of one device and user
-- grow, and each push's ids lie between its smallest (first_id) and its
-- largest (last_id). A push whose ids are all version 7 and none made more
-- than a day after the server received it is "ranged" (store.InsertMutations
-- decides, from the same test the lookup uses): one entry of
-- push_results_ranges for it. A group's claim looks, for each device and
-- user pushing, for their ranged pushes with last_id at or after the
-- smallest version-7 id asked and first_id at or before the largest: every
-- ranged push holding an asked id is among them, whatever the ids' order
-- (the order only decides how few others come along, which the server
-- drops). An id from a far-future clock would keep its push in every later
-- range; the day's bound sends such pushes to the GIN index instead.
--
-- Every other push (any id of another version, such as a random v4 one, a
-- far-future id, or rows stored before this migration) stays in the GIN
-- index, now partial, and the claim searches it for every asked id as
-- before, when one of the group's devices and users has such a push
-- (push_results_scattered). That index has no org_id, so that the planner
-- cannot take it for the GIN search's org_id = ?: while it was nearly
-- empty it did, which would read every such push of the organisation.
-- Searching the GIN index costs about a microsecond per id even when it
-- holds nothing, hence the gate. Adding the columns with a constant
-- default rewrites nothing; the rows already stored are not ranged and
-- keep their GIN entries, so devices that pushed before this migration
-- keep searching it.
ALTER TABLE push_results
    ADD COLUMN ranged boolean NOT NULL DEFAULT false,
    ADD COLUMN first_id uuid,
    ADD COLUMN last_id uuid,
    ADD CONSTRAINT push_results_range CHECK (NOT ranged OR (first_id IS NOT NULL AND last_id IS NOT NULL AND first_id <= last_id)),
    -- As for the other columns (migration 00350): the lookups need the
    -- table's size, not these columns' statistics.
    ALTER COLUMN ranged SET STATISTICS 0,
    ALTER COLUMN first_id SET STATISTICS 0,
    ALTER COLUMN last_id SET STATISTICS 0;

CREATE INDEX push_results_ranges ON push_results (org_id, device_id, user_id, last_id, first_id) WHERE ranged;
CREATE INDEX push_results_scattered ON push_results (device_id, user_id) WHERE NOT ranged;
DROP INDEX push_results_mutation_ids;
CREATE INDEX push_results_mutation_ids ON push_results USING gin (mutation_ids) WITH (fastupdate = off) WHERE NOT ranged;
