-- +goose Up
-- Tenants, people, places and the credentials that bind them. Every table
-- but orgs carries org_id so that every query can be scoped by tenant.

CREATE TABLE orgs (
    id             uuid PRIMARY KEY,
    slug           text NOT NULL UNIQUE,
    name           text NOT NULL,
    retention_days integer NOT NULL DEFAULT 1095,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

CREATE TABLE sites (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES orgs(id),
    code       text NOT NULL,
    name       text NOT NULL,
    timezone   text NOT NULL,
    address    text NOT NULL DEFAULT '',
    active     boolean NOT NULL DEFAULT true,
    version    bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (org_id, code)
);

-- Email is unique across tenants because login names no organisation.
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs(id),
    email         text NOT NULL UNIQUE,
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('guard', 'supervisor', 'admin')),
    password_hash text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    version       bigint NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX users_org ON users (org_id, id);

CREATE TABLE user_sites (
    org_id  uuid NOT NULL REFERENCES orgs(id),
    user_id uuid NOT NULL REFERENCES users(id),
    site_id uuid NOT NULL REFERENCES sites(id),
    PRIMARY KEY (user_id, site_id)
);
CREATE INDEX user_sites_site ON user_sites (site_id);

-- A device is a phone or tablet; device_key is the identifier the app
-- generates once per install and sends at login.
CREATE TABLE devices (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES orgs(id),
    device_key   text NOT NULL,
    name         text NOT NULL DEFAULT '',
    platform     text NOT NULL DEFAULT '',
    user_id      uuid REFERENCES users(id),
    active       boolean NOT NULL DEFAULT true,
    version      bigint NOT NULL DEFAULT 1,
    last_seen_at timestamptz,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    UNIQUE (org_id, device_key)
);

-- A session is one login on one device. Access tokens name their session,
-- so revoking it (logout, token reuse, deactivation) takes effect at once.
CREATE TABLE sessions (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES orgs(id),
    user_id    uuid NOT NULL REFERENCES users(id),
    device_id  uuid NOT NULL REFERENCES devices(id),
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);

-- One row per refresh token ever issued; rotation adds a row, and reuse of
-- a spent row revokes the whole session.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    session_id  uuid NOT NULL REFERENCES sessions(id),
    token_hash  text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Failed-login counters, in the database so that every replica sees them.
CREATE TABLE login_throttle (
    key          text PRIMARY KEY,
    failures     integer NOT NULL,
    window_start timestamptz NOT NULL,
    locked_until timestamptz
);

-- Stored responses of write requests that carried an Idempotency-Key.
CREATE TABLE idempotency_keys (
    org_id       uuid NOT NULL,
    user_id      uuid NOT NULL,
    key          text NOT NULL,
    method       text NOT NULL,
    path         text NOT NULL,
    request_hash text NOT NULL,
    status       integer NOT NULL,
    content_type text NOT NULL,
    body         bytea NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (org_id, user_id, key)
);
