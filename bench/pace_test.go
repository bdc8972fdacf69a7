package main

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// TestScheduleDue: device i's k-th start is at t0 + i/rate + k·devices/rate,
// so each device starts once a period and the fleet's starts are evenly
// spaced, never several at the same instant.
func TestScheduleDue(t *testing.T) {
	t.Parallel()
	s := schedule{t0: t0, rate: 500, devices: 200}
	if got := s.period(); got != 400*time.Millisecond {
		t.Fatalf("period %s, want 400ms", got)
	}
	for _, tc := range []struct {
		name string
		i, k int
		want time.Duration
	}{
		{"first device, first start", 0, 0, 0},
		{"second device, first start", 1, 0, 2 * time.Millisecond},
		{"last device, first start", 199, 0, 398 * time.Millisecond},
		{"first device, second start", 0, 1, 400 * time.Millisecond},
		{"last device, third start", 199, 2, 1198 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.due(tc.i, tc.k).Sub(t0); got != tc.want {
				t.Fatalf("due(%d, %d) = t0+%s, want t0+%s", tc.i, tc.k, got, tc.want)
			}
		})
	}
	var starts []time.Time
	for i := range s.devices {
		for k := range 5 {
			starts = append(starts, s.due(i, k))
		}
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	for n := 1; n < len(starts); n++ {
		if gap := starts[n].Sub(starts[n-1]); gap < 1999*time.Microsecond || gap > 2001*time.Microsecond {
			t.Fatalf("start %d came %s after the one before, want 2ms (1/rate)", n, gap)
		}
	}
}

// TestScheduleTinyRate: a rate far below one start per run must not
// overflow into a start due in the past.
func TestScheduleTinyRate(t *testing.T) {
	t.Parallel()
	s := schedule{t0: t0, rate: 1e-300, devices: 2}
	if got := s.due(1, 0); got.Before(t0.Add(maxDuration)) {
		t.Fatalf("due(1, 0) = %s, want after any run", got)
	}
	if got := s.period(); got < maxDuration {
		t.Fatalf("period %s, want more than any run", got)
	}
}

// TestStartAtAndLag: a device that is free waits for its start; one that is
// behind starts at once and the start counts as late, never skipped.
func TestStartAtAndLag(t *testing.T) {
	t.Parallel()
	due := t0.Add(time.Second)
	for _, tc := range []struct {
		name    string
		free    time.Time
		want    time.Time
		wantLag time.Duration
	}{
		{"free before due waits", t0, due, 0},
		{"free at due starts on time", due, due, 0},
		{"behind starts when free", due.Add(300 * time.Millisecond), due.Add(300 * time.Millisecond), 300 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := startAt(due, tc.free)
			if !got.Equal(tc.want) {
				t.Fatalf("startAt = %s, want %s", got, tc.want)
			}
			if l := lag(due, got); l != tc.wantLag {
				t.Fatalf("lag = %s, want %s", l, tc.wantLag)
			}
		})
	}
	if l := lag(due, due.Add(-time.Millisecond)); l != 0 {
		t.Fatalf("lag of an early start = %s, want 0", l)
	}
}

// TestScheduleUnstarted counts a device's starts due inside the window
// from a given one on, and none outside it.
func TestScheduleUnstarted(t *testing.T) {
	t.Parallel()
	s := schedule{t0: t0, rate: 10, devices: 5} // device 2 due at 200ms, 700ms, 1200ms, ...
	for _, tc := range []struct {
		name     string
		k        int
		from, to time.Duration
		want     int
	}{
		{"whole window", 0, 0, 2 * time.Second, 4},
		{"from the third start", 2, 0, 2 * time.Second, 2},
		{"warm-up starts not counted", 0, time.Second, 2 * time.Second, 2},
		{"window end excluded", 0, 0, 1200 * time.Millisecond, 2},
		{"nothing left", 4, 0, 2 * time.Second, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.unstarted(2, tc.k, t0.Add(tc.from), t0.Add(tc.to)); got != tc.want {
				t.Fatalf("unstarted = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestLagSplit: a start's lag is the wait for the device's last answer
// plus the tool's own lateness, and each part is the right one's.
func TestLagSplit(t *testing.T) {
	t.Parallel()
	due := t0.Add(time.Second)
	for _, tc := range []struct {
		name               string
		at, begun          time.Time
		wantBusy, wantTool time.Duration
	}{
		{"on time", due, due, 0, 0},
		{"the tool woke late", due, due.Add(30 * time.Millisecond), 0, 30 * time.Millisecond},
		{"the device was busy", due.Add(200 * time.Millisecond), due.Add(200 * time.Millisecond), 200 * time.Millisecond, 0},
		{"both", due.Add(200 * time.Millisecond), due.Add(250 * time.Millisecond), 200 * time.Millisecond, 50 * time.Millisecond},
		{"began early (the clock)", due, due.Add(-time.Millisecond), 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			busy, tool := busyLag(due, tc.at), toolLag(tc.at, tc.begun)
			if busy != tc.wantBusy || tool != tc.wantTool {
				t.Fatalf("busy %s, tool %s; want %s, %s", busy, tool, tc.wantBusy, tc.wantTool)
			}
			if busy+tool != lag(due, tc.begun) {
				t.Fatalf("busy %s + tool %s != lag %s", busy, tool, lag(due, tc.begun))
			}
		})
	}
}

// pacedRecorder is a recorder of a paced load at 10/s over 5 devices
// (period 500ms), measuring from t0+1s to t0+3s.
func pacedRecorder() *recorder {
	return &recorder{measureFrom: t0.Add(time.Second), measureTo: t0.Add(3 * time.Second), errors: map[string]int{},
		pacing: &pacing{schedule: schedule{t0: t0, rate: 10, devices: 5}}}
}

// TestRecordScheduleLag: lag and latency from the schedule are kept for
// starts begun in the window, wherever they were due; a start more than a
// period late counts as late; the progress line's lag covers the warm-up
// too and restarts with each line.
func TestRecordScheduleLag(t *testing.T) {
	t.Parallel()
	rec := pacedRecorder()
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	const millisecond = time.Millisecond
	// due, when the device meant to begin (due, or when its last answer came), begun, answered:
	rec.recordSchedule(at(200*millisecond), at(800*millisecond), at(900*millisecond), at(1000*millisecond))    // begun in the warm-up: not in the figures
	rec.recordSchedule(at(500*millisecond), at(1800*millisecond), at(1900*millisecond), at(2000*millisecond))  // due in the warm-up, begun 1.4s late in the window: 1.3s busy, the tool 100ms late
	rec.recordSchedule(at(1000*millisecond), at(1000*millisecond), at(1000*millisecond), at(1080*millisecond)) // on time
	rec.recordSchedule(at(1100*millisecond), at(1100*millisecond), at(1400*millisecond), at(1500*millisecond)) // 300ms late, all the tool's: less than a period; 400ms from the schedule
	rec.recordSchedule(at(1200*millisecond), at(1700*millisecond), at(1800*millisecond), at(1900*millisecond)) // 600ms late: more than a period
	rec.recordSchedule(at(2900*millisecond), at(2900*millisecond), at(3000*millisecond), at(3050*millisecond)) // begun after the window
	rec.recordUnstarted(2)

	words := func(line string) string { return strings.Join(strings.Fields(line), " ") }
	if line := words(rec.progressLine(2 * time.Second)); !strings.Contains(line, "offered 10.0/s") || !strings.Contains(line, "lag max 1400.0 ms") {
		t.Fatalf("progress line %q: want the offered rate and the warm-up's 1.4s lag", line)
	}
	if line := words(rec.progressLine(3 * time.Second)); !strings.Contains(line, "lag max 0.0 ms") {
		t.Fatalf("progress line %q: want the lag to restart from 0", line)
	}
	got := rec.report(options{devices: 5, devicesPerGuard: 10, rate: 10}, 30, 32).paced
	want := pacedFigures{rate: 10, period: 500 * millisecond, fromP50: 400 * millisecond, fromP99: 1500 * millisecond, lagP99: 1400 * millisecond, lagMax: 1400 * millisecond,
		busyLagP99: 1300 * millisecond, toolLagP99: 300 * millisecond, toolLagMax: 300 * millisecond, begun: 4, late: 2, unstarted: 2}
	if got == nil || *got != want {
		t.Fatalf("paced figures %+v, want %+v", got, want)
	}
}

// TestReportRows: the report says which mode ran; a paced run adds the
// figures from the schedule, a closed loop does not.
func TestReportRows(t *testing.T) {
	t.Parallel()
	closed := &recorder{measureFrom: t0, measureTo: t0.Add(time.Second), errors: map[string]int{}}
	closed.record(t0, 10*time.Millisecond, "")
	paced := pacedRecorder()
	paced.record(t0.Add(time.Second), 10*time.Millisecond, "")
	paced.recordSchedule(t0.Add(time.Second), t0.Add(time.Second), t0.Add(time.Second), t0.Add(time.Second+20*time.Millisecond))
	overloaded := pacedRecorder()
	overloaded.recordUnstarted(20)
	for _, tc := range []struct {
		name      string
		rec       *recorder
		rate      float64
		want, not []string
	}{
		{"closed loop", closed, 0,
			[]string{"| mode | closed loop:", "| offered inspections/s | none", "| inspections/s achieved | 1.0 |", "| push latency p99 | 10.0 ms |"},
			[]string{"scheduled start", "schedule lag"}},
		{"paced", paced, 10,
			[]string{"| mode | paced at 10/s: each device starts an inspection every 500ms", "| offered inspections/s | 10.0 |",
				"| latency from the scheduled start p50 (lag + declaration + push) | 20.0 ms |", "| schedule lag p99 | 0.0 ms |",
				"| schedule lag max | 0.0 ms |", "| schedule lag p99, waiting for the device's last answer (the server) | 0.0 ms |",
				"| schedule lag p99, the tool beginning late by itself | 0.0 ms |", "| starts late by more than one period (500ms) | 0 of 1 begun in the window |",
				"| starts due in the window never begun (device still behind when it closed) | 0 |"},
			nil},
		{"paced, nothing begun in the window", overloaded, 10,
			[]string{"| schedule lag p99 | - (no start began in the window) |", "| 0 of 0 begun in the window |",
				"| starts due in the window never begun (device still behind when it closed) | 20 |"},
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			tc.rec.report(options{devices: 5, devicesPerGuard: 10, rate: tc.rate}, 30, 32).print(&out)
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, out.String())
				}
			}
			for _, n := range tc.not {
				if strings.Contains(out.String(), n) {
					t.Errorf("report has %q:\n%s", n, out.String())
				}
			}
		})
	}
}

// TestRateFlag: --rate is refused out of range, as NaN, and with the day
// scenario, in the same words as the other flags.
func TestRateFlag(t *testing.T) {
	t.Parallel()
	base := []string{"--spawn", "/tmp/patrolsync", "--postgres", "postgres://postgres@127.0.0.1:5432/postgres"}
	for _, tc := range []struct {
		name    string
		args    []string
		want    float64
		wantErr string
	}{
		{"default is the closed loop", nil, 0, ""},
		{"paced", []string{"--rate", "500"}, 500, ""},
		{"fractional", []string{"--rate", "0.5"}, 0.5, ""},
		{"upper bound", []string{"--rate", "100000"}, 100000, ""},
		{"negative", []string{"--rate", "-1"}, 0, "--rate must be 0..100000"},
		{"too high", []string{"--rate", "100001"}, 0, "--rate must be 0..100000"},
		{"NaN", []string{"--rate", "NaN"}, 0, "--rate must be 0..100000"},
		{"infinite", []string{"--rate", "+Inf"}, 0, "--rate must be 0..100000"},
		{"day scenario", []string{"--rate", "10", "--scenario", "day"}, 0, "--rate needs --scenario push"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseFlags(append(slices.Clone(base), tc.args...), io.Discard)
			if tc.wantErr == "" {
				if err != nil || o.rate != tc.want {
					t.Fatalf("rate %v, err %v; want %v, no error", o.rate, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err %v, want %q", err, tc.wantErr)
			}
		})
	}
}
