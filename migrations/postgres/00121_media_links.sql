-- +goose Up
-- Every record other than an inspection that names media (an incident and
-- its follow-ups, a finding and its rectification evidence) links each
-- medium here, in the transaction that writes the record; the orphan sweep
-- collects only media that no inspection (linked_at) and no link names.
CREATE TABLE media_links (
    org_id      uuid NOT NULL REFERENCES orgs(id),
    media_id    uuid NOT NULL,
    record_type text NOT NULL,
    record_id   uuid NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (org_id, media_id, record_type, record_id)
);
