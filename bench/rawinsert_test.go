package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BenchmarkRawInsertInspection is the physical reference for push ingest:
// the rows one push of a 30-answer night-patrol inspection writes (the
// inspection, its events, its 32 mutation results, the counter bump and
// its change), copied from a real push and inserted again under fresh ids
// with plain pgx: one transaction per inspection, every statement queued
// in one batch (one round trip plus BEGIN and COMMIT). No server, no gorm,
// no validation, no reads: what PostgreSQL alone costs. The media
// declaration of the signature and the duplicate-mutation and inspection
// lookups are not included. One op is one inspection.
//
//	go test -run '^$' -bench RawInsert -benchtime 2000x ./bench/
func BenchmarkRawInsertInspection(b *testing.B) {
	f := pushFixture(b)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, f.databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	rows := copyOfPush(b, ctx, pool)
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			rows.insert(b, ctx, pool)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inspections/s")
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(8) // 16 connections on 2 cores, like the server's pool under load
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				rows.insert(b, ctx, pool)
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inspections/s")
	})
}

// pushRows are the rows of one pushed inspection, column by column.
type pushRows struct {
	orgID      any
	inspection row
	events     []row
	mutations  []row
	change     row
	insertSQL  map[string]string // by table
	changeSQL  string
}

type row struct {
	columns []string
	values  []any
}

// copyOfPush reads the newest inspection the fixture pushed and every row
// its push wrote.
func copyOfPush(b *testing.B, ctx context.Context, pool *pgxpool.Pool) *pushRows {
	var id uuid.UUID
	if err := pool.QueryRow(ctx, "SELECT id FROM inspections ORDER BY created_at DESC LIMIT 1").Scan(&id); err != nil {
		b.Fatal(err)
	}
	read := func(query string) []row {
		result, err := pool.Query(ctx, query, id)
		if err != nil {
			b.Fatal(err)
		}
		defer result.Close()
		var out []row
		for result.Next() {
			values, err := result.Values()
			if err != nil {
				b.Fatal(err)
			}
			r := row{values: values}
			for _, field := range result.FieldDescriptions() {
				r.columns = append(r.columns, field.Name)
			}
			out = append(out, r)
		}
		if err := result.Err(); err != nil {
			b.Fatal(err)
		}
		return out
	}
	inspections := read("SELECT * FROM inspections WHERE id = $1")
	events := read("SELECT * FROM inspection_events WHERE inspection_id = $1")
	mutations := read("SELECT * FROM mutations WHERE entity_id = $1")
	changes := read("SELECT * FROM changes WHERE entity_id = $1")
	if len(inspections) != 1 || len(mutations) != 32 || len(changes) != 1 {
		b.Fatalf("one push wrote %d inspections, %d mutations, %d changes; want 1, 32, 1", len(inspections), len(mutations), len(changes))
	}
	p := &pushRows{inspection: inspections[0], events: events, mutations: mutations, change: changes[0], insertSQL: map[string]string{}}
	p.orgID = p.inspection.value("org_id")
	for table, r := range map[string]row{"inspections": p.inspection, "mutations": mutations[0]} {
		p.insertSQL[table] = insertStatement(table, r.columns)
	}
	if len(events) > 0 {
		p.insertSQL["inspection_events"] = insertStatement("inspection_events", events[0].columns)
	}
	// The change takes its number from the counter bumped just before it.
	p.change = p.change.without("seq")
	p.changeSQL = strings.Replace(insertStatement("changes", p.change.columns), ") VALUES (", ", seq) VALUES (", 1)
	p.changeSQL = strings.TrimSuffix(p.changeSQL, ")") + fmt.Sprintf(", (SELECT seq FROM org_counters WHERE org_id = $%d))",
		slices.Index(p.change.columns, "org_id")+1)
	b.Logf("copied one push: 1 inspection (%d bytes of answers), %d events, %d mutations, 1 change (%d bytes of data)",
		len(p.inspection.value("answers").([]byte)), len(events), len(mutations), len(p.change.value("data").([]byte)))
	return p
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

// insert writes one inspection's rows under fresh ids in one transaction.
func (p *pushRows) insert(b *testing.B, ctx context.Context, pool *pgxpool.Pool) {
	id := uuid.Must(uuid.NewV7())
	batch := &pgx.Batch{}
	batch.Queue(p.insertSQL["inspections"], p.inspection.with(map[string]any{"id": id})...)
	for _, e := range p.events {
		batch.Queue(p.insertSQL["inspection_events"], e.with(map[string]any{"id": uuid.Must(uuid.NewV7()), "inspection_id": id})...)
	}
	for _, m := range p.mutations {
		batch.Queue(p.insertSQL["mutations"], m.with(map[string]any{"mutation_id": uuid.Must(uuid.NewV7()), "entity_id": id})...)
	}
	batch.Queue("UPDATE org_counters SET seq = seq + 1 WHERE org_id = $1", p.orgID)
	batch.Queue(p.changeSQL, p.change.with(map[string]any{"entity_id": id})...)
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return tx.SendBatch(ctx, batch).Close() })
	if err != nil {
		b.Fatal(err)
	}
}
