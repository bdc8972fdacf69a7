package store

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/migrations"
)

func (db *DB) provider() (*goose.Provider, error) {
	files, err := migrations.Dialect(db.dialect)
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
		// Replicas starting together take turns instead of racing.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, db.sql, files, opts...)
}

// Migrate applies every pending migration, each in its own transaction,
// logging each one as it lands.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	const op = "store.Migrate"
	p, err := db.provider()
	if err != nil {
		return errs.E(op, err)
	}
	results, err := p.Up(ctx)
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	if err != nil {
		return errs.E(op, errs.Unavailable, fmt.Errorf("migrate %s: %w", db.dialect, err))
	}
	return nil
}

// SchemaVersion returns the applied and the latest known migration versions.
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, 0, errs.E("store.SchemaVersion", err)
	}
	current, latest, err = p.GetVersions(ctx)
	if err != nil {
		return 0, 0, errs.E("store.SchemaVersion", errs.Unavailable, err)
	}
	return current, latest, nil
}
