package main

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/rounds"
	"github.com/patrolsync/patrolsync/internal/store"
)

// materializer runs the rounds service's materialisation on a spawned
// server's database, as its periodic job would. The job ran once when the
// server started, before the bench's schedules existed, and runs again
// only every 15 minutes; a day scenario needs its rounds at once.
func materializer(databaseURL string) func(ctx context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		db, err := store.Open(ctx, databaseURL)
		if err != nil {
			return 0, err
		}
		defer db.Close()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		service := rounds.NewService(db, notify.NewService(db, nil, notify.Mail{}, log), rounds.DefaultConfig, log)
		return service.Materialize(ctx, time.Now())
	}
}
