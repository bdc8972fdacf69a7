-- +goose Up
-- Incidents to closure (issue 16): a category with its own questions
-- (checklists/library/incident-report.json), witnesses and CCTV references,
-- and the life cycle reported → acknowledged → handling → resolved →
-- summarized → closed, each step by a named person, with a deadline per
-- step (internal/incident/policy.go cites the regulations). late_steps
-- lists the steps that missed their deadline, so that each is flagged and
-- escalated once.
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt.
-- incident_events refers to it by name; the check waits for the commit.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE incidents_lifecycle (
    id                text PRIMARY KEY,
    org_id            text NOT NULL REFERENCES orgs(id),
    site_id           text NOT NULL REFERENCES sites(id),
    reporter_id       text NOT NULL REFERENCES users(id),
    type              text NOT NULL,
    level             text NOT NULL CHECK (level IN ('general', 'serious', 'major', 'critical')),
    place             text NOT NULL,
    description       text NOT NULL,
    media             blob NOT NULL,
    occurred_at       timestamp NOT NULL,
    received_at       timestamp NOT NULL,
    ack_due_at        timestamp NOT NULL,
    reported_late     integer NOT NULL DEFAULT 0,
    status            text NOT NULL CHECK (status IN ('reported', 'acknowledged', 'handling', 'resolved', 'summarized', 'closed')),
    escalation_step   integer NOT NULL DEFAULT 0,
    acknowledged_by   text,
    acknowledged_at   timestamp,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamp NOT NULL,
    updated_at        timestamp NOT NULL,
    category          text NOT NULL DEFAULT 'other'
        CHECK (category IN ('robbery', 'fire', 'network', 'equipment', 'injury', 'public_opinion', 'other')),
    answers           blob NOT NULL DEFAULT X'7B7D',
    witnesses         blob NOT NULL DEFAULT X'5B5D',
    cctv              blob NOT NULL DEFAULT X'5B5D',
    casualties        integer NOT NULL DEFAULT 0,
    report_due_at     timestamp,
    handle_due_at     timestamp,
    summary_due_at    timestamp,
    late_steps        text NOT NULL DEFAULT '',
    handling_by       text,
    handling_at       timestamp,
    resolved_by       text,
    resolved_at       timestamp,
    summary           text NOT NULL DEFAULT '',
    summarized_by     text,
    summarized_at     timestamp,
    closed_by         text,
    closed_at         timestamp
);
INSERT INTO incidents_lifecycle (id, org_id, site_id, reporter_id, type, level, place, description, media, occurred_at,
        received_at, ack_due_at, reported_late, status, escalation_step, acknowledged_by, acknowledged_at, version,
        created_at, updated_at)
    SELECT id, org_id, site_id, reporter_id, type, level, place, description, media, occurred_at,
        received_at, ack_due_at, reported_late, status, escalation_step, acknowledged_by, acknowledged_at, version,
        created_at, updated_at FROM incidents;
DROP TABLE incidents;
ALTER TABLE incidents_lifecycle RENAME TO incidents;
CREATE INDEX incidents_due ON incidents (org_id, status, ack_due_at);
CREATE INDEX incidents_site ON incidents (org_id, site_id, id);
CREATE INDEX incidents_open ON incidents (org_id, status) WHERE status <> 'closed';

-- Who is told by email, per site (NULL: every site) and level.
ALTER TABLE alert_settings ADD COLUMN email_recipients blob NOT NULL DEFAULT X'5B5D';

-- One email to one address about one event, with its delivery state:
-- queued until the SMTP server takes it (sent), or failed after the last
-- attempt. UNIQUE (event_key, recipient) makes a retried job send once.
CREATE TABLE email_deliveries (
    id            text PRIMARY KEY,
    org_id        text NOT NULL REFERENCES orgs(id),
    event_key     text NOT NULL,
    event_type    text NOT NULL,
    subject_type  text NOT NULL,
    subject_id    text NOT NULL,
    recipient     text NOT NULL,
    subject       text NOT NULL,
    body          text NOT NULL,
    status        text NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text NOT NULL DEFAULT '',
    claimed_until timestamp,
    created_at    timestamp NOT NULL,
    sent_at       timestamp,
    UNIQUE (org_id, event_key, recipient)
);
CREATE INDEX email_deliveries_queued ON email_deliveries (status, created_at);
CREATE INDEX email_deliveries_subject ON email_deliveries (org_id, subject_id);
