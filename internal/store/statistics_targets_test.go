package store_test

import (
	"testing"

	"github.com/patrolsync/patrolsync/internal/testenv"
)

// ANALYZE of push_results gives the planner the table's size, which is
// what the statistics job is for, without per-column statistics, whose
// sampling of wide rows made each run of the job cost most of a core for
// a second in the middle of paced load (migration 00350).
func TestAnalyzeOfPushResultsSetsItsSizeWithoutColumnStatistics(t *testing.T) {
	db := open(t, testenv.Postgres(t))
	ctx := mustOrg(t, db, "sized")
	insertAppliedResults(t, db, ctx, 300)
	if _, err := db.SQL().ExecContext(ctx, "ANALYZE push_results"); err != nil {
		t.Fatal(err)
	}
	var stored, estimated float64
	var columns int
	err := db.SQL().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM push_results), c.reltuples,
    (SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'push_results')
FROM pg_class c WHERE c.oid = 'push_results'::regclass`).Scan(&stored, &estimated, &columns)
	if err != nil {
		t.Fatal(err)
	}
	if stored == 0 || estimated != stored {
		t.Fatalf("after ANALYZE the planner thinks push_results holds %v rows, it holds %v", estimated, stored)
	}
	if columns != 0 {
		t.Fatalf("ANALYZE made statistics for %d columns of push_results, want none", columns)
	}
}
