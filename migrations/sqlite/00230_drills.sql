-- +goose Up
-- Emergency drills (应急演练, issue 16 item 3), scheduled from an
-- emergency plan: quarterly (每季度组织一次防火、防盗、防搶应急演練, 004
-- 二(一)1.2) and each June, the safety month (每年6月份安全生产月演练一次,
-- 002 篇18 L1473). A drill is held when an inspection of the drill
-- template records it, which pins the plan version it tested; it is
-- evaluated with a written evaluation and follow-up (004 §4.3(5)).
CREATE TABLE drills (
    id            text PRIMARY KEY,
    org_id        text NOT NULL REFERENCES orgs(id),
    site_id       text NOT NULL REFERENCES sites(id),
    plan_id       text NOT NULL REFERENCES emergency_plans(id),
    template_id   text NOT NULL REFERENCES templates(id),
    cadence       text NOT NULL CHECK (cadence IN ('quarterly', 'june')),
    opens_at      timestamp NOT NULL,
    due_at        timestamp NOT NULL,
    status        text NOT NULL CHECK (status IN ('scheduled', 'held', 'evaluated')),
    overdue_at    timestamp,
    inspection_id text REFERENCES inspections(id),
    plan_version  integer,
    held_at       timestamp,
    recorded_by   text REFERENCES users(id),
    score         real,
    outcome       text,
    evaluation    text NOT NULL DEFAULT '',
    follow_up     text NOT NULL DEFAULT '',
    evaluated_by  text REFERENCES users(id),
    evaluated_at  timestamp,
    created_by    text NOT NULL REFERENCES users(id),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamp NOT NULL,
    updated_at    timestamp NOT NULL,
    UNIQUE (org_id, plan_id, site_id, cadence, due_at),
    UNIQUE (inspection_id)
);
CREATE INDEX drills_due ON drills (org_id, status, due_at);
