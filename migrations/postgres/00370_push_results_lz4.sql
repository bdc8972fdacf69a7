-- +goose Up
-- A push's stored results are one push_results row (migration 00150),
-- which stays inline and uncompressed up to toast_tuple_target = 8160
-- bytes, the most PostgreSQL allows. A row costs about 230 bytes per
-- mutation (its result, 32 bytes of body hash, its id, type and client
-- time), so a 30-answer inspection pushed whole (36 to 40 mutations: its
-- start, 30 answers, its signatures declared, its submit) is 8.3 to
-- 9.3 kB and crosses it: PostgreSQL then compresses the widest values with the
-- default pglz, which more than doubled the backend's CPU for the insert
-- (docs/benchmarks.md, "Issue 17, branch ingest17b": 0.10 ms a row with
-- pglz, 0.04 with lz4). lz4 compresses the same values about as small in
-- a fraction of the time, and the row, about 3.9 kB then, stays inline. Smaller
-- pushes are not compressed at all, as before. Only rows written from now
-- on change; old ones stay readable as they are. Where the server was
-- built without lz4, nothing changes.
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE push_results
            ALTER COLUMN results SET COMPRESSION lz4,
            ALTER COLUMN client_times SET COMPRESSION lz4,
            ALTER COLUMN types SET COMPRESSION lz4,
            ALTER COLUMN body_hashes SET COMPRESSION lz4;
    END IF;
END;
$$;
-- +goose StatementEnd
