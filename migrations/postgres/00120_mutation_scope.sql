-- +goose Up
-- A stored mutation result belongs to the device and user that pushed it:
-- another device, or another user on the same device, reusing a
-- mutation_id gets its own answer, never this one. body_hash is the digest
-- of what the mutation asked for (type, entity_id, base_version, payload),
-- so the same id sent again with a different body is refused instead of
-- replayed; rows stored before it have none and replay as they did.
ALTER TABLE mutations ADD COLUMN body_hash bytea;
ALTER TABLE mutations DROP CONSTRAINT mutations_pkey;
ALTER TABLE mutations ADD PRIMARY KEY (org_id, mutation_id, device_id, user_id);
