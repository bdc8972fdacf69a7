-- +goose Up
-- Offline sync: a per-organisation change log whose positions follow commit
-- order, the stored first result of every mutation, and the records phones
-- create offline (inspections) or share (findings).

-- One row per organisation. Every writing transaction bumps seq last, just
-- before it commits: the row lock hands out positions in commit order, so a
-- pull can never pass a position that is still to commit.
CREATE TABLE org_counters (
    org_id         uuid PRIMARY KEY REFERENCES orgs(id),
    seq            bigint NOT NULL,
    pruned_through bigint NOT NULL DEFAULT 0
);

-- The change log. Each row is the whole record after a change, with the
-- scope it is in now and the scope it was in before, so that a record moving
-- out of a user's scope reaches them as a tombstone.
CREATE TABLE changes (
    org_id        uuid NOT NULL,
    seq           bigint NOT NULL,
    entity_type   text NOT NULL,
    entity_id     uuid NOT NULL,
    op            text NOT NULL CHECK (op IN ('upsert', 'delete')),
    version       bigint NOT NULL,
    audience      text NOT NULL CHECK (audience IN ('org', 'site', 'owner')),
    site_id       uuid,
    owner_id      uuid,
    prev_audience text,
    prev_site_id  uuid,
    prev_owner_id uuid,
    data          bytea,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (org_id, seq)
);
-- Compaction finds the older entries of a record by id.
CREATE INDEX changes_entity ON changes (org_id, entity_id, seq);

-- The first result of every mutation, replayed byte for byte on retry.
CREATE TABLE mutations (
    org_id      uuid NOT NULL,
    mutation_id uuid NOT NULL,
    user_id     uuid NOT NULL,
    device_id   uuid NOT NULL,
    type        text NOT NULL,
    entity_id   uuid,
    status      text NOT NULL,
    result      bytea NOT NULL,
    client_time timestamptz,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, mutation_id)
);

CREATE TABLE inspections (
    id               uuid PRIMARY KEY,
    org_id           uuid NOT NULL REFERENCES orgs(id),
    site_id          uuid NOT NULL REFERENCES sites(id),
    template_id      uuid NOT NULL,
    template_key     text NOT NULL,
    template_version integer NOT NULL,
    owner_id         uuid NOT NULL REFERENCES users(id),
    device_id        uuid NOT NULL REFERENCES devices(id),
    assignment_id    uuid,
    round_id         uuid,
    status           text NOT NULL CHECK (status IN ('in_progress', 'submitted', 'approved', 'returned')),
    answers          bytea NOT NULL,
    context          bytea NOT NULL,
    evaluation       bytea,
    content_hash     text,
    score            double precision,
    outcome          text,
    media_pending    boolean NOT NULL DEFAULT false,
    version          bigint NOT NULL,
    started_at       timestamptz,
    submitted_at     timestamptz,
    received_at      timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX inspections_site ON inspections (org_id, site_id, id);
CREATE INDEX inspections_owner ON inspections (org_id, owner_id, id);
CREATE INDEX inspections_status ON inspections (org_id, status, id);

-- What happened to an inspection, in order: started, submitted, returned,
-- resubmitted, approved. Kept so that a returned inspection keeps its history.
CREATE TABLE inspection_events (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL,
    inspection_id uuid NOT NULL REFERENCES inspections(id),
    kind          text NOT NULL,
    actor_id      uuid NOT NULL,
    content_hash  text,
    detail        bytea,
    created_at    timestamptz NOT NULL
);
CREATE INDEX inspection_events_inspection ON inspection_events (inspection_id, created_at);

CREATE TABLE findings (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs(id),
    site_id       uuid NOT NULL REFERENCES sites(id),
    inspection_id uuid REFERENCES inspections(id),
    item_path     text NOT NULL DEFAULT '',
    title         text NOT NULL,
    description   text NOT NULL DEFAULT '',
    severity      text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status        text NOT NULL,
    assignee_id   uuid REFERENCES users(id),
    created_by    uuid NOT NULL REFERENCES users(id),
    due_at        timestamptz,
    media         bytea NOT NULL,
    version       bigint NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX findings_site ON findings (org_id, site_id, id);

-- Every version of a finding's mergeable fields: a three-way merge needs
-- the base the device edited from.
CREATE TABLE finding_versions (
    finding_id uuid NOT NULL REFERENCES findings(id),
    version    bigint NOT NULL,
    org_id     uuid NOT NULL,
    fields     bytea NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (finding_id, version)
);
