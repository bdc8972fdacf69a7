-- +goose Up
-- The organisation's own rows only (issue 17; PostgreSQL: the foreign keys
-- on (org_id, id)). Changing a foreign key here means rebuilding the table,
-- which the migration's transaction cannot do with foreign keys on, so the
-- existing keys stay (the parent exists) and these triggers add what the
-- PostgreSQL keys add: the site, owner, device and uploader are of the
-- row's organisation.
-- +goose StatementBegin
CREATE TRIGGER inspections_same_org_insert BEFORE INSERT ON inspections
WHEN NOT EXISTS (SELECT 1 FROM sites WHERE id = NEW.site_id AND org_id = NEW.org_id)
  OR NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.owner_id AND org_id = NEW.org_id)
  OR NOT EXISTS (SELECT 1 FROM devices WHERE id = NEW.device_id AND org_id = NEW.org_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: inspection refers to another organisation');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspections_same_org_update BEFORE UPDATE OF org_id, site_id, owner_id, device_id ON inspections
WHEN NOT EXISTS (SELECT 1 FROM sites WHERE id = NEW.site_id AND org_id = NEW.org_id)
  OR NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.owner_id AND org_id = NEW.org_id)
  OR NOT EXISTS (SELECT 1 FROM devices WHERE id = NEW.device_id AND org_id = NEW.org_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: inspection refers to another organisation');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER media_same_org_insert BEFORE INSERT ON media
WHEN NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.uploaded_by AND org_id = NEW.org_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: medium refers to another organisation');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER media_same_org_update BEFORE UPDATE OF org_id, uploaded_by ON media
WHEN NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.uploaded_by AND org_id = NEW.org_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: medium refers to another organisation');
END;
-- +goose StatementEnd
