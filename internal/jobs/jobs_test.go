package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/jobs"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// River's tables follow PATROLSYNC_MIGRATE like the app schema: without
// it a database whose River tables are behind is refused, saying how to
// fix it, and nothing is created; with it they are brought up to date.
func TestRiverMigrationsObeyMigrate(t *testing.T) {
	testenv.EachEmpty(t, func(t *testing.T, url string) {
		ctx := context.Background()
		db, log := migratedStore(t, url) // the app schema only: River's tables are not there yet
		open := func(migrate bool) error {
			q, err := jobs.Open(ctx, db, url, jobs.Options{Migrate: migrate}, log)
			if err == nil {
				_, err = jobs.NewWorker(q, jobs.NewRegistry()) // builds, never starts
				q.Close()
			}
			return err
		}
		err := open(false)
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

// backgroundArgs is a job that asks for the background queue, as the
// thumbnail job does.
type backgroundArgs struct {
	N int `json:"n"`
}

func (backgroundArgs) Kind() string  { return "test.background" }
func (backgroundArgs) Queue() string { return jobs.Background }

// Jobs whose arguments name the background queue land on it and are
// worked there, one at a time, while the default queue has four workers.
func TestBackgroundJobsRunOnTheirQueueOneAtATime(t *testing.T) {
	testenv.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		db, log := migratedStore(t, url)
		q, err := jobs.Open(ctx, db, url, jobs.Options{Migrate: true, Workers: 4, PollInterval: 50 * time.Millisecond}, log)
		if err != nil {
			t.Fatal(err)
		}
		const count = 6
		var active, most atomic.Int32
		done := make(chan int, count)
		reg := jobs.NewRegistry()
		jobs.Handle(reg, func(ctx context.Context, args backgroundArgs) error {
			now := active.Add(1)
			for seen := most.Load(); now > seen && !most.CompareAndSwap(seen, now); seen = most.Load() {
			}
			runtime.Gosched() // give a second worker, if there were one, its chance to overlap
			active.Add(-1)
			done <- args.N
			return nil
		})
		worker, err := jobs.NewWorker(q, reg)
		if err != nil {
			t.Fatal(err)
		}
		for n := range count {
			if err := q.Enqueue(ctx, backgroundArgs{N: n}); err != nil {
				t.Fatal(err)
			}
		}
		var queues []string
		rows, err := db.SQL().QueryContext(ctx, `SELECT DISTINCT queue FROM river_job WHERE kind = 'test.background'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var queue string
			if err := rows.Scan(&queue); err != nil {
				t.Fatal(err)
			}
			queues = append(queues, queue)
		}
		rows.Close()
		if len(queues) != 1 || queues[0] != jobs.Background {
			t.Fatalf("the jobs were queued on %v, want only %q", queues, jobs.Background)
		}
		if err := worker.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer worker.Stop(ctx)
		deadline := time.After(30 * time.Second)
		for range count {
			select {
			case <-done:
			case <-deadline:
				t.Fatalf("only some of the %d background jobs ran within 30 s", count)
			}
		}
		if got := most.Load(); got != 1 {
			t.Errorf("%d background jobs ran at once, want 1", got)
		}
	})
}

// migratedStore opens the database at url with the app's schema (not
// River's) and closes it when the test ends.
func migratedStore(t *testing.T, url string) (*store.DB, *slog.Logger) {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx, log); err != nil {
		t.Fatal(err)
	}
	return db, log
}
