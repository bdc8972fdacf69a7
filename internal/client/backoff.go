package client

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Backoff is the retry delay: before retry n (0-based) the client waits a
// uniformly random time in [0, min(Cap, Base·2^n)] ("full jitter"), so that
// devices coming back online together do not retry in lockstep.
type Backoff struct {
	Base time.Duration // default 500ms
	Cap  time.Duration // default 60s
	// MaxRetryAfter bounds how long a server's Retry-After may hold the
	// client; default 10 minutes.
	MaxRetryAfter time.Duration
}

func (b Backoff) withDefaults() Backoff {
	if b.Base <= 0 {
		b.Base = 500 * time.Millisecond
	}
	if b.Cap <= 0 {
		b.Cap = time.Minute
	}
	if b.Cap < b.Base {
		b.Cap = b.Base
	}
	if b.MaxRetryAfter <= 0 {
		b.MaxRetryAfter = 10 * time.Minute
	}
	return b
}

// Ceiling is the largest delay before retry n: min(Cap, Base·2^n).
func (b Backoff) Ceiling(n int) time.Duration {
	b = b.withDefaults()
	ceiling := b.Base
	for i := 0; i < n && ceiling < b.Cap; i++ {
		ceiling *= 2 // doubling step by step never overflows before passing Cap
	}
	return min(ceiling, b.Cap)
}

// Delay draws the wait before retry n from rng.
func (b Backoff) Delay(n int, rng *rand.Rand) time.Duration {
	return time.Duration(rng.Int64N(int64(b.Ceiling(n)) + 1))
}

// retryAfter reads a Retry-After header (seconds or an HTTP date); ok is
// false when there is none or it cannot be read.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if seconds, err := strconv.Atoi(v); err == nil && seconds >= 0 {
		return time.Duration(seconds) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// wait sleeps for d or until ctx ends.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// delay is the wait before retry n: the server's Retry-After when it gave
// one (bounded), else a jittered backoff.
func (c *Client) delay(n int, header http.Header) time.Duration {
	if header != nil {
		if d, ok := retryAfter(header, time.Now()); ok {
			return min(d, c.opts.Backoff.MaxRetryAfter)
		}
	}
	c.jitterMu.Lock()
	defer c.jitterMu.Unlock()
	return c.opts.Backoff.Delay(n, c.jitter)
}
