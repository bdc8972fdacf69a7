-- +goose Up
-- The columns of PostgreSQL's stored-results ranges (see the PostgreSQL
-- migration of this number), so that both dialects have the same columns.
-- SQLite keeps finding ids through push_result_ids, its own table with a
-- primary key: no push is ranged here, and the columns stay at their
-- defaults.
ALTER TABLE push_results ADD COLUMN ranged INTEGER NOT NULL DEFAULT 0;
ALTER TABLE push_results ADD COLUMN first_id TEXT;
ALTER TABLE push_results ADD COLUMN last_id TEXT;
