-- +goose NO TRANSACTION
-- +goose Up
-- The auditor role (issue 15): a regulator's or internal auditor's account
-- that reads everything in its organisation and changes nothing. The HTTP
-- layer refuses its writes; the database only has to accept the role.
--
-- SQLite cannot alter a CHECK constraint, so the table is rebuilt the way
-- SQLite's ALTER TABLE documentation prescribes: foreign keys off (which
-- only works outside a transaction, hence NO TRANSACTION and one statement
-- block, so that every step runs on the same connection), copy, drop,
-- rename, commit, foreign keys on again. Every row is copied with its id,
-- so the tables that reference users still find their rows.
-- +goose StatementBegin
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE users_rebuilt (
    id            text PRIMARY KEY,
    org_id        text NOT NULL REFERENCES orgs(id),
    email         text NOT NULL UNIQUE,
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('guard', 'supervisor', 'admin', 'auditor')),
    password_hash text NOT NULL,
    active        integer NOT NULL DEFAULT 1,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamp NOT NULL,
    updated_at    timestamp NOT NULL
);
INSERT INTO users_rebuilt (id, org_id, email, name, role, password_hash, active, version, created_at, updated_at)
    SELECT id, org_id, email, name, role, password_hash, active, version, created_at, updated_at FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE INDEX users_org ON users (org_id, id);
COMMIT;
PRAGMA foreign_keys = ON;
-- +goose StatementEnd
