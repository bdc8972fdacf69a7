package main

import (
	"database/sql"
	"os"
	"testing"
)

// TestActivityStatement: the sampler's remembered reading of a statement
// is shortQuery's and isBackground's, the first time and again.
func TestActivityStatement(t *testing.T) {
	t.Parallel()
	a := &activitySampler{}
	for _, query := range []string{
		"SELECT * FROM inspections WHERE id = $1 AND org_id = $2",
		"INSERT INTO media (id, org_id)\n    VALUES ($1, $2), ($3, $4)",
		`ANALYZE "media" (created_at, id)`,
		"  vacuum analyze changes",
		"",
		"SELECT " + string(make([]byte, 200)),
	} {
		want := statement{short: shortQuery(query), background: isBackground(query)}
		for round := range 2 {
			if got := a.statement(query); got != want {
				t.Errorf("round %d, %q: %+v, want %+v", round, query, got, want)
			}
		}
	}
	if len(a.seen) != 6 {
		t.Errorf("%d statements remembered, want 6", len(a.seen))
	}
}

// BenchmarkActivitySample is one pg_stat_activity sample of the sampler
// (50 a second whatever the load), through the pool as it was and on the
// connection it now keeps.
func BenchmarkActivitySample(b *testing.B) {
	databaseURL := os.Getenv("TEST_DATABASE_URL")
	if databaseURL == "" {
		b.Skip("TEST_DATABASE_URL is not set")
	}
	admin, err := sql.Open("pgx", databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	conn, err := admin.Conn(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	for _, tc := range []struct {
		name string
		q    querier
	}{{"pool", admin}, {"connection", conn}} {
		b.Run(tc.name, func(b *testing.B) {
			a := &activitySampler{admin: admin, database: "postgres", counts: map[string]int{}}
			b.ReportAllocs()
			for b.Loop() {
				a.sample(b.Context(), tc.q)
			}
			if a.samples == 0 {
				b.Fatal("no sample taken")
			}
		})
	}
}
