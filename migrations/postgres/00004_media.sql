-- +goose Up
-- Photo, signature and attachment evidence. A row is declared by a phone
-- (its id is the client's), uploaded straight to the object store, and
-- becomes stored only after the server has checked size, digest and type.
-- Rows with the same bytes in one organisation share one object (dedup).
CREATE TABLE media (
    id                  uuid PRIMARY KEY,
    org_id              uuid NOT NULL REFERENCES orgs(id),
    inspection_id       uuid NOT NULL, -- no foreign key: a phone may declare before it pushes the inspection
    item_key            text NOT NULL DEFAULT '',
    kind                text NOT NULL CHECK (kind IN ('photo', 'signature', 'attachment')),
    declared_type       text NOT NULL,
    content_type        text NOT NULL DEFAULT '',
    size                bigint NOT NULL,
    sha256              text NOT NULL,
    object_key          text NOT NULL,
    upload_id           text,
    part_size           bigint NOT NULL DEFAULT 0,
    status              text NOT NULL CHECK (status IN ('pending', 'stored', 'deleted')),
    uploaded_by         uuid NOT NULL REFERENCES users(id),
    captured_at         timestamptz,
    location            bytea,
    signature           bytea,
    thumbnail_key       text,
    linked_at           timestamptz,
    stored_at           timestamptz,
    deleted_at          timestamptz,
    version             bigint NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX media_inspection ON media (org_id, inspection_id);
-- Dedup looks up stored bytes by digest.
CREATE INDEX media_sha256 ON media (org_id, sha256, status);
-- The orphan sweep finds unlinked rows by age.
CREATE INDEX media_unlinked ON media (org_id, status, created_at) WHERE linked_at IS NULL;
