-- +goose Up
-- Change-log entries a release owes records made before their kind went
-- into the log: drills and site people (entity types drill and
-- site_person) reached phones only with their next change, and
-- administrators who hold no site were in no site's people list. Each
-- row names a backfill the server runs once through the ordinary change
-- log (the sync.backfill job: positions in commit order) and then drops.
CREATE TABLE sync_backfills (
    name text PRIMARY KEY
);
INSERT INTO sync_backfills (name) VALUES ('drill'), ('site_person');
