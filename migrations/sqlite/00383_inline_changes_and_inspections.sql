-- +goose Up
-- PostgreSQL only (where a row's wide values are stored): SQLite keeps
-- the number so that both dialects stay in step.
SELECT 1;
