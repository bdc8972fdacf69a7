-- +goose Up
-- PostgreSQL only (the GIN index of push_results without a pending list):
-- SQLite keeps its ids in push_result_ids, and keeps the number so that
-- both dialects stay in step.
SELECT 1;
