package store

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"
)

// utcPool is the SQLite connection pool as gorm sees it: every statement's
// time arguments are bound in UTC.
//
// SQLite has no timestamp type. The driver writes a time as text with the
// value's own offset ("2026-12-07 00:00:00+08:00") and SQLite compares that
// text as text, so two instants in different zones compare in the wrong
// order: a report's week starting at Shanghai midnight sorted after a row
// written at 16:45 UTC the evening before, the later instant. With every
// time written and compared in UTC, text order is instant order, as
// PostgreSQL's timestamptz order always is. Values are read back in UTC too,
// as PostgreSQL returns them.
type utcPool struct{ *sql.DB }

var (
	_ gorm.ConnPool         = utcPool{}
	_ gorm.ConnPoolBeginner = utcPool{}
	_ gorm.GetDBConnector   = utcPool{}
	_ gorm.ConnPool         = (*utcTx)(nil)
	_ gorm.TxCommitter      = (*utcTx)(nil)
)

func (p utcPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.DB.ExecContext(ctx, query, inUTC(args)...)
}

func (p utcPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.DB.QueryContext(ctx, query, inUTC(args)...)
}

func (p utcPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.DB.QueryRowContext(ctx, query, inUTC(args)...)
}

// BeginTx starts a transaction whose statements bind times in UTC too.
func (p utcPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	tx, err := p.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &utcTx{tx}, nil
}

// GetDBConn lets gorm's DB() find the *sql.DB underneath.
func (p utcPool) GetDBConn() (*sql.DB, error) { return p.DB, nil }

// utcTx is a transaction of utcPool. Commit and Rollback are sql.Tx's own;
// PrepareContext is too, and nothing here prepares statements. gorm wants
// a pointer: it asks reflect whether the committer is nil.
type utcTx struct{ *sql.Tx }

func (t utcTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, query, inUTC(args)...)
}

func (t utcTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, query, inUTC(args)...)
}

func (t utcTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, query, inUTC(args)...)
}

// inUTC is args with its times in UTC: the forms gorm and this package
// bind (a time, a pointer to one, a nullable one). Other values pass as
// they are; args itself, which is the caller's, is copied before a change.
func inUTC(args []any) []any {
	copied := false
	for i, a := range args {
		var utc any
		switch v := a.(type) {
		case time.Time:
			utc = v.UTC()
		case *time.Time:
			if v == nil {
				continue
			}
			utc = v.UTC()
		case sql.NullTime:
			utc = sql.NullTime{Time: v.Time.UTC(), Valid: v.Valid}
		case *sql.NullTime:
			if v == nil {
				continue
			}
			utc = sql.NullTime{Time: v.Time.UTC(), Valid: v.Valid}
		case gorm.DeletedAt:
			utc = gorm.DeletedAt{Time: v.Time.UTC(), Valid: v.Valid}
		default:
			continue
		}
		if !copied {
			args = append([]any(nil), args...)
			copied = true
		}
		args[i] = utc
	}
	return args
}
