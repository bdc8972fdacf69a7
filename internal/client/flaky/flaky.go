// Package flaky is an http.RoundTripper that behaves like a bad mobile
// network, for tests and the device simulator: it loses requests before they
// leave, loses answers after the server has acted on the request, and hangs
// until a timeout. Its choices come from a seeded generator, so a seed
// replays the same faults for the same sequence of requests.
//
// It must never be used outside tests and simulations.
package flaky

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Options set the share of each fault; the shares add up to at most 1.
type Options struct {
	Seed         uint64
	DropRequest  float64 // lost before reaching the server
	DropResponse float64 // the server acted, the answer is lost
	Timeout      float64 // hangs, then fails as a timeout; half of them after the server acted
	// TimeoutAfter is how long a hang lasts; 0 waits until the request's
	// context ends (the client's own per-attempt timeout).
	TimeoutAfter time.Duration
	// Applies selects the requests that may fail; nil: all of them.
	Applies func(*http.Request) bool
}

// Stats count what the transport did.
type Stats struct {
	Requests, DroppedRequests, DroppedResponses, Timeouts, Passed int64
}

// Transport injects faults in front of Base.
type Transport struct {
	base http.RoundTripper
	opts Options

	mu    sync.Mutex
	rng   *rand.Rand
	stats Stats
}

// New wraps base (nil: http.DefaultTransport).
func New(base http.RoundTripper, opts Options) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	return &Transport{base: base, opts: opts, rng: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5851f42d4c957f2d))}
}

// Stats returns the counts so far.
func (t *Transport) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats
}

// Error is an injected fault. It reports Timeout() like a real network
// timeout where it stands for one.
type Error struct {
	Fault   string
	timeout bool
}

func (e *Error) Error() string   { return "flaky: " + e.Fault }
func (e *Error) Timeout() bool   { return e.timeout }
func (e *Error) Temporary() bool { return true }

type fault int

const (
	pass fault = iota
	dropRequest
	dropResponse
	hangBefore
	hangAfter
)

// decide draws the fate of one request: always two draws, so that the
// sequence of faults depends only on the seed and the request order.
func (t *Transport) decide(req *http.Request) fault {
	t.mu.Lock()
	defer t.mu.Unlock()
	roll, half := t.rng.Float64(), t.rng.Float64() < 0.5
	if t.opts.Applies != nil && !t.opts.Applies(req) {
		t.stats.Passed++
		return pass
	}
	t.stats.Requests++
	o := t.opts
	switch {
	case roll < o.DropRequest:
		t.stats.DroppedRequests++
		return dropRequest
	case roll < o.DropRequest+o.DropResponse:
		t.stats.DroppedResponses++
		return dropResponse
	case roll < o.DropRequest+o.DropResponse+o.Timeout:
		t.stats.Timeouts++
		if half {
			return hangAfter
		}
		return hangBefore
	}
	t.stats.Passed++
	return pass
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	switch t.decide(req) {
	case dropRequest:
		closeBody(req)
		return nil, &Error{Fault: "request lost"}
	case dropResponse:
		if err := t.deliver(req); err != nil {
			return nil, err
		}
		return nil, &Error{Fault: "response lost"}
	case hangBefore:
		closeBody(req)
		return nil, t.hang(req.Context())
	case hangAfter:
		if err := t.deliver(req); err != nil {
			return nil, err
		}
		return nil, t.hang(req.Context())
	}
	return t.base.RoundTrip(req)
}

// deliver sends the request and throws the whole answer away, so that the
// server has finished acting on it.
func (t *Transport) deliver(req *http.Request) error {
	res, err := t.base.RoundTrip(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return err
}

func (t *Transport) hang(ctx context.Context) error {
	if t.opts.TimeoutAfter > 0 {
		timer := time.NewTimer(t.opts.TimeoutAfter)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
		}
	} else {
		<-ctx.Done()
	}
	return &Error{Fault: "timeout", timeout: true}
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
