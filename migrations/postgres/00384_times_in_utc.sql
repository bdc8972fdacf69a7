-- +goose Up
-- SQLite only (its timestamps were text with the writer's offset):
-- timestamptz keeps instants, so PostgreSQL keeps the number so that both
-- dialects stay in step.
SELECT 1;
