package main

import (
	"strings"
	"testing"
	"time"
)

// TestSlowestSeconds: pushes are bucketed by the second they started in
// and the seconds ordered by their slowest push, ties by time.
func TestSlowestSeconds(t *testing.T) {
	t.Parallel()
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	const millisecond = time.Millisecond
	starts := []time.Time{at(100 * millisecond), at(900 * millisecond), at(1500 * millisecond), at(2100 * millisecond), at(2200 * millisecond)}
	latencies := []time.Duration{10 * millisecond, 30 * millisecond, 300 * millisecond, 30 * millisecond, 20 * millisecond}
	got := slowestSeconds(t0, starts, latencies, 2)
	want := []slowSecond{{index: 1, pushes: 1, p99: 300 * millisecond, max: 300 * millisecond},
		{index: 0, pushes: 2, p99: 30 * millisecond, max: 30 * millisecond}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("slowest seconds %+v, want %+v", got, want)
	}
	if got := slowestSeconds(t0, nil, nil, 5); len(got) != 0 {
		t.Fatalf("no pushes: %+v, want none", got)
	}
}

// TestSlowestSection: each slow second names the background work sampled
// from the second before it to its end, and nothing sampled outside.
func TestSlowestSection(t *testing.T) {
	t.Parallel()
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	a := &activitySampler{
		sampledAt: []time.Time{at(500 * time.Millisecond), at(1500 * time.Millisecond), at(2500 * time.Millisecond), at(3500 * time.Millisecond)},
		background: []backgroundWork{{at(500 * time.Millisecond), `ANALYZE "push_results"`}, {at(1500 * time.Millisecond), `ANALYZE "push_results"`},
			{at(3500 * time.Millisecond), "checkpoint (Timeout:CheckpointWriteDelay)"}},
	}
	s := a.slowestSection(t0, []slowSecond{{index: 1, pushes: 3, p99: 250 * time.Millisecond, max: 260 * time.Millisecond}})
	if len(s.rows) != 1 || s.rows[0][0] != "second 1" {
		t.Fatalf("rows %v, want one for second 1", s.rows)
	}
	if got := s.rows[0][1]; !strings.Contains(got, "3 pushes, p99 250.0 ms, max 260.0 ms; of 2 samples: `ANALYZE \"push_results\"` in 2") ||
		strings.Contains(got, "checkpoint") {
		t.Fatalf("row %q: want the two ANALYZE sightings of seconds 0 and 1 and not the later checkpoint", got)
	}
	for _, tc := range []struct {
		query string
		want  bool
	}{
		{`ANALYZE "media"`, true}, {"  vacuum analyze changes", true}, {"autovacuum: VACUUM public.changes", true},
		{"INSERT INTO push_results (id) VALUES ($1)", false}, {"SELECT 1", false},
	} {
		if got := isBackground(tc.query); got != tc.want {
			t.Errorf("isBackground(%q) = %v, want %v", tc.query, got, tc.want)
		}
	}
}
