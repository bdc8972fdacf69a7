package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/jobs"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// River's tables follow PATROLSYNC_MIGRATE like the app schema: without
// it a database whose River tables are behind is refused, saying how to
// fix it, and nothing is created; with it they are brought up to date.
func TestRiverMigrationsObeyMigrate(t *testing.T) {
	testenv.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Migrate(ctx, log); err != nil { // the app schema only: River's tables are not there yet
			t.Fatal(err)
		}
		open := func(migrate bool) error {
			q, err := jobs.Open(ctx, db, url, jobs.Options{Migrate: migrate}, log)
			if err == nil {
				_, err = jobs.NewWorker(q, jobs.NewRegistry()) // builds, never starts
				q.Close()
			}
			return err
		}
		err = open(false)
		if !errs.Is(err, errs.Unavailable) || !strings.Contains(err.Error(), "PATROLSYNC_MIGRATE") {
			t.Fatalf("River behind without migrate: %v, want a refusal naming PATROLSYNC_MIGRATE", err)
		}
		if tableExists(t, db, "river_job") {
			t.Fatal("the refused start created River's tables")
		}
		if err := open(true); err != nil {
			t.Fatalf("with migrate: %v", err)
		}
		if !tableExists(t, db, "river_job") {
			t.Fatal("migrate did not create River's tables")
		}
		if err := open(false); err != nil {
			t.Fatalf("River up to date without migrate: %v", err)
		}
	})
}

func tableExists(t *testing.T, db *store.DB, name string) bool {
	t.Helper()
	query := `SELECT count(*) FROM information_schema.tables WHERE table_name = $1`
	if db.Dialect() == store.SQLite {
		query = `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	}
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), query, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}
