-- +goose Up
-- Emergency plans (应急预案, issue 16 item 3; structure from 002 篇18
-- L1311–1475 and the network plans of 002 篇4–7): per organisation or
-- site and incident category, versioned. A published version is never
-- changed; staff acknowledge that they read the current version, one
-- acknowledgement per person and version, through sync.
CREATE TABLE emergency_plans (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES orgs(id),
    site_id         uuid REFERENCES sites(id),
    category        text NOT NULL CHECK (category IN ('robbery', 'fire', 'network', 'equipment', 'injury', 'public_opinion', 'other')),
    current_version integer NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    version         bigint NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX emergency_plans_site ON emergency_plans (org_id, site_id, id);

CREATE TABLE emergency_plan_versions (
    org_id       uuid NOT NULL REFERENCES orgs(id),
    plan_id      uuid NOT NULL REFERENCES emergency_plans(id),
    number       integer NOT NULL,
    title        text NOT NULL,
    body         bytea NOT NULL,
    published_by uuid NOT NULL REFERENCES users(id),
    published_at timestamptz NOT NULL,
    PRIMARY KEY (plan_id, number)
);

CREATE TABLE plan_acknowledgements (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES orgs(id),
    plan_id      uuid NOT NULL REFERENCES emergency_plans(id),
    plan_version integer NOT NULL,
    user_id      uuid NOT NULL REFERENCES users(id),
    device_id    text NOT NULL DEFAULT '',
    client_time  timestamptz,
    created_at   timestamptz NOT NULL,
    UNIQUE (org_id, plan_id, plan_version, user_id)
);
