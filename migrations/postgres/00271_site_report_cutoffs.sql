-- +goose Up
-- A site's own cut-off for its daily safety report, where it differs from
-- the organisation's (duty_settings; default 11:00, 001 第7篇 L134
-- "每日上午11时前"): a branch that opens later reports later.
CREATE TABLE duty_site_cutoffs (
    site_id             uuid PRIMARY KEY REFERENCES sites(id),
    org_id              uuid NOT NULL REFERENCES orgs(id),
    daily_report_cutoff text NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX duty_site_cutoffs_org ON duty_site_cutoffs (org_id);
