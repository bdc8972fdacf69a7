-- +goose Up
-- Supervisor sign-off, the hazard rectification loop, a per-organisation
-- hash-chained audit log, and retention settings.

-- A sign-off binds to the digest of exactly the content it approved.
ALTER TABLE inspections ADD COLUMN approved_by uuid;
ALTER TABLE inspections ADD COLUMN approved_at timestamptz;
ALTER TABLE inspections ADD COLUMN approved_hash text;
ALTER TABLE inspections ADD COLUMN signature bytea;

-- A template may keep its inspections longer (or shorter) than the org.
ALTER TABLE templates ADD COLUMN retention_days integer;

-- The rectification loop: a named person at each step.
ALTER TABLE findings ADD COLUMN assigned_by uuid;
ALTER TABLE findings ADD COLUMN rectifier_id uuid;
ALTER TABLE findings ADD COLUMN rectified_at timestamptz;
ALTER TABLE findings ADD COLUMN rectification_note text NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN evidence bytea;
ALTER TABLE findings ADD COLUMN follow_up_inspection_id uuid;
ALTER TABLE findings ADD COLUMN verifier_id uuid;
ALTER TABLE findings ADD COLUMN verified_at timestamptz;
ALTER TABLE findings ADD COLUMN closed_by uuid;
ALTER TABLE findings ADD COLUMN closed_at timestamptz;
ALTER TABLE findings ADD COLUMN escalation_level integer NOT NULL DEFAULT 0;
CREATE INDEX findings_status ON findings (org_id, status, id);

-- What happened to a finding, in order.
CREATE TABLE finding_events (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL,
    finding_id  uuid NOT NULL REFERENCES findings(id),
    kind        text NOT NULL,
    actor_id    uuid,
    from_status text NOT NULL,
    to_status   text NOT NULL,
    detail      bytea,
    created_at  timestamptz NOT NULL
);
CREATE INDEX finding_events_finding ON finding_events (finding_id, created_at);

-- One row per escalation level reached: the primary key makes the periodic
-- job idempotent even when two replicas run it at once.
CREATE TABLE finding_escalations (
    finding_id    uuid NOT NULL REFERENCES findings(id),
    level         integer NOT NULL,
    org_id        uuid NOT NULL,
    escalated_to  text NOT NULL,
    recipient_ids text NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (finding_id, level)
);

-- The head of each organisation's audit chain. Appending takes this row's
-- lock last in the transaction, so entries are chained in commit order.
CREATE TABLE audit_heads (
    org_id uuid PRIMARY KEY REFERENCES orgs(id),
    seq    bigint NOT NULL,
    hash   text NOT NULL
);

-- hash = sha256 over the canonical encoding of every other column and
-- prev_hash; editing, deleting or reordering an entry breaks the chain.
CREATE TABLE audit_log (
    org_id      uuid NOT NULL,
    seq         bigint NOT NULL,
    at          timestamptz NOT NULL,
    actor_id    uuid,
    action      text NOT NULL,
    entity_type text NOT NULL,
    entity_id   text NOT NULL,
    details     text NOT NULL,
    prev_hash   text NOT NULL,
    hash        text NOT NULL,
    PRIMARY KEY (org_id, seq)
);
CREATE INDEX audit_log_entity ON audit_log (org_id, entity_type, entity_id);
