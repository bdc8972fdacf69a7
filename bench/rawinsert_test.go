package main

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// BenchmarkRawInsertInspection is the physical reference for push ingest
// (raw.go): the rows one push of a 30-answer night-patrol inspection stood
// for when issue 17 measured it (the inspection, its events, 32
// per-mutation result rows, the counter bump and its change), copied from
// a real push and inserted again under fresh ids with plain pgx: one
// transaction per inspection, every statement queued in one batch. The
// load tool measures the same reference interleaved with its runs
// (--reference). One op is one inspection.
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
	rows, err := copyOfPush(ctx, pool)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			if err := rows.insert(ctx, pool); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inspections/s")
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(8) // 16 connections on 2 cores, like the server's pool under load
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := rows.insert(ctx, pool); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inspections/s")
	})
}
