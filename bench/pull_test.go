package main

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/syncer"
)

// pullChanges is how many findings BenchmarkPull10k creates: one change
// each in the change log, besides the organisation's templates and site.
const pullChanges = 10_000

// BenchmarkPull10k is a device's full sync of an organisation with 10 000
// small findings (created through the real sync service, in batches of
// 500 finding.create) plus its seeded templates: pages of 1000 and of 500
// through syncer.Service.Pull, each page encoded to JSON as the HTTP
// handler does. One op is one whole full pull; changes/s is reported.
//
//	go test -run '^$' -bench Pull10k -benchtime 20x ./bench/
func BenchmarkPull10k(b *testing.B) {
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
	for _, limit := range []int{1000, 500} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			changes, bytes := 0, 0
			for b.Loop() {
				changes, bytes = fullPull(b, f, limit)
			}
			if changes < pullChanges {
				b.Fatalf("a full pull gave %d changes, want at least %d", changes, pullChanges)
			}
			b.ReportMetric(float64(changes), "changes/pull")
			b.ReportMetric(float64(changes)*float64(b.N)/b.Elapsed().Seconds(), "changes/s")
			b.ReportMetric(float64(bytes)/1e6, "MB/pull")
		})
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
		raw, err := json.Marshal(page)
		if err != nil {
			b.Fatal(err)
		}
		changes, bytes = changes+len(page.Changes), bytes+len(raw)
		if !page.HasMore {
			return changes, bytes
		}
		cursor = page.NextCursor
	}
}
