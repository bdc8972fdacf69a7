-- +goose Up
-- Foreign keys that carry the organisation (issue 17). An inspection
-- referred to its organisation, its site, its owner and its device, each
-- by id alone: four index probes for every inspection inserted, and none
-- of them refused a site, owner or device of another organisation. One
-- key per parent on (org_id, id) gives both at once: the parent exists and
-- is of the row's organisation. The organisation itself needs no key of
-- its own: a site of it exists, and sites refer to orgs. Inspections go
-- from four probes to three, media from two to one, and the database, not
-- only the server's queries, now refuses a cross-organisation reference.
--
-- Each parent gets the unique key the new references need. users_org
-- (org_id, id) becomes that unique key rather than a second index.
ALTER TABLE sites ADD CONSTRAINT sites_org_id_id_key UNIQUE (org_id, id);
ALTER TABLE users ADD CONSTRAINT users_org_id_id_key UNIQUE (org_id, id);
DROP INDEX users_org;
ALTER TABLE devices ADD CONSTRAINT devices_org_id_id_key UNIQUE (org_id, id);

ALTER TABLE inspections
    DROP CONSTRAINT inspections_org_id_fkey,
    DROP CONSTRAINT inspections_site_id_fkey,
    DROP CONSTRAINT inspections_owner_id_fkey,
    DROP CONSTRAINT inspections_device_id_fkey,
    ADD CONSTRAINT inspections_site_fkey FOREIGN KEY (org_id, site_id) REFERENCES sites (org_id, id),
    ADD CONSTRAINT inspections_owner_fkey FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id),
    ADD CONSTRAINT inspections_device_fkey FOREIGN KEY (org_id, device_id) REFERENCES devices (org_id, id);

ALTER TABLE media
    DROP CONSTRAINT media_org_id_fkey,
    DROP CONSTRAINT media_uploaded_by_fkey,
    ADD CONSTRAINT media_uploader_fkey FOREIGN KEY (org_id, uploaded_by) REFERENCES users (org_id, id);
