-- +goose Up
-- Stored results per push instead of per mutation (issue 17; see the
-- PostgreSQL migration). SQLite has no arrays: mutation_ids is a JSON
-- array of the ids, and push_result_ids indexes them, its primary key
-- keeping one stored result per mutation id, device and user.
CREATE TABLE push_results (
    id           text PRIMARY KEY,
    org_id       text NOT NULL,
    device_id    text NOT NULL,
    user_id      text NOT NULL,
    received_at  timestamp NOT NULL,
    mutation_ids text NOT NULL,
    types        text NOT NULL,
    client_times text NOT NULL,
    body_hashes  blob NOT NULL,
    results      blob NOT NULL
);
CREATE TABLE push_result_ids (
    org_id      text NOT NULL,
    mutation_id text NOT NULL,
    device_id   text NOT NULL,
    user_id     text NOT NULL,
    push_id     text NOT NULL REFERENCES push_results(id),
    PRIMARY KEY (org_id, mutation_id, device_id, user_id)
);

-- The old rows, one push row each.
INSERT INTO push_results (id, org_id, device_id, user_id, received_at, mutation_ids, types, client_times, body_hashes, results)
SELECT lower(hex(randomblob(16))),
    org_id, device_id, user_id, received_at,
    json_array(lower(mutation_id)), json_array(type),
    json_array(CASE WHEN client_time IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', client_time) END),
    CASE WHEN length(body_hash) = 32 THEN body_hash ELSE zeroblob(32) END,
    CAST('[' || CAST(result AS TEXT) || ']' AS BLOB)
FROM mutations;
INSERT INTO push_result_ids (org_id, mutation_id, device_id, user_id, push_id)
SELECT org_id, json_extract(mutation_ids, '$[0]'), device_id, user_id, id FROM push_results;

DROP TABLE mutations;
