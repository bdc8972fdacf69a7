-- +goose Up
-- Dedup looks up stored bytes by digest, and only stored ones: every query
-- of media by sha256 says status = 'stored' (store.MediaOfInspections,
-- MediaOrStoredTwin, StoredWithBytes). media_sha256 indexed every row,
-- and a phone declares its photos and signatures pending, with their push:
-- 8 entries per 30-answer inspection in the one index whose keys are
-- random (a digest), each on a page of its own that the insert dirties and
-- the next checkpoint writes again whole. Indexing stored rows only, a
-- declaration adds nothing here; a row enters when its bytes are stored
-- (an update that changes status, indexed elsewhere, so never a HOT one).
-- Measured on a load tool's database (56 media rows, a group's worth):
-- 170 WAL records and 27 kB against 226 and 39 kB, 367 buffers against
-- 537, and 2 pages dirtied against 55 (docs/benchmarks.md, "Issue 17,
-- branch pg17b").
CREATE INDEX media_stored_sha256 ON media (org_id, sha256) WHERE status = 'stored';
DROP INDEX media_sha256;
