package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The raw-insert reference: what PostgreSQL alone costs for the rows one
// pushed 30-answer inspection stood for when issue 17 measured it. The
// newest inspection the server stored, its events and its change-log entry
// are copied and inserted again under fresh ids with plain pgx, beside 32
// per-mutation result rows in the layout the server used then (one row per
// mutation with its result, keyed by organisation, mutation, device and
// user; bench_raw_mutations, made here). One transaction per inspection,
// every statement queued in one pgx batch (one round trip between BEGIN
// and COMMIT), the counter bumped and the change numbered from it. No
// server, no validation, no lookups, no audit entries, no media. The
// reference stays the same whatever layout the server under test uses, so
// ratios to it compare across versions.

// rawMutationsDDL is the per-mutation results table as migrations 00003
// and 00120 made it.
const rawMutationsDDL = `CREATE TABLE IF NOT EXISTS bench_raw_mutations (
    org_id      uuid NOT NULL,
    mutation_id uuid NOT NULL,
    user_id     uuid NOT NULL,
    device_id   uuid NOT NULL,
    type        text NOT NULL,
    entity_id   uuid,
    status      text NOT NULL,
    result      bytea NOT NULL,
    client_time timestamptz,
    received_at timestamptz NOT NULL,
    body_hash   bytea,
    PRIMARY KEY (org_id, mutation_id, device_id, user_id)
)`

// pushRows are the rows of one pushed inspection, column by column.
type pushRows struct {
	orgID            any
	userID, deviceID any
	inspection       row
	events           []row
	change           row
	answers          int
	insertSQL        map[string]string // by table
	changeSQL        string
}

type row struct {
	columns []string
	values  []any
}

// copyOfPush reads the newest inspection the server stored and the rows
// its push wrote, and makes the reference's results table.
func copyOfPush(ctx context.Context, pool *pgxpool.Pool) (*pushRows, error) {
	if _, err := pool.Exec(ctx, rawMutationsDDL); err != nil {
		return nil, err
	}
	var id uuid.UUID
	if err := pool.QueryRow(ctx, "SELECT id FROM inspections WHERE status = 'submitted' ORDER BY created_at DESC LIMIT 1").Scan(&id); err != nil {
		return nil, fmt.Errorf("the newest submitted inspection: %w", err)
	}
	read := func(query string) ([]row, error) {
		result, err := pool.Query(ctx, query, id)
		if err != nil {
			return nil, err
		}
		defer result.Close()
		var out []row
		for result.Next() {
			values, err := result.Values()
			if err != nil {
				return nil, err
			}
			r := row{values: values}
			for _, field := range result.FieldDescriptions() {
				r.columns = append(r.columns, field.Name)
			}
			out = append(out, r)
		}
		return out, result.Err()
	}
	inspections, err1 := read("SELECT * FROM inspections WHERE id = $1")
	events, err2 := read("SELECT * FROM inspection_events WHERE inspection_id = $1")
	changes, err3 := read("SELECT * FROM changes WHERE entity_id = $1")
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, err
	}
	if len(inspections) != 1 || len(changes) != 1 {
		return nil, fmt.Errorf("the newest inspection has %d rows and %d changes; want 1 and 1", len(inspections), len(changes))
	}
	p := &pushRows{inspection: inspections[0], events: events, change: changes[0], insertSQL: map[string]string{}, answers: 30}
	p.orgID, p.userID, p.deviceID = p.inspection.value("org_id"), p.inspection.value("owner_id"), p.inspection.value("device_id")
	p.insertSQL["inspections"] = insertStatement("inspections", p.inspection.columns)
	if len(events) > 0 {
		p.insertSQL["inspection_events"] = insertStatement("inspection_events", events[0].columns)
	}
	p.insertSQL["bench_raw_mutations"] = insertStatement("bench_raw_mutations", []string{"org_id", "mutation_id", "user_id",
		"device_id", "type", "entity_id", "status", "result", "client_time", "received_at", "body_hash"})
	// The change takes its number from the counter bumped just before it.
	p.change = p.change.without("seq")
	p.changeSQL = strings.Replace(insertStatement("changes", p.change.columns), ") VALUES (", ", seq) VALUES (", 1)
	p.changeSQL = strings.TrimSuffix(p.changeSQL, ")") + fmt.Sprintf(", (SELECT seq FROM org_counters WHERE org_id = $%d))",
		slices.Index(p.change.columns, "org_id")+1)
	return p, nil
}

func (r row) value(column string) any {
	for i, c := range r.columns {
		if c == column {
			return r.values[i]
		}
	}
	panic("no column " + column)
}

// with is the row's values with some columns replaced.
func (r row) with(replace map[string]any) []any {
	out := make([]any, len(r.values))
	for i, c := range r.columns {
		if v, ok := replace[c]; ok {
			out[i] = v
		} else {
			out[i] = r.values[i]
		}
	}
	return out
}

// without is the row less one column.
func (r row) without(column string) row {
	i := slices.Index(r.columns, column)
	return row{columns: slices.Delete(slices.Clone(r.columns), i, i+1), values: slices.Delete(slices.Clone(r.values), i, i+1)}
}

// insertStatement is INSERT INTO table (columns) VALUES ($1, ...).
func insertStatement(table string, columns []string) string {
	placeholders := make([]string, len(columns))
	for i := range columns {
		placeholders[i] = fmt.Sprintf("$%d", i+1)
	}
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, strings.Join(columns, ", "), strings.Join(placeholders, ", "))
}

// insert writes one inspection's rows under fresh ids in one transaction:
// the inspection, its events, start + answers + submit as result rows
// shaped as the server answers them, the counter bump and the change.
func (p *pushRows) insert(ctx context.Context, pool *pgxpool.Pool) error {
	id := uuid.Must(uuid.NewV7())
	now := time.Now().UTC()
	batch := &pgx.Batch{}
	batch.Queue(p.insertSQL["inspections"], p.inspection.with(map[string]any{"id": id})...)
	for _, e := range p.events {
		batch.Queue(p.insertSQL["inspection_events"], e.with(map[string]any{"id": uuid.Must(uuid.NewV7()), "inspection_id": id})...)
	}
	for i := 0; i < p.answers+2; i++ {
		mutationID := uuid.Must(uuid.NewV7())
		kind := "answer.set"
		switch i {
		case 0:
			kind = "inspection.start"
		case p.answers + 1:
			kind = "inspection.submit"
		}
		result := fmt.Appendf(nil, `{"mutation_id":"%s","status":"applied","entity_id":"%s","version":%d}`, mutationID, id, i+1)
		hash := make([]byte, 32)
		copy(hash, mutationID[:])
		batch.Queue(p.insertSQL["bench_raw_mutations"], p.orgID, mutationID, p.userID, p.deviceID, kind, id, "applied", result,
			now, now, hash)
	}
	batch.Queue("UPDATE org_counters SET seq = seq + 1 WHERE org_id = $1", p.orgID)
	batch.Queue(p.changeSQL, p.change.with(map[string]any{"entity_id": id})...)
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return tx.SendBatch(ctx, batch).Close() })
}

// runRaw inserts inspections from workers goroutines until the duration
// is over, and returns how many it inserted.
func (p *pushRows) runRaw(ctx context.Context, pool *pgxpool.Pool, workers int, duration time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	var done atomic.Int64
	var wg sync.WaitGroup
	failures := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				if err := p.insert(ctx, pool); err != nil {
					if ctx.Err() == nil {
						failures[w] = err
					}
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	return int(done.Load()), errors.Join(failures...)
}
