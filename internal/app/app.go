// Package app assembles the services from a Config: it opens the database
// and the blob store and builds every use-case service. cmd/patrolsync and
// the integration tests share it, so that tests run what production runs.
// It never serves HTTP itself.
package app

import (
	"context"
	"fmt"
	"github.com/patrolsync/patrolsync/checklists"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/auth"
	"github.com/patrolsync/patrolsync/internal/blob"
	"github.com/patrolsync/patrolsync/internal/blob/local"
	"github.com/patrolsync/patrolsync/internal/blob/s3"
	"github.com/patrolsync/patrolsync/internal/config"
	"github.com/patrolsync/patrolsync/internal/countersign"
	"github.com/patrolsync/patrolsync/internal/drills"
	"github.com/patrolsync/patrolsync/internal/duties"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/finding"
	"github.com/patrolsync/patrolsync/internal/idempotency"
	"github.com/patrolsync/patrolsync/internal/incident"
	"github.com/patrolsync/patrolsync/internal/inspection"
	"github.com/patrolsync/patrolsync/internal/jobs"
	"github.com/patrolsync/patrolsync/internal/media"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/org"
	"github.com/patrolsync/patrolsync/internal/plans"
	"github.com/patrolsync/patrolsync/internal/records"
	"github.com/patrolsync/patrolsync/internal/reference"
	"github.com/patrolsync/patrolsync/internal/review"
	"github.com/patrolsync/patrolsync/internal/rounds"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/syncer"
	"github.com/patrolsync/patrolsync/internal/templates"
)

// App is the assembled server minus its HTTP layer.
type App struct {
	Config      config.Config
	Log         *slog.Logger
	DB          *store.DB
	Blobs       blob.Store
	BlobHandler http.Handler // serves presigned URLs of the local store; nil for S3
	BlobOrigins []string     // web origins of presigned URLs other than the server's own
	Auth        *auth.Service
	Org         *org.Service
	Idempotency *idempotency.Service
	Sync        *syncer.Service
	Jobs        *jobs.Queue  // enqueues
	Worker      *jobs.Worker // works the jobs of every service (jobs())
	Inspections *inspection.Service
	Templates   *templates.Service
	Notify      *notify.Service
	Rounds      *rounds.Service
	Incidents   *incident.Service
	Media       *media.Service
	Audit       *audit.Service
	Reviews     *review.Service
	Findings    *finding.Service
	Records     *records.Service
	Keys        *countersign.Service
	Reference   *reference.Service
	Plans       *plans.Service
	Drills      *drills.Service
	Duties      *duties.Service
}

// Open connects to the stores and builds the services. With cfg.Migrate it
// applies pending migrations; without, it refuses a schema that is behind.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: db}
	if err := a.schema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := a.openBlobs(ctx); err != nil {
		db.Close()
		return nil, err
	}
	signer, err := auth.NewSigner(append([][]byte{cfg.JWTSecret}, cfg.JWTPrevious...), cfg.AccessTTL)
	if err != nil {
		db.Close()
		return nil, err
	}
	if a.Auth, err = auth.NewService(db, signer, cfg.RefreshTTL, auth.DefaultThrottle, cfg.BcryptCost); err != nil {
		db.Close()
		return nil, err
	}
	a.Idempotency = idempotency.NewService(db)
	a.Inspections = inspection.NewService(db)
	a.Templates = templates.NewService(db)
	a.Audit = audit.NewService(db)
	a.Reviews = review.NewService(db, a.Inspections)
	a.Findings = finding.NewService(db)
	a.Keys = countersign.NewService(db)
	a.Reference = reference.NewService(db)
	a.Plans = plans.NewService(db)
	a.Duties = duties.NewService(db)
	a.Org = org.NewService(db, cfg.BcryptCost, a.Templates.SeedLibrary, rounds.SeedDefaults)
	// The queue enqueues from the start; its worker is built last, from the
	// handlers of the services that enqueue on it.
	if a.Jobs, err = jobs.Open(ctx, db, cfg.DatabaseURL, jobs.Options{Workers: cfg.JobWorkers,
		PollInterval: cfg.JobPoll, Migrate: cfg.Migrate}, log); err != nil {
		db.Close()
		return nil, err
	}
	a.Notify = notify.NewService(db, func(ctx context.Context, args notify.DeliverArgs) error { return a.Jobs.Enqueue(ctx, args) },
		notify.Mail{SMTP: notify.SMTPConfig{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUsername,
			Password: cfg.SMTPPassword, TLS: cfg.SMTPTLS}, BaseURL: cfg.BaseURL}, log)
	a.Rounds = rounds.NewService(db, a.Notify, rounds.Config{Grace: cfg.RoundGrace, SyncDelay: cfg.RoundSyncDelay,
		Skew: cfg.ScanClockSkew, Horizon: cfg.RoundHorizon}, log)
	a.Incidents = incident.NewService(db, a.Notify)
	a.Drills = drills.NewService(db, a.Notify)
	mediaLimits := media.Limits{MaxBytes: cfg.MediaMaxBytes, MultipartThreshold: cfg.MediaMultipartThreshold,
		PartSize: cfg.MediaPartSize, MaxPerInspection: cfg.MediaMaxPerInspection, OrphanGrace: cfg.MediaOrphanGrace}
	a.Media = media.NewService(db, a.Blobs, mediaLimits, a.Jobs, log)
	a.Sync = syncer.NewService(db, a.pinnedTemplate, syncer.Options{Rounds: a.Rounds.Config(), Notifier: a.Notify,
		MediaLimits: mediaLimits}, log)
	a.Records = records.NewService(db, a.Inspections, a.Media.Thumbnail)
	if a.Worker, err = jobs.NewWorker(a.Jobs, a.jobs()); err != nil {
		a.Jobs.Close()
		db.Close()
		return nil, err
	}
	return a, nil
}

// jobs registers every background job and its schedule.
func (a *App) jobs() *jobs.Registry {
	reg := jobs.NewRegistry()
	jobs.Handle(reg, a.Sync.PruneLog)
	reg.Every(6*time.Hour, syncer.PruneLogArgs{RetentionHours: int(a.Config.ChangeRetention.Hours())})
	jobs.Handle(reg, a.Rounds.MaterializeJob)
	reg.Every(15*time.Minute, rounds.MaterializeArgs{})
	jobs.Handle(reg, a.Rounds.DetectMissedJob)
	reg.Every(5*time.Minute, rounds.DetectMissedArgs{})
	jobs.Handle(reg, a.Incidents.EscalateJob)
	reg.Every(time.Minute, incident.EscalateArgs{})
	jobs.Handle(reg, a.Notify.Deliver)
	jobs.Handle(reg, a.Notify.Sweep)
	reg.Every(10*time.Minute, notify.SweepArgs{})
	jobs.Handle(reg, a.Media.MakeThumbnail)
	jobs.Handle(reg, a.Media.Collect)
	reg.Every(time.Hour, media.CollectArgs{GraceSeconds: int64(a.Config.MediaOrphanGrace.Seconds())})
	jobs.Handle(reg, a.Drills.OverdueJob)
	reg.Every(15*time.Minute, drills.OverdueArgs{})
	jobs.Handle(reg, a.Backfill)
	reg.Every(time.Hour, BackfillArgs{})
	jobs.Handle(reg, a.Findings.Escalate)
	reg.Every(15*time.Minute, finding.EscalateArgs{StepHours: 24})
	if a.DB.Dialect() == store.Postgres {
		jobs.Handle(reg, a.refreshStatistics)
		reg.Every(5*time.Second, refreshStatisticsArgs{})
	}
	return reg
}

// BackfillArgs is the job that writes the change-log entries a release owes
// records made before their kind went into the log (migrations name them in
// sync_backfills). It runs when a replica starts and hourly after; once
// the backfills are done it only reads an empty table.
type BackfillArgs struct{}

// Kind names the job.
func (BackfillArgs) Kind() string { return "sync.backfill" }

// Backfill runs every pending backfill and drops each one that finished in
// every organisation; one that failed stays for the next run (each writes
// only what the log still lacks, so a rerun never duplicates).
func (a *App) Backfill(ctx context.Context, _ BackfillArgs) error {
	pending, err := a.DB.PendingBackfills(ctx)
	if err != nil {
		return err
	}
	runs := map[string]func(context.Context) (int, error){"drill": a.Drills.BackfillLog, "site_person": a.Org.BackfillPeople}
	for _, name := range pending {
		run, ok := runs[name]
		if !ok { // a newer release's, during a rolling upgrade: it runs it
			a.Log.Warn("backfill left to a newer release", "name", name)
			continue
		}
		written, err := run(ctx)
		if err != nil {
			return err
		}
		if err := a.DB.FinishBackfill(ctx, name); err != nil {
			return err
		}
		a.Log.Info("change log backfilled", "entity_type", name, "entries", written)
	}
	return nil
}

// refreshStatisticsArgs is the job that keeps PostgreSQL's cached plans
// made for the tables' current sizes (store.RefreshStatistics).
type refreshStatisticsArgs struct{}

func (refreshStatisticsArgs) Kind() string { return "refresh_statistics" }

func (a *App) refreshStatistics(ctx context.Context, _ refreshStatisticsArgs) error {
	// The job is due every 5 s on every replica, and River starts it again
	// while the last run is still analyzing (seconds, on a loaded machine):
	// a second ANALYZE of a table would wait for the first's lock and then
	// do the same work again, on the cores the pushes need (seen in paced
	// runs, docs/benchmarks.md, branch tail17). RefreshStatistics takes a
	// PostgreSQL advisory lock, so one run at a time across all replicas;
	// a run that finds it taken does nothing.
	tables, err := a.DB.RefreshStatistics(ctx)
	if len(tables) > 0 {
		a.Log.Info("planner statistics refreshed", "tables", tables)
	}
	return err
}

// pinnedTemplate hands sync the published versions inspections pin.
func (a *App) pinnedTemplate(ctx context.Context, templateID string, number int) (*checklists.Template, string, error) {
	doc, info, err := a.Templates.PinnedVersion(ctx, templateID, number)
	return doc, info.Key, err
}

func (a *App) schema(ctx context.Context) error {
	if a.Config.Migrate {
		return a.DB.Migrate(ctx, a.Log)
	}
	current, latest, err := a.DB.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if current < latest {
		return errs.E("app.Open", errs.Unavailable, fmt.Sprintf(
			"database schema is at version %d, this binary needs %d: run `patrolsync migrate` or set PATROLSYNC_MIGRATE=true", current, latest))
	}
	return nil
}

func (a *App) openBlobs(ctx context.Context) error {
	raw := a.Config.Blobs
	if strings.HasPrefix(raw, "s3://") {
		cfg, err := s3.ParseURL(raw)
		if err != nil {
			return err
		}
		store, err := s3.NewS3(cfg)
		if err != nil {
			return err
		}
		// A store that is down at start-up is not fatal: /readyz reports it,
		// media requests answer 503, and uploads resume once it is back.
		if err := store.EnsureBucket(ctx); errs.Is(err, errs.Unavailable) {
			a.Log.Warn("blob store unavailable at start-up", "err", err)
		} else if err != nil {
			return err
		}
		a.Blobs, a.BlobOrigins = store, cfg.Origins()
		return nil
	}
	dir := filepath.Clean(strings.TrimPrefix(raw, "file://"))
	store, err := local.New(dir, a.Config.BaseURL+"/v1/blobs", a.Config.BlobSecret)
	if err != nil {
		return err
	}
	a.Blobs, a.BlobHandler = store, store.Handler()
	return nil
}

// Checks are the readiness checks: the database and the blob store answer.
func (a *App) Checks() map[string]func(context.Context) error {
	return map[string]func(context.Context) error{"database": a.DB.Ping, "blobs": a.Blobs.Ping}
}

// Close releases the database pool.
func (a *App) Close() error { return a.DB.Close() }
