-- +goose Up
-- PostgreSQL only (lz4 for the stored results of a push too wide to stay
-- uncompressed): SQLite does not compress, and keeps the number so that
-- both dialects stay in step.
SELECT 1;
