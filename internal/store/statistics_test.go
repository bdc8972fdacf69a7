package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A table that grew past what its statistics describe is analyzed, once;
// tables that barely changed are left to autovacuum.
func TestRefreshStatisticsAnalyzesTablesThatOutgrewTheirStatistics(t *testing.T) {
	url := testenv.Postgres(t)
	db := open(t, url)
	ctx := mustOrg(t, db, "growing")
	insertAppliedResults(t, db, ctx, 600)
	holdStatisticsLock(t, url, func(other *sql.DB) {
		waitUntilStale(t, other, "push_results", 500)
		// Another replica's run holds the lock: this one returns at once,
		// leaving the stale table to the next run.
		if analyzed, err := db.RefreshStatistics(ctx); err != nil || len(analyzed) != 0 {
			t.Fatalf("while another run holds the lock: analyzed %v, %v; want none", analyzed, err)
		}
	})
	// The lock is released and the row counts were published (waited for
	// above): the next run analyzes the table.
	analyzed, err := db.RefreshStatistics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(analyzed, "push_results") {
		t.Fatalf("600 new rows in a never-analyzed table: analyzed %v, want push_results among them", analyzed)
	}
	if slices.Contains(analyzed, "inspections") {
		t.Fatalf("inspections had no change but was analyzed: %v", analyzed)
	}
	again, err := db.RefreshStatistics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(again, "push_results") {
		t.Fatalf("push_results analyzed twice for one growth: %v", again)
	}
}

// openPlain is a database/sql connection pool of its own to the test's
// database, closed when the test ends: for statements the store has no
// method for.
func openPlain(t *testing.T, url string) *sql.DB {
	t.Helper()
	plain, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { plain.Close() })
	return plain
}

// holdStatisticsLock runs fn while a connection of its own (another
// replica's, as far as the database can tell) holds the statistics job's
// lock in an open transaction.
func holdStatisticsLock(t *testing.T, url string, fn func(other *sql.DB)) {
	t.Helper()
	ctx := context.Background()
	other, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", store.StatisticsLockKey); err != nil {
		t.Fatal(err)
	}
	fn(other)
}

// waitUntilStale polls until PostgreSQL publishes at least rows live rows
// of table (backends publish within seconds, not at commit).
func waitUntilStale(t *testing.T, db *sql.DB, table string, rows int64) {
	t.Helper()
	eventually(t, fmt.Sprintf("%d live rows of %s to be published", rows, table), func() bool {
		var live int64
		err := db.QueryRow("SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = $1", table).Scan(&live)
		if err != nil {
			t.Fatal(err)
		}
		return live >= rows
	})
}

func TestRefreshStatisticsIsANoOpOnSQLite(t *testing.T) {
	db := open(t, testenv.SQLite(t))
	if tables, err := db.RefreshStatistics(mustOrg(t, db, "small")); err != nil || len(tables) != 0 {
		t.Fatalf("SQLite: analyzed %v, %v", tables, err)
	}
}

// insertAppliedResults stores n applied answer.set results of unrelated
// users and devices: rows that make push_results grow.
func insertAppliedResults(t *testing.T, db *store.DB, ctx context.Context, n int) {
	t.Helper()
	rows := make([]store.Mutation, n)
	for i := range rows {
		rows[i] = store.Mutation{MutationID: newID(), UserID: newID(), DeviceID: newID(), Type: "answer.set",
			Status: "applied", Result: []byte(`{}`)}
	}
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertMutations(rows) }); err != nil {
		t.Fatal(err)
	}
}

// A table past the ceiling is left to autovacuum however much it grew: its
// plans no longer change, and its sample would be the biggest.
func TestRefreshStatisticsLeavesBigTablesToAutovacuum(t *testing.T) {
	url := testenv.Postgres(t)
	db := open(t, url)
	ctx := mustOrg(t, db, "big")
	plain := openPlain(t, url)
	insert := `INSERT INTO push_results (id, org_id, device_id, user_id, received_at, mutation_ids, types, client_times,
    body_hashes, results)
SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), now(), ARRAY[gen_random_uuid()],
    '["answer.set"]', '[null]', '\x00'::bytea, '[{}]'::bytea FROM generate_series(1, 12000)`
	if _, err := plain.Exec(insert); err != nil {
		t.Fatal(err)
	}
	// 12 000 rows, not the ceiling's 10 000: push_results has no column
	// statistics (migration 00350), so ANALYZE samples few rows and its
	// row count is an estimate (9 988 or 10 011 for 10 000 rows, seen).
	if _, err := plain.Exec("ANALYZE push_results"); err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Exec(insert); err != nil { // doubled since its analysis
		t.Fatal(err)
	}
	waitUntilStale(t, plain, "push_results", 12000)
	analyzed, err := db.RefreshStatistics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(analyzed, "push_results") {
		t.Fatalf("push_results, analyzed at 12 000 rows, was analyzed again: %v", analyzed)
	}
}

// The job analyzes a young table's indexed columns: the planner learns the
// table's size and the statistics of the columns lookups filter on, and
// the wide columns (an audit entry's details and hashes) are not sampled.
// The rows it changed stay counted, so autovacuum still analyzes every
// column in its time, and the next run does not analyze the table again.
func TestRefreshStatisticsAnalyzesTheIndexedColumns(t *testing.T) {
	url := testenv.Postgres(t)
	db := open(t, url)
	ctx := mustOrg(t, db, "audited")
	plain := openPlain(t, url)
	_, err := plain.Exec(`INSERT INTO audit_log (org_id, seq, at, action, entity_type, entity_id, details, prev_hash, hash)
SELECT gen_random_uuid(), g, now(), 'inspection.submit', 'inspection', gen_random_uuid()::text, repeat('{"x":1}', 40),
    md5(g::text), md5((g + 1)::text) FROM generate_series(1, 800) g`)
	if err != nil {
		t.Fatal(err)
	}
	waitUntilStale(t, plain, "audit_log", 800)
	analyzed, err := db.RefreshStatistics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(analyzed, "audit_log") {
		t.Fatalf("800 new rows in a never-analyzed audit_log: analyzed %v, want audit_log among them", analyzed)
	}
	var size float64
	var changed int64
	err = plain.QueryRow(`SELECT c.reltuples, s.n_mod_since_analyze FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE c.oid = 'audit_log'::regclass`).Scan(&size, &changed)
	if err != nil {
		t.Fatal(err)
	}
	if size != 800 {
		t.Fatalf("after the job the planner thinks audit_log holds %v rows, it holds 800", size)
	}
	if changed < 800 {
		t.Fatalf("after the job audit_log counts %d rows changed since its analysis, want 800: autovacuum would not analyze it", changed)
	}
	rows, err := plain.Query(`SELECT attname FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'audit_log' ORDER BY attname`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var columns []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		columns = append(columns, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// audit_log's indexes: the key (org_id, seq) and (org_id, entity_type, entity_id).
	if want := []string{"entity_id", "entity_type", "org_id", "seq"}; !slices.Equal(columns, want) {
		t.Fatalf("columns with statistics after the job: %v, want the indexed ones %v", columns, want)
	}
	again, err := db.RefreshStatistics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(again, "audit_log") {
		t.Fatalf("audit_log analyzed twice for one growth: %v", again)
	}
}
