package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The lookup of stored results keeps the GIN index however many ids a
// group asks about. Planned with the array in sight, a group of a few
// hundred ids was estimated to match most of push_results and read with a
// sequential scan comparing every stored array with every id: seconds per
// group on a table of 8 000 pushes, which made pushes queue, groups grow
// and the next lookup slower still (issue 17, the --check round).
func TestPushResultsLookupUsesTheIndexForALargeGroup(t *testing.T) {
	db := open(t, testenv.Postgres(t))
	ctx := mustOrg(t, db, "plans")
	p, _ := principal.From(ctx)
	// 3 000 stored pushes of 40 mutations each, as the load tool's.
	insert := `INSERT INTO push_results (id, org_id, device_id, user_id, received_at, mutation_ids, types, client_times,
    body_hashes, results)
SELECT gen_random_uuid(), $1::uuid, gen_random_uuid(), gen_random_uuid(), now(),
    ARRAY(SELECT gen_random_uuid() FROM generate_series(1, 40) WHERE n > 0), '[]', '[]', '\x00'::bytea, '[]'::bytea
FROM generate_series(1, 3000) AS n`
	if _, err := db.SQL().ExecContext(ctx, insert, p.OrgID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, "ANALYZE push_results"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 40, 400, 2000} {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = uuid.NewString()
		}
		plan := explain(t, ctx, db, store.PushResultsByIDs, p.OrgID, ids)
		if strings.Contains(plan, "Seq Scan on push_results") || !strings.Contains(plan, "push_results_mutation_ids") {
			t.Fatalf("looking up %d ids:\n%s\nwant a scan of the index push_results_mutation_ids", n, plan)
		}
	}
}

// explain is PostgreSQL's plan of query with args bound as a driver binds
// them: the custom plan of the statement's first executions.
func explain(t *testing.T, ctx context.Context, db *store.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.SQL().QueryContext(ctx, "EXPLAIN "+query, args...)
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
		if len(line) > 160 { // the bound array, spelled out
			line = line[:160] + "…"
		}
		plan.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan.String()
}
