package store

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// Counting the statements a piece of work sends to PostgreSQL, so that a
// test can pin how many a push group costs (issue 17: PostgreSQL's CPU per
// pushed inspection is mostly per statement) and a lookup that creeps back
// in per push fails it. Only statements run under a context from
// CountStatements are counted; everything else pays one context lookup.

type statementCountKey struct{}

// CountStatements returns a context under which every statement sent to
// PostgreSQL (BEGIN included; not COMMIT, which the driver sends without
// the caller's context) adds one to the returned counter.
func CountStatements(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, statementCountKey{}, n), n
}

// statementTracer is the pgx tracer that does the counting.
type statementTracer struct{}

func (statementTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	if n, ok := ctx.Value(statementCountKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
	return ctx
}

func (statementTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
