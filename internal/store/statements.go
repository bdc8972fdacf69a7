package store

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5"
)

// Counting the statements a piece of work sends to PostgreSQL, and keeping
// their texts, so that a test can pin how many a push group costs (issue
// 17: PostgreSQL's CPU per pushed inspection is mostly per statement) and
// that their texts do not depend on how many pushes the group holds (each
// text is prepared and planned anew on every connection). Only statements
// run under a context from CountStatements are recorded; everything else
// pays one context lookup.

type statementCountKey struct{}

// Statements are the statements sent under one context.
type Statements struct {
	mu         sync.Mutex
	texts      []string
	roundTrips int
}

// RoundTrips is how many times the statements were sent: one for each
// statement sent alone, one for each pipeline (deferred writes).
func (s *Statements) RoundTrips() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.roundTrips
}

// Len is how many statements were sent.
func (s *Statements) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.texts)
}

// Texts are the statements sent, in order.
func (s *Statements) Texts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.texts...)
}

// CountStatements returns a context under which every statement sent to
// PostgreSQL (BEGIN included; not COMMIT, which the driver sends without
// the caller's context) is recorded in the returned Statements.
func CountStatements(ctx context.Context) (context.Context, *Statements) {
	s := new(Statements)
	return context.WithValue(ctx, statementCountKey{}, s), s
}

// statementTracer is the pgx tracer that does the recording.
type statementTracer struct{}

func (statementTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if s, ok := ctx.Value(statementCountKey{}).(*Statements); ok {
		s.mu.Lock()
		s.texts = append(s.texts, data.SQL)
		s.roundTrips++
		s.mu.Unlock()
	}
	return ctx
}

func (statementTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// A pipeline is one round trip; each of its statements is recorded as it
// is answered.
func (statementTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	if s, ok := ctx.Value(statementCountKey{}).(*Statements); ok {
		s.mu.Lock()
		s.roundTrips++
		s.mu.Unlock()
	}
	return ctx
}

func (statementTracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	if s, ok := ctx.Value(statementCountKey{}).(*Statements); ok {
		s.mu.Lock()
		s.texts = append(s.texts, data.SQL)
		s.mu.Unlock()
	}
}

func (statementTracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}
