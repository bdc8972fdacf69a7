-- +goose Up
-- Day-one schedules (issue 16 item 6): every organisation is created with
-- one stored schedule per standard checklist (daily equipment check, 003
-- 第九–十二条 and 004; monthly hazard investigation, 004; quarterly drill,
-- 004 每季度组织一次防火、防盗、防抢应急演练; June safety-month drill, 002
-- 篇18; monthly network check, 002). A schedule runs at a site, so the
-- stored default has none and is disabled; choosing a site makes the real
-- schedule there (schedule_id) and enables it. Choosing a second site adds
-- a row for that site.
CREATE TABLE default_schedules (
    id                uuid PRIMARY KEY,
    org_id            uuid NOT NULL REFERENCES orgs(id),
    standard_key      text NOT NULL,
    template_id       uuid,
    rrule             text NOT NULL,
    start_time        text NOT NULL,
    tolerance_seconds bigint NOT NULL,
    site_id           uuid REFERENCES sites(id),
    schedule_id       uuid REFERENCES schedules(id),
    enabled           boolean NOT NULL DEFAULT false,
    version           bigint NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    -- Enabled means it runs somewhere: a site and its schedule, or neither.
    CHECK (enabled = (site_id IS NOT NULL AND schedule_id IS NOT NULL)),
    CHECK ((site_id IS NULL) = (schedule_id IS NULL))
);
-- One waiting default per standard, one row per standard and site.
CREATE UNIQUE INDEX default_schedules_waiting ON default_schedules (org_id, standard_key) WHERE site_id IS NULL;
CREATE UNIQUE INDEX default_schedules_site ON default_schedules (org_id, standard_key, site_id) WHERE site_id IS NOT NULL;
