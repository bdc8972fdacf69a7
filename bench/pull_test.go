package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	httpapi "github.com/patrolsync/patrolsync/api"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/syncer"
)

// pullChanges is how many findings BenchmarkPull10k creates: one change
// each in the change log, besides the organisation's templates and site.
const pullChanges = 10_000

// BenchmarkPull10k is a device's full sync of an organisation with 10 000
// small findings (created through the real sync service, in batches of
// 500 finding.create) plus its seeded templates, in pages of 1000 and of
// 500: through syncer.Service.Pull, each page encoded as the HTTP handler
// encodes it (limit=N), and as a phone gets it, GET /v1/sync/pull through
// the real router over a loopback connection, with the guard's token
// (http/limit=N). One op is one whole full pull; changes/s is reported.
//
//	go test -run '^$' -bench Pull10k -benchtime 20x ./bench/
func BenchmarkPull10k(b *testing.B) {
	f := pullFixture(b)
	for _, limit := range []int{1000, 500} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			measurePulls(b, f, func() (int, int) { return fullPull(b, f, limit) })
		})
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	server := httptest.NewServer(httpapi.New(httpapi.DepsFrom(f.app), httpapi.Options{BodyLimit: f.cfg.BodyLimit, Version: "bench"}, log))
	b.Cleanup(server.Close)
	tokens, err := f.app.Auth.Login(f.ctx, "guard@bench.invalid", "benchmark password", "bench-phone", "127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	for _, limit := range []int{1000, 500} {
		b.Run(fmt.Sprintf("http/limit=%d", limit), func(b *testing.B) {
			measurePulls(b, f, func() (int, int) { return fullPullHTTP(b, server, tokens.AccessToken, limit) })
		})
	}
}

// pullFixture is a fresh organisation holding pullChanges findings of the
// fixture's guard, analysed.
func pullFixture(b *testing.B) *fixture {
	f := newFixture(b)
	for start := 0; start < pullChanges; start += syncer.MaxBatch {
		batch := make([]mutation.Envelope, 0, syncer.MaxBatch)
		for i := start; i < min(start+syncer.MaxBatch, pullChanges); i++ {
			batch = append(batch, must(mutation.New(newID(), mutation.FindingCreate, newID(), mutation.CreateFinding{SiteID: f.siteID,
				Title: fmt.Sprintf("Loose cable %d", i), Description: "A cable lies across the corridor by the fire door.",
				Severity: "low"}, "")))
		}
		results, err := f.app.Sync.Push(f.ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		for _, raw := range results {
			var r struct{ Status string }
			if json.Unmarshal(raw, &r) != nil || r.Status != syncer.Applied {
				b.Fatalf("finding.create answered %s", raw)
			}
		}
	}
	analyze(b, f.databaseURL)
	return f
}

// measurePulls runs full pulls and reports their changes, rate and size,
// and the CPU each took: of this process (the service, and in the http
// cases the router and the phone's side of the connection too) and of the
// PostgreSQL backends serving the fixture's database. CPU time, unlike the
// wall time, hardly moves with the machine's other work.
func measurePulls(b *testing.B, f *fixture, pull func() (changes, bytes int)) {
	admin, err := sql.Open("pgx", f.databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	database, err := url.Parse(f.databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	cpu := cpuObserver{serverPIDs: []int{os.Getpid()}, admin: admin, database: strings.TrimPrefix(database.Path, "/")}
	changes, bytes := 0, 0
	cpu.begin(f.ctx)
	for b.Loop() {
		changes, bytes = pull()
	}
	cpu.end(f.ctx)
	if changes < pullChanges {
		b.Fatalf("a full pull gave %d changes, want at least %d", changes, pullChanges)
	}
	b.ReportMetric(float64(changes), "changes/pull")
	b.ReportMetric(float64(changes)*float64(b.N)/b.Elapsed().Seconds(), "changes/s")
	b.ReportMetric(float64(bytes)/1e6, "MB/pull")
	if goCPU, postgresCPU, ok := cpu.perUnit(b.N); ok {
		b.ReportMetric(goCPU*1000, "go-cpu-ms/pull")
		b.ReportMetric(postgresCPU*1000, "pg-cpu-ms/pull")
	}
}

// fullPull pulls from no cursor until has_more is false and returns the
// changes and JSON bytes received.
func fullPull(b *testing.B, f *fixture, limit int) (changes, bytes int) {
	cursor := ""
	for {
		page, err := f.app.Sync.Pull(f.ctx, cursor, limit)
		if err != nil {
			b.Fatal(err)
		}
		raw := encodePage(b, page)
		changes, bytes = changes+len(page.Changes), bytes+len(raw)
		if !page.HasMore {
			return changes, bytes
		}
		cursor = page.NextCursor
	}
}

// fullPullHTTP is fullPull as a phone does it. The page is read whole but
// not decoded, only its cursor and has_more (the fields after changes):
// what is measured is the server's answer, not the phone's JSON parser.
func fullPullHTTP(b *testing.B, server *httptest.Server, token string, limit int) (changes, size int) {
	cursor := ""
	for {
		req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/v1/sync/pull?limit=%d&cursor=%s", server.URL, limit,
			url.QueryEscape(cursor)), nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := server.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("pull answered %d %.200s (%v)", res.StatusCode, body, err)
		}
		tail := bytes.LastIndex(body, []byte(`"next_cursor":`))
		var end struct {
			NextCursor string `json:"next_cursor"`
			HasMore    bool   `json:"has_more"`
		}
		if tail < 0 || json.Unmarshal(append([]byte("{"), body[tail:]...), &end) != nil {
			b.Fatalf("pull answered %.200s…, with no next_cursor and has_more at its end", body)
		}
		changes += bytes.Count(body, []byte(`{"entity_type":`))
		size += len(body)
		if !end.HasMore {
			return changes, size
		}
		cursor = end.NextCursor
	}
}
