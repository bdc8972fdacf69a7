package client

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"
)

func TestBackoffCeiling(t *testing.T) {
	b := Backoff{Base: 100 * time.Millisecond, Cap: 5 * time.Second}
	tests := []struct {
		retry int
		want  time.Duration
	}{
		{0, 100 * time.Millisecond},
		{1, 200 * time.Millisecond},
		{2, 400 * time.Millisecond},
		{5, 3200 * time.Millisecond},
		{6, 5 * time.Second},
		{200, 5 * time.Second}, // no overflow, however long the outage
	}
	for _, tc := range tests {
		if got := b.Ceiling(tc.retry); got != tc.want {
			t.Errorf("Ceiling(%d) = %v, want %v", tc.retry, got, tc.want)
		}
	}
}

// TestBackoffFullJitter checks that delays stay in [0, ceiling] and spread
// over the whole range (full jitter, not ceiling ± a little).
func TestBackoffFullJitter(t *testing.T) {
	b := Backoff{Base: 100 * time.Millisecond, Cap: 5 * time.Second}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, retry := range []int{0, 3, 10} {
		ceiling := b.Ceiling(retry)
		var low, high bool
		for range 2000 {
			d := b.Delay(retry, rng)
			if d < 0 || d > ceiling {
				t.Fatalf("Delay(%d) = %v, outside [0, %v]", retry, d, ceiling)
			}
			low = low || d < ceiling/10
			high = high || d > ceiling*9/10
		}
		if !low || !high {
			t.Errorf("Delay(%d): 2000 draws never reached both ends of [0, %v]", retry, ceiling)
		}
	}
}

func TestBackoffDefaults(t *testing.T) {
	b := Backoff{}.withDefaults()
	if b.Base != 500*time.Millisecond || b.Cap != time.Minute || b.MaxRetryAfter != 10*time.Minute {
		t.Fatalf("defaults = %+v", b)
	}
	if got := (Backoff{Base: time.Second, Cap: time.Millisecond}).Ceiling(3); got != time.Second {
		t.Errorf("a cap below the base is raised to the base, got %v", got)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header string
		want   time.Duration
		ok     bool
	}{
		{"seconds", "7", 7 * time.Second, true},
		{"date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"date in the past", now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"missing", "", 0, false},
		{"garbage", "soon", 0, false},
		{"negative", "-3", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set("Retry-After", tc.header)
			}
			got, ok := retryAfter(h, now)
			if got != tc.want || ok != tc.ok {
				t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.header, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestDelayHonoursRetryAfterWithinBound(t *testing.T) {
	c := &Client{opts: withDefaults(Options{Backoff: Backoff{Base: time.Millisecond, Cap: 2 * time.Millisecond,
		MaxRetryAfter: 30 * time.Second}}), jitter: rand.New(rand.NewPCG(1, 1))}
	h := http.Header{"Retry-After": {"3"}}
	if got := c.delay(0, h); got != 3*time.Second {
		t.Errorf("delay with Retry-After 3 = %v, want 3s", got)
	}
	h.Set("Retry-After", "3600")
	if got := c.delay(0, h); got != 30*time.Second {
		t.Errorf("delay with Retry-After 3600 = %v, want the 30s bound", got)
	}
	if got := c.delay(4, nil); got > 2*time.Millisecond {
		t.Errorf("delay without Retry-After = %v, above the cap", got)
	}
}
