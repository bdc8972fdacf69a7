-- +goose Up
-- Offline sync: a per-organisation change log whose positions follow commit
-- order, the stored first result of every mutation, and the records phones
-- create offline (inspections) or share (findings).

-- One row per organisation. Every writing transaction bumps seq last, just
-- before it commits: the row lock hands out positions in commit order, so a
-- pull can never pass a position that is still to commit.
CREATE TABLE org_counters (
    org_id         text PRIMARY KEY REFERENCES orgs(id),
    seq            integer NOT NULL,
    pruned_through integer NOT NULL DEFAULT 0
);

-- The change log. Each row is the whole record after a change, with the
-- scope it is in now and the scope it was in before, so that a record moving
-- out of a user's scope reaches them as a tombstone.
CREATE TABLE changes (
    org_id        text NOT NULL,
    seq           integer NOT NULL,
    entity_type   text NOT NULL,
    entity_id     text NOT NULL,
    op            text NOT NULL CHECK (op IN ('upsert', 'delete')),
    version       integer NOT NULL,
    audience      text NOT NULL CHECK (audience IN ('org', 'site', 'owner')),
    site_id       text,
    owner_id      text,
    prev_audience text,
    prev_site_id  text,
    prev_owner_id text,
    data          blob,
    created_at    timestamp NOT NULL,
    PRIMARY KEY (org_id, seq)
);
-- Compaction finds the older entries of a record by id.
CREATE INDEX changes_entity ON changes (org_id, entity_id, seq);

-- The first result of every mutation, replayed byte for byte on retry.
CREATE TABLE mutations (
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
    PRIMARY KEY (org_id, mutation_id)
);

CREATE TABLE inspections (
    id               text PRIMARY KEY,
    org_id           text NOT NULL REFERENCES orgs(id),
    site_id          text NOT NULL REFERENCES sites(id),
    template_id      text NOT NULL,
    template_key     text NOT NULL,
    template_version integer NOT NULL,
    owner_id         text NOT NULL REFERENCES users(id),
    device_id        text NOT NULL REFERENCES devices(id),
    assignment_id    text,
    round_id         text,
    status           text NOT NULL CHECK (status IN ('in_progress', 'submitted', 'approved', 'returned')),
    answers          blob NOT NULL,
    context          blob NOT NULL,
    evaluation       blob,
    content_hash     text,
    score            real,
    outcome          text,
    media_pending    integer NOT NULL DEFAULT 0,
    version          integer NOT NULL,
    started_at       timestamp,
    submitted_at     timestamp,
    received_at      timestamp,
    created_at       timestamp NOT NULL,
    updated_at       timestamp NOT NULL
);
CREATE INDEX inspections_site ON inspections (org_id, site_id, id);
CREATE INDEX inspections_owner ON inspections (org_id, owner_id, id);
CREATE INDEX inspections_status ON inspections (org_id, status, id);

-- What happened to an inspection, in order: started, submitted, returned,
-- resubmitted, approved. Kept so that a returned inspection keeps its history.
CREATE TABLE inspection_events (
    id            text PRIMARY KEY,
    org_id        text NOT NULL,
    inspection_id text NOT NULL REFERENCES inspections(id),
    kind          text NOT NULL,
    actor_id      text NOT NULL,
    content_hash  text,
    detail        blob,
    created_at    timestamp NOT NULL
);
CREATE INDEX inspection_events_inspection ON inspection_events (inspection_id, created_at);

CREATE TABLE findings (
    id            text PRIMARY KEY,
    org_id        text NOT NULL REFERENCES orgs(id),
    site_id       text NOT NULL REFERENCES sites(id),
    inspection_id text REFERENCES inspections(id),
    item_path     text NOT NULL DEFAULT '',
    title         text NOT NULL,
    description   text NOT NULL DEFAULT '',
    severity      text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status        text NOT NULL,
    assignee_id   text REFERENCES users(id),
    created_by    text NOT NULL REFERENCES users(id),
    due_at        timestamp,
    media         blob NOT NULL,
    version       integer NOT NULL,
    created_at    timestamp NOT NULL,
    updated_at    timestamp NOT NULL
);
CREATE INDEX findings_site ON findings (org_id, site_id, id);

-- Every version of a finding's mergeable fields: a three-way merge needs
-- the base the device edited from.
CREATE TABLE finding_versions (
    finding_id text NOT NULL REFERENCES findings(id),
    version    integer NOT NULL,
    org_id     text NOT NULL,
    fields     blob NOT NULL,
    created_at timestamp NOT NULL,
    PRIMARY KEY (finding_id, version)
);
