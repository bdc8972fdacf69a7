package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// Pipelined transactions. A push group's transaction sent 14 statements
// in 13 round trips (BEGIN, the callers' standing, the claim's locks, the
// stored-results lookup, the inspections, media, site and reference-data
// lookups, an insert per table, the audit and change-log tail), each a
// wait for PostgreSQL and a wake-up on both sides while the connection sat
// idle in transaction: a group's fixed cost, about 4 ms of CPU whatever
// its size (issue 17). On PostgreSQL a transaction now runs on a
// connection of its own and sends several statements per round trip, in
// pgx pipelines:
//   - BEGIN waits for the transaction's first statement;
//   - reads that do not depend on each other go together (Prefetch);
//   - a transaction that defers its writes (Tx.DeferWrites) keeps the
//     statements whose answers it does not read (bulk inserts, the media
//     links' update, the claim's locks) and sends them with the next
//     statement that needs an answer: the tail, normally.
//
// A push group now sends the same statements in two round trips and
// COMMIT (TestGroupStatementsDoNotGrowWithItsPushes in the syncer).
// Order and meaning are kept: every statement of the transaction, gorm's
// included, goes through pipelinedTx, which sends what is kept before it,
// so no statement runs before one that came earlier. PostgreSQL runs a
// pipeline's statements in order in the one transaction, each with its own
// snapshot, as it would run them one by one; the first that fails aborts
// the transaction and the rest are not run. What a deferred write's
// failure costs is its place: it is reported by the statement it was sent
// with (op names differ), so only callers that do not act on one write's
// error kind defer (the push group, which runs its pushes again one by one
// on any failure, without deferring).

// pipelinedTx is a PostgreSQL transaction on one connection of the pool,
// as gorm's connection pool for the transaction: it sends BEGIN and COMMIT
// itself, so that BEGIN goes with the first statement and COMMIT with what
// is still kept. Not safe for concurrent use, as a transaction is not.
type pipelinedTx struct {
	conn *sql.Conn
	// begun is set once BEGIN has been sent.
	begun bool
	// deferring is set by Tx.DeferWrites: the writes wait (Tx.execDeferred).
	deferring bool
	queued    []queuedStatement
	// failed is the first error a pipeline met: the transaction is aborted
	// from there on, and later statements fail for that reason only.
	failed error
}

// queuedStatement is one statement of a pipeline.
type queuedStatement struct {
	sql  string
	args []any
	// rows, when set, reads the statement's rows (a query of a Prefetch);
	// else its answer is dropped.
	rows func(pgx.Rows) error
}

// beginPipelined takes a connection of its own for the transaction, so
// that its pipelines go to the same backend as its other statements.
// BEGIN is queued: it goes with the transaction's first statement.
func beginPipelined(ctx context.Context, pool *sql.DB) (*pipelinedTx, error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, err
	}
	p := &pipelinedTx{conn: conn}
	p.queue("begin", nil)
	return p, nil
}

// queue keeps a statement whose answer (rows changed) nobody reads.
func (p *pipelinedTx) queue(sql string, args []any) {
	p.queued = append(p.queued, queuedStatement{sql: sql, args: args})
}

// send runs the queued statements, then last when it is not empty, in one
// pipeline; read gets last's answer before the pipeline is closed.
func (p *pipelinedTx) send(ctx context.Context, last string, args []any, read func(pgx.BatchResults) error) error {
	if p.failed != nil {
		return p.failed
	}
	if len(p.queued) == 0 && last == "" {
		return nil
	}
	queued := p.queued
	p.queued = nil
	p.begun = true
	err := p.conn.Raw(func(driverConn any) error {
		conn, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("pipelined transactions need pgx's driver, not %T", driverConn)
		}
		batch := &pgx.Batch{}
		for _, w := range queued {
			batch.Queue(w.sql, w.args...)
		}
		if last != "" {
			batch.Queue(last, args...)
		}
		results := conn.Conn().SendBatch(ctx, batch)
		for _, w := range queued {
			if err := answer(results, w); err != nil {
				results.Close()
				return err
			}
		}
		if read != nil {
			if err := read(results); err != nil {
				results.Close()
				return err
			}
		}
		return results.Close()
	})
	if err != nil {
		p.failed = err
	}
	return err
}

// answer reads one queued statement's answer from the pipeline.
func answer(results pgx.BatchResults, w queuedStatement) error {
	if w.rows == nil {
		_, err := results.Exec()
		return err
	}
	rows, err := results.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := w.rows(rows); err != nil {
		return err
	}
	return rows.Err()
}

// flush sends what is queued, before a statement that must come after it.
func (p *pipelinedTx) flush(ctx context.Context) error {
	if len(p.queued) == 0 {
		return p.failed
	}
	return p.send(ctx, "", nil, nil)
}

// queryRow runs query after what is queued, in the same pipeline, and
// scans its one row into dest.
func (p *pipelinedTx) queryRow(ctx context.Context, query string, args []any, dest ...any) error {
	return p.send(ctx, query, args, func(results pgx.BatchResults) error {
		err := results.QueryRow().Scan(dest...)
		if errors.Is(err, pgx.ErrNoRows) {
			return sql.ErrNoRows
		}
		return err
	})
}

// queries runs what is queued, then each query, in one pipeline, handing
// each query's rows to its reader in order.
func (p *pipelinedTx) queries(ctx context.Context, queries []queuedStatement) error {
	if len(queries) == 0 {
		return p.flush(ctx)
	}
	last := queries[len(queries)-1]
	p.queued = append(p.queued, queries[:len(queries)-1]...)
	return p.send(ctx, last.sql, last.args, func(results pgx.BatchResults) error { return answer(results, last) })
}

// eachRow hands each of rows to each, then answers the rows' error.
func eachRow(rows pgx.Rows, each func(scan func(dest ...any) error) error) error {
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// The connection pool gorm sees: each statement sends the queue first.

func (p *pipelinedTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if err := p.flush(ctx); err != nil {
		return nil, err
	}
	return p.conn.PrepareContext(ctx, query)
}

func (p *pipelinedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := p.flush(ctx); err != nil {
		return nil, err
	}
	return p.conn.ExecContext(ctx, query, args...)
}

func (p *pipelinedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := p.flush(ctx); err != nil {
		return nil, err
	}
	return p.conn.QueryContext(ctx, query, args...)
}

// QueryRowContext cannot hand back the queue's error in a *sql.Row: the
// statement runs in the aborted transaction and fails, and InTx reports
// the queue's error (failed) in its place.
func (p *pipelinedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	p.flush(ctx)
	return p.conn.QueryRowContext(ctx, query, args...)
}

// Commit sends what is still queued and COMMIT in one pipeline. A COMMIT
// of a transaction PostgreSQL had aborted answers ROLLBACK, not an error:
// it is one here.
func (p *pipelinedTx) Commit() error {
	if !p.begun && len(p.queued) == 1 {
		p.queued = nil // only BEGIN: nothing was run
		return nil
	}
	return p.send(context.Background(), "commit", nil, func(results pgx.BatchResults) error {
		tag, err := results.Exec()
		if err == nil && tag.String() == "ROLLBACK" {
			err = pgx.ErrTxCommitRollback
		}
		return err
	})
}

// Rollback drops what is queued (none of it was sent) and rolls back what
// was. A connection that cannot roll back is closed, so that the pool
// does not hand it out again inside the transaction.
func (p *pipelinedTx) Rollback() error {
	p.queued = nil
	if !p.begun {
		return nil
	}
	p.begun = false
	_, err := p.conn.ExecContext(context.Background(), "rollback")
	if err != nil {
		p.conn.Raw(func(driverConn any) error {
			if conn, ok := driverConn.(*stdlib.Conn); ok {
				conn.Conn().Close(context.Background())
			}
			return nil
		})
	}
	return err
}

// close returns the connection to the pool, after Commit or Rollback.
func (p *pipelinedTx) close() { p.conn.Close() }

var (
	_ gorm.ConnPool    = (*pipelinedTx)(nil)
	_ gorm.TxCommitter = (*pipelinedTx)(nil)
	_ pgx.BatchTracer  = statementTracer{}
)

// pipelined is the transaction's pipelinedTx, nil outside a PostgreSQL
// transaction.
func (tx *Tx) pipelined() *pipelinedTx {
	p, _ := tx.gorm.Statement.ConnPool.(*pipelinedTx)
	return p
}

// DeferWrites makes the transaction's deferrable statements (bulk inserts,
// the media links' update, the claim's locks: execDeferred) wait and go
// with its next statement that needs an answer (see above). Only for a
// caller that does not act on one such statement's error kind: its error
// is returned by a later call. On SQLite it does nothing.
func (tx *Tx) DeferWrites() {
	if p := tx.pipelined(); p != nil {
		p.deferring = true
	}
}

// execDeferred runs a statement whose answer is not read: queued when the
// transaction defers its writes, else at once.
func (tx *Tx) execDeferred(sql string, args ...any) error {
	if p := tx.pipelined(); p != nil && p.deferring {
		p.queue(tx.placeholders(sql), args)
		return nil
	}
	return tx.execFast(sql, args...)
}

// queryRows runs a hand-written query (? placeholders) and hands each row
// to each; on PostgreSQL it goes with what the transaction has queued, in
// one round trip.
func (tx *Tx) queryRows(query string, args []any, each func(scan func(dest ...any) error) error) error {
	ctx := tx.gorm.Statement.Context
	if p := tx.pipelined(); p != nil && len(p.queued) > 0 {
		read := queuedStatement{sql: tx.placeholders(query), args: args,
			rows: func(rows pgx.Rows) error { return eachRow(rows, each) }}
		return tx.driverError(p.queries(ctx, []queuedStatement{read}))
	}
	rows, err := tx.gorm.Statement.ConnPool.QueryContext(ctx, tx.placeholders(query), args...)
	if err != nil {
		return tx.driverError(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return tx.driverError(rows.Err())
}
