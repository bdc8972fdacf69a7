-- +goose Up
-- The auditor role (issue 15): a regulator's or internal auditor's account
-- that reads everything in its organisation and changes nothing. The HTTP
-- layer refuses its writes; the database only has to accept the role.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('guard', 'supervisor', 'admin', 'auditor'));
