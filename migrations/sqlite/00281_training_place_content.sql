-- +goose Up
-- Where a training is held and what it covers (004: at least one
-- security-skills training a month; the record names the topic, the
-- trainer, the place and the content taught), editable until it is held.
ALTER TABLE training_sessions ADD COLUMN place text NOT NULL DEFAULT '';
ALTER TABLE training_sessions ADD COLUMN content text NOT NULL DEFAULT '';
