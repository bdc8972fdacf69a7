package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The lookup of stored results keeps its indexes however many ids a group
// asks about, in its custom plans and in its generic one: the GIN index for
// pushes that are not ranged, one probe of push_results_ranges per device
// and user for those that are (migration 00382). Planned with the array in
// sight, a group of a few hundred ids was estimated to match most of
// push_results and read with a sequential scan comparing every stored
// array with every id: seconds per group on a table of 8 000 pushes, which
// made pushes queue, groups grow and the next lookup slower still (issue
// 17, the --check round). Flattened, the ranged probe's generic plan
// hash-joined the scopes with the organisation's whole part of the range
// index; the GIN search, with the index of scattered pushes nearly empty,
// scanned that index for the organisation instead of the GIN index.
func TestPushResultsLookupUsesTheIndexForALargeGroup(t *testing.T) {
	db := open(t, testenv.Postgres(t))
	ctx := mustOrg(t, db, "plans")
	p, _ := principal.From(ctx)
	// 3 000 stored pushes of 40 mutations each, as the load tool's, half
	// of them ranged.
	insert := `INSERT INTO push_results (id, org_id, device_id, user_id, received_at, mutation_ids, types, client_times,
    body_hashes, results, ranged, first_id, last_id)
SELECT gen_random_uuid(), $1::uuid, gen_random_uuid(), gen_random_uuid(), now(), ids, '[]', '[]', '\x00'::bytea, '[]'::bytea,
    n % 2 = 0, CASE WHEN n % 2 = 0 THEN (SELECT min(m::text) FROM unnest(ids) AS m)::uuid END,
    CASE WHEN n % 2 = 0 THEN (SELECT max(m::text) FROM unnest(ids) AS m)::uuid END
FROM (SELECT n, ARRAY(SELECT gen_random_uuid() FROM generate_series(1, 40) WHERE n > 0) AS ids
    FROM generate_series(1, 3000) AS n) AS pushes`
	if _, err := db.SQL().ExecContext(ctx, insert, p.OrgID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, "ANALYZE push_results"); err != nil {
		t.Fatal(err)
	}
	var devices, users []string
	rows, err := db.SQL().QueryContext(ctx, "SELECT device_id, user_id FROM push_results ORDER BY id LIMIT 32")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var device, user string
		if err := rows.Scan(&device, &user); err != nil {
			t.Fatal(err)
		}
		devices, users = append(devices, device), append(users, user)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PREPARE lookup AS "+store.PushResultsByIDs); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 40, 400, 2000} {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = uuid.NewString()
		}
		low, high := slices.Min(ids), slices.Max(ids)
		scopes := min(n, len(devices))
		plans := map[string]string{
			"custom": explain(t, ctx, db, store.PushResultsByIDs, p.OrgID, ids, devices[:scopes], users[:scopes], low, high),
		}
		if _, err := conn.ExecContext(ctx, "SET plan_cache_mode = force_generic_plan"); err != nil {
			t.Fatal(err)
		}
		plans["generic"] = explainOn(t, ctx, conn, fmt.Sprintf("EXPLAIN EXECUTE lookup('%s', '{%s}', '{%s}', '{%s}', '%s', '%s')",
			p.OrgID, strings.Join(ids, ","), strings.Join(devices[:scopes], ","), strings.Join(users[:scopes], ","), low, high))
		for kind, plan := range plans {
			if strings.Contains(plan, "Seq Scan on push_results") || strings.Contains(plan, "Hash Join") ||
				!strings.Contains(plan, "Bitmap Index Scan on push_results_mutation_ids") ||
				!strings.Contains(plan, "Index Scan using push_results_ranges") {
				t.Fatalf("looking up %d ids, %s plan:\n%s\nwant a scan of the index push_results_mutation_ids and a probe of push_results_ranges per device and user",
					n, kind, plan)
			}
		}
	}
}

// explainOn is the plan an EXPLAIN statement prints on conn.
func explainOn(t *testing.T, ctx context.Context, conn *sql.Conn, statement string) string {
	t.Helper()
	rows, err := conn.QueryContext(ctx, statement)
	return planLines(t, rows, err)
}

// explain is PostgreSQL's plan of query with args bound as a driver binds
// them: the custom plan of the statement's first executions.
func explain(t *testing.T, ctx context.Context, db *store.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.SQL().QueryContext(ctx, "EXPLAIN "+query, args...)
	return planLines(t, rows, err)
}

// planLines is an EXPLAIN's answer, one line each, a line cut at 160
// characters (the bound array, spelled out).
func planLines(t *testing.T, rows *sql.Rows, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		if len(line) > 160 {
			line = line[:160] + "…"
		}
		plan.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan.String()
}
