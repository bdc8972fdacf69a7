-- +goose Up
-- PostgreSQL only (statistics targets of push_results, so that the
-- statistics job's ANALYZE samples blocks, not 30 000 wide rows): SQLite
-- keeps the number so that both dialects stay in step.
SELECT 1;
