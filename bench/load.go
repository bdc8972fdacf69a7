package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// observer is told when the measured window opens and closes, so that CPU
// and database counters can be read at the same instants.
type observer interface {
	begin(ctx context.Context)
	end(ctx context.Context)
}

// runLoad signs in the fleet and runs it: every device pushes one whole
// inspection after another (back to back, or on the schedule of --rate)
// until the warm-up and the measured window are over. It returns once
// every push in flight has been answered.
func runLoad(ctx context.Context, opts options, target loadTarget, progress io.Writer, observers ...observer) (*report, error) {
	client := newAPI(target.baseURL, opts.devices)
	// Devices are spread over the replicas; they sign in through the first
	// (a session is valid on every replica).
	clients := []*api{client}
	for _, u := range target.replicas[min(1, len(target.replicas)):] {
		clients = append(clients, newAPI(u, opts.devices))
	}
	fmt.Fprintf(progress, "signing in %d devices as %d guards at %s ...\n", opts.devices,
		(opts.devices+opts.devicesPerGuard-1)/opts.devicesPerGuard, target.baseURL)
	f, err := setUp(ctx, client, target, opts)
	if err != nil {
		return nil, err
	}
	f.plan.declareInPush = opts.declare == "push"
	if f.plan.declareInPush {
		if f.plan.body, err = f.plan.newBodyTemplate(); err != nil {
			return nil, err
		}
	}
	now := time.Now()
	rec := &recorder{measureFrom: now.Add(opts.warmup), measureTo: now.Add(opts.warmup + opts.duration), errors: map[string]int{}}
	if opts.rate > 0 {
		// The schedule starts with the warm-up, so that the fleet is in
		// step when the measured window opens.
		rec.pacing = &pacing{schedule: schedule{t0: now, rate: opts.rate, devices: opts.devices}}
	}
	ctx, cancel := context.WithDeadline(ctx, rec.measureTo.Add(time.Minute)) // stragglers get a minute, then give up
	defer cancel()

	var wg sync.WaitGroup
	for _, o := range observers {
		if c, ok := o.(*consistency); ok {
			c.watch(rec)
		}
	}
	for i, d := range f.devices {
		client := clients[i%len(clients)]
		if rec.pacing != nil {
			wg.Go(func() { runPacedDevice(ctx, client, d, i, f.plan, rec) })
			continue
		}
		wg.Go(func() { runDevice(ctx, client, d, f.plan, rec) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	watch(ctx, window{rec.measureFrom, rec.measureTo}, rec.progressLine, opts.quiet, progress, done, observers)
	return rec.report(opts, len(f.plan.answers), f.plan.mutationsPerPush()), ctx.Err()
}

// window is the measured part of a run.
type window struct{ from, to time.Time }

// watch prints a progress line every second and tells the observers when
// the measured window opens and closes.
func watch(ctx context.Context, w window, line func(time.Duration) string, quiet bool, out io.Writer,
	done <-chan struct{}, observers []observer) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	started, begun, ended := time.Now(), false, false
	for {
		select {
		case <-done:
			if begun && !ended {
				for _, o := range observers {
					o.end(ctx)
				}
			}
			return
		case now := <-tick.C:
			if !begun && !now.Before(w.from) {
				begun = true
				for _, o := range observers {
					o.begin(ctx)
				}
			}
			if begun && !ended && !now.Before(w.to) {
				ended = true
				for _, o := range observers {
					o.end(ctx)
				}
			}
			if !quiet {
				fmt.Fprintln(out, line(now.Sub(started)))
			}
		}
	}
}

// runDevice pushes inspections back to back until the measured window
// closes. A failed push is counted and followed by a short pause, as a
// phone backs off.
func runDevice(ctx context.Context, client *api, d device, p *plan, rec *recorder) {
	var buffers pushBuffers
	defer buffers.close()
	for ctx.Err() == nil {
		if !time.Now().Before(rec.measureTo) {
			return
		}
		a := sendInspection(ctx, client, d.token, p, &buffers)
		rec.record(a.pushed, a.latency, a.outcome)
		rec.acknowledge(a)
		if a.outcome != "" {
			sleepUntil(ctx, a.answered().Add(backOff(a)))
		}
	}
}

// attempt is one inspection a device sent: its media's declarations, then
// the push.
type attempt struct {
	inspection string        // its id
	pushed     time.Time     // when the push was sent, or the declaration when that failed
	latency    time.Duration // from pushed to the answer
	outcome    string        // "" when every mutation was applied
	retryAfter time.Duration // what the server asked for
}

func (a attempt) answered() time.Time { return a.pushed.Add(a.latency) }

// pushBuffers are one device's memory and connection for its pushes:
// every push's body is built anew, and its answer read, into memory the
// last push used, rather than into some 20 KB allocated and zeroed for
// each push. The body is kept only after a push answered in full (a 200
// whose every mutation was applied): the server had read all of it, so
// the client was done with it; after any other answer a new body is
// allocated.
type pushBuffers struct {
	body   []byte
	answer bytes.Buffer
	conn   *pushConn // the device's connection for its pushes
}

// close closes the device's connection.
func (b *pushBuffers) close() {
	if b.conn != nil {
		b.conn.close()
	}
}

// sendInspection declares the inspection's media and pushes it whole. A
// submit names only declared media (issue 5): every signature (and the
// photos a required photo item needs) is declared as a phone does, without
// uploading it (the inspection stays media_pending), either as the batch's
// first mutations or, with --declare request, by POST /v1/media first;
// push latency starts after those requests.
func sendInspection(ctx context.Context, client *api, token string, p *plan, buffers *pushBuffers) attempt {
	id := newID()
	media := p.newMedia(0, newID)
	a := attempt{inspection: id, pushed: time.Now()}
	if !p.declareInPush {
		for _, m := range media {
			if a.outcome = declareMedium(ctx, client, token, id, m, a.pushed); a.outcome != "" {
				break
			}
		}
	}
	if a.outcome == "" {
		a.pushed = time.Now()
		v := values{inspection: id, media: media, clientTime: a.pushed.UTC().Format(time.RFC3339), appendMutationID: appendNewID}
		var body []byte
		var err error
		if p.body != nil {
			if cap(buffers.body) < p.body.size {
				buffers.body = make([]byte, 0, p.body.size)
			}
			body = p.body.appendBody(buffers.body[:0], v)
		} else {
			if body, err = p.encodeBatch(v); err != nil {
				panic(err) // only plain values in a batch
			}
		}
		if buffers.conn == nil {
			if buffers.conn, err = newPushConn(client.baseURL, token); err != nil {
				a.outcome = "request: " + err.Error()
				a.latency = time.Since(a.pushed)
				return a
			}
		}
		a.outcome, a.retryAfter = push(ctx, buffers.conn, body, p.mutationsPerPush(), &buffers.answer)
		if p.body != nil && a.outcome == "" {
			buffers.body = body
		} else {
			buffers.body = nil
		}
	}
	a.latency = time.Since(a.pushed)
	return a
}

// backOff is the pause after a failed inspection, as a phone backs off:
// what the server asked for, within bounds.
func backOff(a attempt) time.Duration {
	if a.outcome == "" {
		return 0
	}
	return min(max(a.retryAfter, 100*time.Millisecond), 2*time.Second)
}

// declareMedium declares a medium of an inspection about to be pushed, and
// returns "" or what went wrong.
func declareMedium(ctx context.Context, client *api, token, inspectionID string, m medium, now time.Time) string {
	sha256hex, _ := mediumDigests(m)
	err := client.postJSON(ctx, "/v1/media", token, declaration(m, inspectionID, sha256hex, 1000, now), nil)
	var status *statusError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &status):
		return "media declare: HTTP " + strconv.Itoa(status.status)
	case ctx.Err() != nil:
		return "cancelled"
	}
	return "media declare: transport error"
}

// push sends one batch on the device's connection and returns "" when
// every mutation was applied, or what went wrong, by HTTP status or result
// status; the answer is read into answer.
func push(ctx context.Context, conn *pushConn, body []byte, want int, answer *bytes.Buffer) (outcome string, retryAfter time.Duration) {
	status, retry, err := conn.push(ctx, body, answer)
	if err != nil {
		if ctx.Err() != nil {
			return "cancelled", 0
		}
		return "transport error", 0
	}
	if status != http.StatusOK {
		seconds, _ := strconv.Atoi(retry)
		return "HTTP " + strconv.Itoa(status), time.Duration(seconds) * time.Second
	}
	return answerOutcome(answer.Bytes(), want), 0
}
