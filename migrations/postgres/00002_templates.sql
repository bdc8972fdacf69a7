-- +goose Up
-- Checklist templates. A template is an editable draft plus the versions
-- published from it; a published version is frozen (inspections pin its
-- number and digest), so template_versions rows are never updated.

CREATE TABLE templates (
    id                uuid PRIMARY KEY,
    org_id            uuid NOT NULL REFERENCES orgs(id),
    key               text NOT NULL,
    status            text NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    title             text NOT NULL,
    category          text NOT NULL DEFAULT '',
    draft             jsonb NOT NULL,
    draft_digest      text NOT NULL,
    published_version integer NOT NULL DEFAULT 0,
    version           bigint NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    UNIQUE (org_id, key)
);
CREATE INDEX templates_org ON templates (org_id, id);

-- title and category are copied out of the document so that lists need not
-- read documents.
CREATE TABLE template_versions (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES orgs(id),
    template_id  uuid NOT NULL REFERENCES templates(id),
    number       integer NOT NULL CHECK (number > 0),
    title        text NOT NULL,
    category     text NOT NULL DEFAULT '',
    document     jsonb NOT NULL,
    digest       text NOT NULL,
    published_at timestamptz NOT NULL,
    published_by uuid NOT NULL,
    UNIQUE (template_id, number)
);

-- No code path updates a published version; the database refuses too.
-- +goose StatementBegin
CREATE FUNCTION template_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'published template versions are immutable';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER template_versions_no_update BEFORE UPDATE ON template_versions
    FOR EACH ROW EXECUTE FUNCTION template_versions_immutable();
