-- +goose Up
-- A stored mutation result belongs to the device and user that pushed it:
-- another device, or another user on the same device, reusing a
-- mutation_id gets its own answer, never this one. body_hash is the digest
-- of what the mutation asked for (type, entity_id, base_version, payload),
-- so the same id sent again with a different body is refused instead of
-- replayed; rows stored before it have none and replay as they did.
-- SQLite cannot change a primary key in place: the table is rebuilt.
CREATE TABLE mutations_scoped (
    org_id      text NOT NULL,
    mutation_id text NOT NULL,
    user_id     text NOT NULL,
    device_id   text NOT NULL,
    type        text NOT NULL,
    entity_id   text,
    status      text NOT NULL,
    result      blob NOT NULL,
    client_time timestamp,
    received_at timestamp NOT NULL,
    body_hash   blob,
    PRIMARY KEY (org_id, mutation_id, device_id, user_id)
);
INSERT INTO mutations_scoped (org_id, mutation_id, user_id, device_id, type, entity_id, status, result, client_time, received_at)
    SELECT org_id, mutation_id, user_id, device_id, type, entity_id, status, result, client_time, received_at FROM mutations;
DROP TABLE mutations;
ALTER TABLE mutations_scoped RENAME TO mutations;
