-- +goose Up
-- Dedup looks up stored bytes by digest, and only stored ones (see the
-- PostgreSQL migration of this number): declared, pending rows need no
-- entry. SQLite uses a partial index when the query's WHERE says the
-- same status = 'stored', as every query of media by sha256 does.
CREATE INDEX media_stored_sha256 ON media (org_id, sha256) WHERE status = 'stored';
DROP INDEX media_sha256;
