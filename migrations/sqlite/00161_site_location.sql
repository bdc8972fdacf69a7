-- +goose Up
-- Where a site is (issue 15): its centre and the radius within which a
-- location taken on a phone counts as "at the site", so the console can
-- show an inspection's location against its site. All three are optional:
-- a site without them shows locations as coordinates only.
ALTER TABLE sites ADD COLUMN latitude real CHECK (latitude BETWEEN -90 AND 90);
ALTER TABLE sites ADD COLUMN longitude real CHECK (longitude BETWEEN -180 AND 180);
ALTER TABLE sites ADD COLUMN radius_m integer CHECK (radius_m BETWEEN 1 AND 100000);
