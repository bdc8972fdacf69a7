-- +goose Up
-- Incidents to closure (issue 16): a category with its own questions
-- (checklists/library/incident-report.json), witnesses and CCTV references,
-- and the life cycle reported → acknowledged → handling → resolved →
-- summarized → closed, each step by a named person, with a deadline per
-- step (internal/incident/policy.go cites the regulations). late_steps
-- lists the steps that missed their deadline, so that each is flagged and
-- escalated once.
ALTER TABLE incidents DROP CONSTRAINT incidents_status_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_status_check
    CHECK (status IN ('reported', 'acknowledged', 'handling', 'resolved', 'summarized', 'closed'));
ALTER TABLE incidents ADD COLUMN category text NOT NULL DEFAULT 'other'
    CHECK (category IN ('robbery', 'fire', 'network', 'equipment', 'injury', 'public_opinion', 'other'));
ALTER TABLE incidents ADD COLUMN answers bytea NOT NULL DEFAULT '\x7b7d'::bytea;
ALTER TABLE incidents ADD COLUMN witnesses bytea NOT NULL DEFAULT '\x5b5d'::bytea;
ALTER TABLE incidents ADD COLUMN cctv bytea NOT NULL DEFAULT '\x5b5d'::bytea;
ALTER TABLE incidents ADD COLUMN casualties boolean NOT NULL DEFAULT false;
ALTER TABLE incidents ADD COLUMN report_due_at timestamptz;
ALTER TABLE incidents ADD COLUMN handle_due_at timestamptz;
ALTER TABLE incidents ADD COLUMN summary_due_at timestamptz;
ALTER TABLE incidents ADD COLUMN late_steps text NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN handling_by uuid;
ALTER TABLE incidents ADD COLUMN handling_at timestamptz;
ALTER TABLE incidents ADD COLUMN resolved_by uuid;
ALTER TABLE incidents ADD COLUMN resolved_at timestamptz;
ALTER TABLE incidents ADD COLUMN summary text NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN summarized_by uuid;
ALTER TABLE incidents ADD COLUMN summarized_at timestamptz;
ALTER TABLE incidents ADD COLUMN closed_by uuid;
ALTER TABLE incidents ADD COLUMN closed_at timestamptz;
CREATE INDEX incidents_open ON incidents (org_id, status) WHERE status <> 'closed';

-- Who is told by email, per site (NULL: every site) and level.
ALTER TABLE alert_settings ADD COLUMN email_recipients bytea NOT NULL DEFAULT '\x5b5d'::bytea;

-- One email to one address about one event, with its delivery state:
-- queued until the SMTP server takes it (sent), or failed after the last
-- attempt. UNIQUE (event_key, recipient) makes a retried job send once.
CREATE TABLE email_deliveries (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs(id),
    event_key     text NOT NULL,
    event_type    text NOT NULL,
    subject_type  text NOT NULL,
    subject_id    uuid NOT NULL,
    recipient     text NOT NULL,
    subject       text NOT NULL,
    body          text NOT NULL,
    status        text NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text NOT NULL DEFAULT '',
    claimed_until timestamptz,
    created_at    timestamptz NOT NULL,
    sent_at       timestamptz,
    UNIQUE (org_id, event_key, recipient)
);
CREATE INDEX email_deliveries_queued ON email_deliveries (status, created_at);
CREATE INDEX email_deliveries_subject ON email_deliveries (org_id, subject_id);
