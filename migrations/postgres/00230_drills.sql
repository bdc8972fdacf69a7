-- +goose Up
-- Emergency drills (应急演练, issue 16 item 3), scheduled from an
-- emergency plan: quarterly (每季度组织一次防火、防盗、防搶应急演練, 004
-- 二(一)1.2) and each June, the safety month (每年6月份安全生产月演练一次,
-- 002 篇18 L1473). A drill is held when an inspection of the drill
-- template records it, which pins the plan version it tested; it is
-- evaluated with a written evaluation and follow-up (004 §4.3(5)).
CREATE TABLE drills (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs(id),
    site_id       uuid NOT NULL REFERENCES sites(id),
    plan_id       uuid NOT NULL REFERENCES emergency_plans(id),
    template_id   uuid NOT NULL REFERENCES templates(id),
    cadence       text NOT NULL CHECK (cadence IN ('quarterly', 'june')),
    opens_at      timestamptz NOT NULL,
    due_at        timestamptz NOT NULL,
    status        text NOT NULL CHECK (status IN ('scheduled', 'held', 'evaluated')),
    overdue_at    timestamptz,
    inspection_id uuid REFERENCES inspections(id),
    plan_version  integer,
    held_at       timestamptz,
    recorded_by   uuid REFERENCES users(id),
    score         double precision,
    outcome       text,
    evaluation    text NOT NULL DEFAULT '',
    follow_up     text NOT NULL DEFAULT '',
    evaluated_by  uuid REFERENCES users(id),
    evaluated_at  timestamptz,
    created_by    uuid NOT NULL REFERENCES users(id),
    version       bigint NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    UNIQUE (org_id, plan_id, site_id, cadence, due_at),
    UNIQUE (inspection_id)
);
CREATE INDEX drills_due ON drills (org_id, status, due_at);
