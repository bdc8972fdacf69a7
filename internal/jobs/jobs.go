// Package jobs runs background work (thumbnails, missed-checkpoint
// detection, escalation, garbage collection, report rendering) on River,
// over the same PostgreSQL or SQLite database as everything else, so that
// a job is never lost with a process and any replica may run it. It is the
// only package that imports River; domain packages hand it plain functions
// and argument structs with a Kind() method.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Args are a job's arguments: a JSON-encodable struct naming its kind.
type Args = river.JobArgs

// Background is the queue of CPU-heavy work nobody waits for (thumbnails):
// it runs one job at a time per replica, so that at peak it takes at most
// one core and requests keep the others. Go cannot lower a goroutine's
// priority, so how many such jobs run at once is the only lever.
const Background = "background"

// backgroundFetchCooldown is how soon the background queue looks for its
// next job. River fetches a queue at most once per cooldown and a
// one-worker queue takes one job per fetch, so the client-wide 100 ms
// would cap it near 10 jobs a second, below the photos a busy day brings
// (60–90 a second in the day scenario); a thumbnail takes 7–9 ms of CPU.
const backgroundFetchCooldown = 5 * time.Millisecond

// queued is what arguments implement to run on a queue other than the
// default one (Background).
type queued interface{ Queue() string }

// Registry collects the job handlers and periodic jobs before the queue
// starts.
type Registry struct {
	workers  *river.Workers
	periodic []*river.PeriodicJob
}

// NewRegistry makes an empty registry.
func NewRegistry() *Registry { return &Registry{workers: river.NewWorkers()} }

// Handle registers fn as the handler of jobs with arguments T. A handler
// must be idempotent: a job runs at least once, maybe more.
func Handle[T Args](r *Registry, fn func(ctx context.Context, args T) error) {
	river.AddWorker(r.workers, river.WorkFunc(func(ctx context.Context, job *river.Job[T]) error {
		return fn(ctx, job.Args)
	}))
}

// Every schedules args to be enqueued every interval (and once at start).
func (r *Registry) Every(interval time.Duration, args Args) {
	r.periodic = append(r.periodic, river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) {
			return args, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: interval}}
		}, &river.PeriodicJobOpts{RunOnStart: true}))
}

// Options tune the queue.
type Options struct {
	Workers      int           // concurrent jobs per replica
	PollInterval time.Duration // how often idle workers look for jobs
	// Migrate applies River's pending migrations; without it Open refuses
	// a database whose River tables are behind, as the app schema is
	// refused (PATROLSYNC_MIGRATE).
	Migrate bool
}

// Queue enqueues jobs on either dialect. It is built before the services
// that enqueue (they take it in their constructors); a Worker, built after
// them from the registry of their handlers, works the jobs.
type Queue struct {
	insert    func(ctx context.Context, args Args, opts *river.InsertOpts) error
	newWorker func(config *river.Config) (start, stop func(ctx context.Context) error, err error)
	close     func()
	opts      Options
	log       *slog.Logger
}

// Open builds the queue on the database (migrating River's own tables with
// opts.Migrate): it enqueues at once but works nothing (NewWorker).
func Open(ctx context.Context, db *store.DB, databaseURL string, opts Options, log *slog.Logger) (*Queue, error) {
	const op = "jobs.Open"
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	insertOnly := &river.Config{Logger: log.With("component", "jobs")} // no queues: a client that only inserts
	if db.Dialect() == store.SQLite {
		driver := riversqlite.New(db.SQL())
		if err := migrate[*sql.Tx](ctx, driver, opts.Migrate); err != nil {
			return nil, errs.E(op, errs.Unavailable, err)
		}
		q, err := wrap(driver, insertOnly, func() {})
		if err != nil {
			return nil, errs.E(op, errs.Internal, err)
		}
		q.opts, q.log = opts, log
		return q, nil
	}
	pool, err := pgxpool.New(ctx, databaseURL)
	if err != nil {
		return nil, errs.E(op, errs.Unavailable, err)
	}
	driver := riverpgxv5.New(pool)
	if err := migrate[pgx.Tx](ctx, driver, opts.Migrate); err != nil {
		pool.Close()
		return nil, errs.E(op, errs.Unavailable, err)
	}
	q, err := wrap[pgx.Tx](driver, insertOnly, pool.Close)
	if err != nil {
		pool.Close()
		return nil, errs.E(op, errs.Internal, err)
	}
	q.opts, q.log = opts, log
	return q, nil
}

// migrate brings River's tables up to date, or with apply false checks
// that they are.
func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], apply bool) error {
	migrator, err := rivermigrate.New[TTx](driver, nil)
	if err != nil {
		return err
	}
	if !apply {
		result, err := migrator.Validate(ctx, nil)
		if err != nil {
			return fmt.Errorf("river migrations: %w", err)
		}
		if !result.OK {
			return fmt.Errorf("River's job tables are behind this binary (%s): run `patrolsync migrate` or set PATROLSYNC_MIGRATE=true",
				strings.Join(result.Messages, "; "))
		}
		return nil
	}
	_, err = migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}

func wrap[TTx any](driver riverdriver.Driver[TTx], insertOnly *river.Config, closeFn func()) (*Queue, error) {
	client, err := river.NewClient(driver, insertOnly)
	if err != nil {
		return nil, err
	}
	return &Queue{
		insert: func(ctx context.Context, args Args, opts *river.InsertOpts) error {
			_, err := client.Insert(ctx, args, opts)
			return err
		},
		newWorker: func(config *river.Config) (start, stop func(ctx context.Context) error, err error) {
			worker, err := river.NewClient(driver, config)
			if err != nil {
				return nil, nil, err
			}
			return worker.Start, worker.Stop, nil
		},
		close: closeFn,
	}, nil
}

// Enqueue adds a job. Call it after the transaction that made the job
// necessary has committed; handlers are idempotent, and a periodic sweep
// catches anything a crash between the two left out.
func (q *Queue) Enqueue(ctx context.Context, args Args) error {
	var opts *river.InsertOpts
	if named, ok := args.(queued); ok {
		opts = &river.InsertOpts{Queue: named.Queue()}
	}
	if err := q.insert(ctx, args, opts); err != nil {
		return errs.E("jobs.Enqueue", errs.Unavailable, err)
	}
	return nil
}

// Close releases the database pool of a queue no worker was started on.
func (q *Queue) Close() { q.close() }

// Worker works the jobs of a registry on a queue's database.
type Worker struct {
	start, stop func(ctx context.Context) error
	close       func()
}

// NewWorker builds the worker of the registry's handlers and periodic jobs
// on q's database, with q's options. It works nothing until Start.
func NewWorker(q *Queue, reg *Registry) (*Worker, error) {
	start, stop, err := q.newWorker(&river.Config{
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: q.opts.Workers},
			Background:         {MaxWorkers: 1, FetchCooldown: backgroundFetchCooldown},
		},
		Workers:           reg.workers,
		PeriodicJobs:      reg.periodic,
		Logger:            q.log.With("component", "jobs"),
		FetchPollInterval: q.opts.PollInterval,
		FetchCooldown:     min(q.opts.PollInterval, 100*time.Millisecond),
		MaxAttempts:       10,
		JobTimeout:        5 * time.Minute,
	})
	if err != nil {
		return nil, errs.E("jobs.NewWorker", errs.Internal, err)
	}
	return &Worker{start: start, stop: stop, close: q.close}, nil
}

// Start begins working jobs until Stop.
func (w *Worker) Start(ctx context.Context) error {
	if err := w.start(ctx); err != nil {
		return errs.E("jobs.Start", errs.Unavailable, err)
	}
	return nil
}

// Stop finishes running jobs (until ctx ends) and releases the queue's
// database pool: nothing is enqueued after.
func (w *Worker) Stop(ctx context.Context) error {
	err := w.stop(ctx)
	w.close()
	return errs.Wrap("jobs.Stop", err)
}
