-- +goose Up
-- Countersign keys: an Ed25519 public key per user and device, registered
-- while online, with which a countersigner's phone signs a two-person item
-- offline (docs/sync-protocol.md, "Countersignatures"). Keys are revoked,
-- never deleted, so that a proof made with one can still be explained.
CREATE TABLE user_keys (
    id         text PRIMARY KEY,
    org_id     text NOT NULL REFERENCES orgs(id),
    user_id    text NOT NULL REFERENCES users(id),
    device_id  text REFERENCES devices(id),
    algorithm  text NOT NULL CHECK (algorithm IN ('ed25519')),
    public_key text NOT NULL,
    name       text NOT NULL DEFAULT '',
    created_at timestamp NOT NULL,
    revoked_at timestamp,
    UNIQUE (org_id, public_key)
);
CREATE INDEX user_keys_user ON user_keys (org_id, user_id, id);
