package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A table that grew past what its statistics describe is analyzed, once;
// tables that barely changed are left to autovacuum.
func TestRefreshStatisticsAnalyzesTablesThatOutgrewTheirStatistics(t *testing.T) {
	db := open(t, testenv.Postgres(t))
	ctx := mustOrg(t, db, "growing")
	insertAppliedResults(t, db, ctx, 600)
	// PostgreSQL publishes a backend's row counts within seconds, not at
	// commit: poll.
	deadline := time.Now().Add(30 * time.Second)
	var analyzed []string
	for {
		var err error
		if analyzed, err = db.RefreshStatistics(ctx); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(analyzed, "push_results") || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
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
