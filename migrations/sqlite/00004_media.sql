-- +goose Up
-- Photo, signature and attachment evidence. A row is declared by a phone
-- (its id is the client's), uploaded straight to the object store, and
-- becomes stored only after the server has checked size, digest and type.
-- Rows with the same bytes in one organisation share one object (dedup).
CREATE TABLE media (
    id                  text PRIMARY KEY,
    org_id              text NOT NULL REFERENCES orgs(id),
    inspection_id       text NOT NULL, -- no foreign key: a phone may declare before it pushes the inspection
    item_key            text NOT NULL DEFAULT '',
    kind                text NOT NULL CHECK (kind IN ('photo', 'signature', 'attachment')),
    declared_type       text NOT NULL,
    content_type        text NOT NULL DEFAULT '',
    size                integer NOT NULL,
    sha256              text NOT NULL,
    object_key          text NOT NULL,
    upload_id           text,
    part_size           integer NOT NULL DEFAULT 0,
    status              text NOT NULL CHECK (status IN ('pending', 'stored', 'deleted')),
    uploaded_by         text NOT NULL REFERENCES users(id),
    captured_at         timestamp,
    location            blob,
    signature           blob,
    thumbnail_key       text,
    linked_at           timestamp,
    stored_at           timestamp,
    deleted_at          timestamp,
    version             integer NOT NULL,
    created_at          timestamp NOT NULL,
    updated_at          timestamp NOT NULL
);
CREATE INDEX media_inspection ON media (org_id, inspection_id);
-- Dedup looks up stored bytes by digest.
CREATE INDEX media_sha256 ON media (org_id, sha256, status);
-- The orphan sweep finds unlinked rows by age.
CREATE INDEX media_unlinked ON media (org_id, status, created_at) WHERE linked_at IS NULL;
