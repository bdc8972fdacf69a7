-- +goose Up
-- The digest index serves one question only: which stored media of the
-- organisation hold these bytes (the twins a declaration reuses, the
-- merge of stored twins). Every statement that reads it asks for
-- status = 'stored', yet it held every row, status in its key, so each
-- declared medium, pending until its bytes arrive, paid an insert into
-- it: the one random-order index of media (a digest), whose pages a
-- checkpoint makes dirty again, and one index entry of WAL per medium
-- (issue 17: a 30-answer inspection declares eight). Holding only stored
-- rows, keyed by digest, a declaration writes the entry when its bytes
-- are stored (an update that rewrites every index entry of the row
-- anyway, status being in media_unlinked's key), and the entries are
-- narrower.
DROP INDEX media_sha256;
CREATE INDEX media_stored_sha256 ON media (org_id, sha256) WHERE status = 'stored';
