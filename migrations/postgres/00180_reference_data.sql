-- +goose Up
-- Reference data that checks compare with (issue 16, item 5): the assets
-- of a site (cameras, alarms, extinguishers, vehicles with their plates,
-- cash-transport companies and their crews) and reference values by day
-- (the system cash balance of a site). An admin or an integration supplies
-- them; devices pull them; the server judges a submission against its own
-- copy (design.md §6, "Server-side truth"; 003 营业终了 "核实运钞车辆、车牌号码",
-- 库存现金与系统记录是否一致).
CREATE TABLE assets (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES orgs(id),
    site_id    uuid NOT NULL REFERENCES sites(id),
    kind       text NOT NULL CHECK (kind IN ('camera', 'alarm', 'extinguisher', 'vehicle', 'cash_transport_company', 'cash_transport_crew')),
    code       text NOT NULL,
    name       text NOT NULL,
    company_id uuid REFERENCES assets(id),
    id_number  text NOT NULL DEFAULT '',
    details    bytea NOT NULL,
    active     boolean NOT NULL DEFAULT true,
    version    bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (org_id, site_id, kind, code)
);
CREATE INDEX assets_site ON assets (org_id, site_id, kind, id);

CREATE TABLE reference_values (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES orgs(id),
    site_id    uuid NOT NULL REFERENCES sites(id),
    key        text NOT NULL,
    day        text NOT NULL,
    value      double precision NOT NULL,
    unit       text NOT NULL DEFAULT '',
    source     text NOT NULL CHECK (source IN ('admin', 'integration')),
    note       text NOT NULL DEFAULT '',
    set_by     uuid NOT NULL REFERENCES users(id),
    version    bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (org_id, site_id, key, day)
);
CREATE INDEX reference_values_day ON reference_values (org_id, site_id, day);
