-- +goose Up
-- Tenants, people, places and the credentials that bind them. Every table
-- but orgs carries org_id so that every query can be scoped by tenant.

CREATE TABLE orgs (
    id             text PRIMARY KEY,
    slug           text NOT NULL UNIQUE,
    name           text NOT NULL,
    retention_days integer NOT NULL DEFAULT 1095,
    created_at     timestamp NOT NULL,
    updated_at     timestamp NOT NULL
);

CREATE TABLE sites (
    id         text PRIMARY KEY,
    org_id     text NOT NULL REFERENCES orgs(id),
    code       text NOT NULL,
    name       text NOT NULL,
    timezone   text NOT NULL,
    address    text NOT NULL DEFAULT '',
    active     integer NOT NULL DEFAULT 1,
    version    integer NOT NULL DEFAULT 1,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    UNIQUE (org_id, code)
);

-- Email is unique across tenants because login names no organisation.
CREATE TABLE users (
    id            text PRIMARY KEY,
    org_id        text NOT NULL REFERENCES orgs(id),
    email         text NOT NULL UNIQUE,
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('guard', 'supervisor', 'admin')),
    password_hash text NOT NULL,
    active        integer NOT NULL DEFAULT 1,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamp NOT NULL,
    updated_at    timestamp NOT NULL
);
CREATE INDEX users_org ON users (org_id, id);

CREATE TABLE user_sites (
    org_id  text NOT NULL REFERENCES orgs(id),
    user_id text NOT NULL REFERENCES users(id),
    site_id text NOT NULL REFERENCES sites(id),
    PRIMARY KEY (user_id, site_id)
);
CREATE INDEX user_sites_site ON user_sites (site_id);

-- A device is a phone or tablet; device_key is the identifier the app
-- generates once per install and sends at login.
CREATE TABLE devices (
    id           text PRIMARY KEY,
    org_id       text NOT NULL REFERENCES orgs(id),
    device_key   text NOT NULL,
    name         text NOT NULL DEFAULT '',
    platform     text NOT NULL DEFAULT '',
    user_id      text REFERENCES users(id),
    active       integer NOT NULL DEFAULT 1,
    version      integer NOT NULL DEFAULT 1,
    last_seen_at timestamp,
    created_at   timestamp NOT NULL,
    updated_at   timestamp NOT NULL,
    UNIQUE (org_id, device_key)
);

-- A session is one login on one device. Access tokens name their session,
-- so revoking it (logout, token reuse, deactivation) takes effect at once.
CREATE TABLE sessions (
    id         text PRIMARY KEY,
    org_id     text NOT NULL REFERENCES orgs(id),
    user_id    text NOT NULL REFERENCES users(id),
    device_id  text NOT NULL REFERENCES devices(id),
    created_at timestamp NOT NULL,
    revoked_at timestamp
);
CREATE INDEX sessions_user ON sessions (user_id);

-- One row per refresh token ever issued; rotation adds a row, and reuse of
-- a spent row revokes the whole session.
CREATE TABLE refresh_tokens (
    id          text PRIMARY KEY,
    session_id  text NOT NULL REFERENCES sessions(id),
    token_hash  text NOT NULL UNIQUE,
    created_at  timestamp NOT NULL,
    expires_at  timestamp NOT NULL,
    used_at     timestamp
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Failed-login counters, in the database so that every replica sees them.
CREATE TABLE login_throttle (
    key          text PRIMARY KEY,
    failures     integer NOT NULL,
    window_start timestamp NOT NULL,
    locked_until timestamp
);

-- Stored responses of write requests that carried an Idempotency-Key.
CREATE TABLE idempotency_keys (
    org_id       text NOT NULL,
    user_id      text NOT NULL,
    key          text NOT NULL,
    method       text NOT NULL,
    path         text NOT NULL,
    request_hash text NOT NULL,
    status       integer NOT NULL,
    content_type text NOT NULL,
    body         blob NOT NULL,
    created_at   timestamp NOT NULL,
    PRIMARY KEY (org_id, user_id, key)
);
