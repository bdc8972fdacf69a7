-- +goose Up
-- Patrol rounds: routes of checkpoints, recurring schedules, the rounds they
-- materialise, the scans guards make offline (append-only), the exceptions a
-- judged round leaves, incident reports with their timelines, and the
-- notifications and signed webhooks that tell supervisors about them.

-- A route is an ordered (or free-order) list of checkpoints at one site. The
-- checkpoints travel with the route as one JSON array: a phone needs the
-- whole route to walk it, and a round keeps its own copy.
CREATE TABLE routes (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES orgs(id),
    site_id     uuid NOT NULL REFERENCES sites(id),
    name        text NOT NULL,
    ordered     boolean NOT NULL DEFAULT true,
    checkpoints bytea NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX routes_site ON routes (org_id, site_id, id);

-- A schedule is a recurring duty: a round of a route, or an inspection from
-- a template. rrule is evaluated from dtstart (local wall time) in the
-- site's time zone; each occurrence opens a window of tolerance_seconds.
CREATE TABLE schedules (
    id                uuid PRIMARY KEY,
    org_id            uuid NOT NULL REFERENCES orgs(id),
    site_id           uuid NOT NULL REFERENCES sites(id),
    kind              text NOT NULL CHECK (kind IN ('round', 'inspection')),
    name              text NOT NULL,
    route_id          uuid REFERENCES routes(id),
    template_id       uuid,
    rrule             text NOT NULL,
    dtstart           text NOT NULL,
    tolerance_seconds bigint NOT NULL,
    assignee_id       uuid REFERENCES users(id),
    active            boolean NOT NULL DEFAULT true,
    version           bigint NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX schedules_site ON schedules (org_id, site_id, id);

-- A round is one occurrence of a schedule. UNIQUE (schedule_id, slot_at)
-- makes materialising idempotent however often and wherever it runs.
CREATE TABLE rounds (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs(id),
    site_id       uuid NOT NULL REFERENCES sites(id),
    schedule_id   uuid REFERENCES schedules(id),
    kind          text NOT NULL,
    route_id      uuid,
    template_id   uuid,
    name          text NOT NULL,
    ordered       boolean NOT NULL DEFAULT true,
    checkpoints   bytea NOT NULL,
    assignee_id   uuid,
    slot_at       timestamptz NOT NULL,
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    timezone      text NOT NULL,
    status        text NOT NULL CHECK (status IN ('scheduled', 'completed', 'partial', 'missed')),
    flags         bytea NOT NULL,
    scanned_count integer NOT NULL DEFAULT 0,
    total_count   integer NOT NULL DEFAULT 0,
    judged_at     timestamptz,
    version       bigint NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    UNIQUE (schedule_id, slot_at)
);
CREATE INDEX rounds_due ON rounds (org_id, status, window_end);
CREATE INDEX rounds_site ON rounds (org_id, site_id, slot_at);

-- Scans are append-only events; the id is the client's. Wrong, early, late
-- and out-of-order scans are kept with their flags, never dropped.
CREATE TABLE scans (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs(id),
    round_id      uuid NOT NULL REFERENCES rounds(id),
    checkpoint_id text,
    tag_code      text NOT NULL,
    scanned_at    timestamptz NOT NULL,
    received_at   timestamptz NOT NULL,
    latitude      double precision,
    longitude     double precision,
    accuracy_m    double precision,
    gps_time      timestamptz,
    flags         bytea NOT NULL,
    user_id       uuid NOT NULL,
    device_id     uuid NOT NULL
);
CREATE INDEX scans_round ON scans (org_id, round_id, scanned_at);

-- One exception per missed checkpoint of a judged round.
CREATE TABLE round_exceptions (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs(id),
    round_id      uuid NOT NULL REFERENCES rounds(id),
    checkpoint_id text NOT NULL,
    kind          text NOT NULL,
    created_at    timestamptz NOT NULL,
    UNIQUE (round_id, checkpoint_id, kind)
);

CREATE TABLE incidents (
    id                uuid PRIMARY KEY,
    org_id            uuid NOT NULL REFERENCES orgs(id),
    site_id           uuid NOT NULL REFERENCES sites(id),
    reporter_id       uuid NOT NULL REFERENCES users(id),
    type              text NOT NULL,
    level             text NOT NULL CHECK (level IN ('general', 'serious', 'major', 'critical')),
    place             text NOT NULL,
    description       text NOT NULL,
    media             bytea NOT NULL,
    occurred_at       timestamptz NOT NULL,
    received_at       timestamptz NOT NULL,
    ack_due_at        timestamptz NOT NULL,
    reported_late     boolean NOT NULL DEFAULT false,
    status            text NOT NULL CHECK (status IN ('reported', 'acknowledged')),
    escalation_step   integer NOT NULL DEFAULT 0,
    acknowledged_by   uuid,
    acknowledged_at   timestamptz,
    version           bigint NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX incidents_due ON incidents (org_id, status, ack_due_at);
CREATE INDEX incidents_site ON incidents (org_id, site_id, id);

-- The timeline of an incident: report, follow-ups, acknowledgement,
-- escalations. Append-only.
CREATE TABLE incident_events (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES orgs(id),
    incident_id uuid NOT NULL REFERENCES incidents(id),
    kind        text NOT NULL,
    actor_id    uuid,
    note        text NOT NULL DEFAULT '',
    media       bytea NOT NULL,
    client_time timestamptz,
    created_at  timestamptz NOT NULL
);
CREATE INDEX incident_events_incident ON incident_events (org_id, incident_id, created_at);

-- Per-organisation alerting: the webhook and the incident deadlines.
CREATE TABLE alert_settings (
    org_id            uuid PRIMARY KEY REFERENCES orgs(id),
    webhook_url       text NOT NULL DEFAULT '',
    webhook_secret    text NOT NULL DEFAULT '',
    incident_policy   bytea NOT NULL,
    version           bigint NOT NULL DEFAULT 1,
    updated_at        timestamptz NOT NULL
);

-- A notification to one user about one event. UNIQUE (event_key, user_id)
-- is what makes "exactly once" hold when jobs run twice or concurrently.
CREATE TABLE notifications (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES orgs(id),
    user_id      uuid NOT NULL REFERENCES users(id),
    event_key    text NOT NULL,
    event_type   text NOT NULL,
    subject_type text NOT NULL,
    subject_id   uuid NOT NULL,
    site_id      uuid,
    created_at   timestamptz NOT NULL,
    UNIQUE (org_id, event_key, user_id)
);

-- One outgoing webhook per event, retried until delivered.
CREATE TABLE webhook_deliveries (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES orgs(id),
    event_key    text NOT NULL,
    event_type   text NOT NULL,
    subject_type text NOT NULL,
    subject_id   uuid NOT NULL,
    status       text NOT NULL CHECK (status IN ('pending', 'delivered')),
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    claimed_until timestamptz,
    created_at   timestamptz NOT NULL,
    delivered_at timestamptz,
    UNIQUE (org_id, event_key)
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (status, created_at);
