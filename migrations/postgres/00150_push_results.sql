-- +goose Up
-- Stored results per push instead of per mutation (issue 17). A push of an
-- inspection stored 33 rows in mutations, each with its own key in a
-- 64-byte primary key: a third of PostgreSQL's work per inspection. Now
-- one transaction stores one row per device and user it answered, holding
-- that push's mutation ids in order, their body hashes (32 bytes each, all
-- zero for results stored before hashes were kept), their types and
-- client times, and their results as one JSON array whose elements are
-- the answers byte for byte.
--
-- Lookup by mutation id goes through a GIN index on mutation_ids: one
-- index tuple per id, no heap row per id. GIN keys are not unique, so a
-- transaction storing results first takes an advisory lock per device and
-- user (store.ClaimMutations): a twin batch of the same device waits for
-- the first to commit and then replays what it stored. The pending list is
-- kept small so that a lookup never scans more than 256 kB of it.
CREATE TABLE push_results (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL,
    device_id    uuid NOT NULL,
    user_id      uuid NOT NULL,
    received_at  timestamptz NOT NULL,
    mutation_ids uuid[] NOT NULL,
    types        text NOT NULL,  -- JSON array of the mutation types
    client_times text NOT NULL,  -- JSON array of RFC 3339 times or null
    body_hashes  bytea NOT NULL, -- 32 bytes per mutation
    results      bytea NOT NULL  -- JSON array of the results, byte for byte
) WITH (toast_tuple_target = 8160);
-- Rows up to a page stay inline and uncompressed: compressing 5 kB of
-- results cost more than the bytes it saved.
CREATE INDEX push_results_mutation_ids ON push_results USING gin (mutation_ids)
    WITH (fastupdate = on, gin_pending_list_limit = 256);

-- The old rows, one push row per transaction and device (received_at is
-- the transaction's clock), in mutation id order in every column.
INSERT INTO push_results (id, org_id, device_id, user_id, received_at, mutation_ids, types, client_times, body_hashes, results)
SELECT gen_random_uuid(), org_id, device_id, user_id, received_at,
    array_agg(mutation_id ORDER BY mutation_id),
    json_agg(type ORDER BY mutation_id)::text,
    json_agg(to_char(client_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ORDER BY mutation_id)::text,
    string_agg(CASE WHEN octet_length(body_hash) = 32 THEN body_hash ELSE decode(repeat('00', 32), 'hex') END, ''::bytea
        ORDER BY mutation_id),
    '\x5b'::bytea || string_agg(result, '\x2c'::bytea ORDER BY mutation_id) || '\x5d'::bytea
FROM mutations
GROUP BY org_id, device_id, user_id, received_at;

DROP TABLE mutations;

-- One row per stored mutation id, for people reading the database: the
-- same columns as SQLite's push_result_ids, which is a table there (its
-- index); here the GIN index answers the server.
CREATE VIEW push_result_ids AS
SELECT p.org_id, m.mutation_id, p.device_id, p.user_id, p.id AS push_id
FROM push_results p, unnest(p.mutation_ids) AS m(mutation_id);
