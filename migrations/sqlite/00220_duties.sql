-- +goose Up
-- Duties (值班/交接班, issue 16 item 4). Nothing in the seeds gives shift
-- times or a handover form (001/002 name only the rule; 003 "三班倒",
-- 24-hour duty, the duty room keeps the log), so the records follow the
-- default the seeds suggest: who, when, what was open, equipment state,
-- keys and items, remarks, both sides confirm.

-- The roster: who holds which post when (003: posts such as the lobby,
-- offices, logistics entrance; three shifts, 24-hour duty).
CREATE TABLE duty_shifts (
    id         text PRIMARY KEY,
    org_id     text NOT NULL REFERENCES orgs(id),
    site_id    text NOT NULL REFERENCES sites(id),
    post       text NOT NULL,
    user_id    text NOT NULL REFERENCES users(id),
    starts_at  timestamp NOT NULL,
    ends_at    timestamp NOT NULL,
    note       text NOT NULL DEFAULT '',
    cancelled  integer NOT NULL DEFAULT 0,
    created_by text NOT NULL REFERENCES users(id),
    version    integer NOT NULL DEFAULT 1,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX duty_shifts_site ON duty_shifts (org_id, site_id, starts_at);
CREATE INDEX duty_shifts_user ON duty_shifts (org_id, user_id, starts_at);

-- A shift handover (交接班): the outgoing guard writes it and signs, the
-- incoming guard signs the same content from their own session. Two
-- different people, each signature drawn (strokes) and bound to the
-- content digest (001 第11篇: signatures on delivery and handover).
CREATE TABLE shift_handovers (
    id                  text PRIMARY KEY,
    org_id              text NOT NULL REFERENCES orgs(id),
    site_id             text NOT NULL REFERENCES sites(id),
    post                text NOT NULL,
    shift_id            text REFERENCES duty_shifts(id),
    outgoing_user_id    text NOT NULL REFERENCES users(id),
    incoming_user_id    text NOT NULL REFERENCES users(id),
    handed_at           timestamp NOT NULL,
    items               blob NOT NULL,
    content_digest      text NOT NULL,
    outgoing_strokes    blob NOT NULL,
    outgoing_signed_at  timestamp NOT NULL,
    outgoing_device_id  text NOT NULL DEFAULT '',
    incoming_strokes    blob,
    incoming_signed_at  timestamp,
    incoming_device_id  text NOT NULL DEFAULT '',
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamp NOT NULL,
    updated_at          timestamp NOT NULL,
    CHECK (outgoing_user_id <> incoming_user_id)
);
CREATE INDEX shift_handovers_site ON shift_handovers (org_id, site_id, handed_at);

-- The duty log (值班日志, a register kept with the others: append-only,
-- 001 第2篇 第十一条 "在保存期内不得修改或者删除").
CREATE TABLE duty_log_entries (
    id          text PRIMARY KEY,
    org_id      text NOT NULL REFERENCES orgs(id),
    site_id     text NOT NULL REFERENCES sites(id),
    user_id     text NOT NULL REFERENCES users(id),
    shift_id    text REFERENCES duty_shifts(id),
    kind        text NOT NULL CHECK (kind IN ('routine', 'anomaly', 'visitor', 'equipment', 'other')),
    body        text NOT NULL,
    occurred_at timestamp NOT NULL,
    device_id   text NOT NULL DEFAULT '',
    created_at  timestamp NOT NULL
);
CREATE INDEX duty_log_site ON duty_log_entries (org_id, site_id, occurred_at);

-- Training (培训): 004 monthly security-skills training; the record the
-- digest suggests: topic, trainer, attendees, signatures, test result.
CREATE TABLE training_sessions (
    id         text PRIMARY KEY,
    org_id     text NOT NULL REFERENCES orgs(id),
    site_id    text REFERENCES sites(id),
    topic      text NOT NULL,
    trainer    text NOT NULL,
    starts_at  timestamp NOT NULL,
    ends_at    timestamp NOT NULL,
    created_by text NOT NULL REFERENCES users(id),
    version    integer NOT NULL DEFAULT 1,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX training_sessions_time ON training_sessions (org_id, starts_at);

CREATE TABLE training_attendance (
    org_id       text NOT NULL REFERENCES orgs(id),
    session_id   text NOT NULL REFERENCES training_sessions(id),
    user_id      text NOT NULL REFERENCES users(id),
    strokes      blob NOT NULL,
    signed_in_at timestamp NOT NULL,
    device_id    text NOT NULL DEFAULT '',
    result       text CHECK (result IN ('pass', 'fail')),
    score        real,
    recorded_by  text REFERENCES users(id),
    recorded_at  timestamp,
    PRIMARY KEY (session_id, user_id)
);

-- The daily safety report (日安全信息上报, 001 第7篇): one per site and
-- day, due by the organisation's cut-off (default 11:00, 001 L134
-- "每日上午11时前"); a late one is kept and flagged (L142).
CREATE TABLE daily_safety_reports (
    id           text PRIMARY KEY,
    org_id       text NOT NULL REFERENCES orgs(id),
    site_id      text NOT NULL REFERENCES sites(id),
    day          text NOT NULL,
    reporter_id  text NOT NULL REFERENCES users(id),
    all_clear    integer NOT NULL,
    body         blob NOT NULL,
    due_at       timestamp NOT NULL,
    submitted_at timestamp NOT NULL,
    late         integer NOT NULL,
    created_at   timestamp NOT NULL,
    UNIQUE (org_id, site_id, day)
);

CREATE TABLE duty_settings (
    org_id                text PRIMARY KEY REFERENCES orgs(id),
    daily_report_cutoff   text NOT NULL DEFAULT '11:00',
    handover_confirm_mins integer NOT NULL DEFAULT 30,
    updated_at            timestamp NOT NULL
);
