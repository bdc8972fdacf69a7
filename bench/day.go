package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/patrolsync/patrolsync/internal/mutation"
)

// runDays sets the organisation up, then starts every device's day and
// returns once every request in flight has been answered.
func runDays(ctx context.Context, opts options, target loadTarget, progress io.Writer, observers ...observer) (*dayReport, error) {
	client := newAPI(target.baseURL, opts.devices)
	guards := (opts.devices + opts.devicesPerGuard - 1) / opts.devicesPerGuard
	fmt.Fprintf(progress, "setting up %d guards, a route and their round schedules at %s ...\n", guards, target.baseURL)
	f, err := setUpDays(ctx, client, target, opts, progress)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	rec := newDayRecorder(now.Add(opts.warmup), now.Add(opts.warmup+opts.duration))
	ctx, cancel := context.WithDeadline(ctx, rec.measureTo.Add(time.Minute)) // stragglers get a minute, then give up
	defer cancel()
	logins := make(chan struct{}, 8) // shift starts are staggered: 8 sign-ins at a time
	var wg sync.WaitGroup
	for i := range opts.devices {
		d := &dayDevice{client: client, rec: rec, fleet: f, opts: opts, logins: logins, index: i,
			key: fmt.Sprintf("day-%s-device-%d", f.run, i), email: f.emails[i/opts.devicesPerGuard], rounds: map[string]round{}}
		wg.Go(func() { d.day(ctx) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	watch(ctx, window{rec.measureFrom, rec.measureTo}, rec.progressLine, opts.quiet, progress, done, observers)
	return &dayReport{devices: opts.devices, guards: guards, photos: opts.photos, think: opts.think, warmup: opts.warmup,
		duration: opts.duration, rec: rec}, ctx.Err()
}

// round is what a device keeps of a round it pulled.
type round struct {
	id          string
	windowStart time.Time
	checkpoints []struct {
		ID        string  `json:"id"`
		TagCode   string  `json:"tag_code"`
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
	}
}

// dayDevice is one phone working through a guard's day.
type dayDevice struct {
	client *api
	rec    *dayRecorder
	fleet  *dayFleet
	opts   options
	logins chan struct{}
	index  int
	key    string
	email  string

	token  string
	cursor string
	rounds map[string]round
	order  []round // by window start
}

// day signs in, pulls everything, then loops until the window closes or
// the request budget is spent. A failed step ends the loop early and the
// device pauses a moment, as a phone backs off.
func (d *dayDevice) day(ctx context.Context) {
	if !d.signIn(ctx) || !d.pull(ctx, "pull (full)") {
		return
	}
	d.rec.done("device up", time.Now())
	for loop := 0; ctx.Err() == nil; loop++ {
		if !time.Now().Before(d.rec.measureTo) || d.rec.sent() >= d.opts.maxRequests {
			return
		}
		ok := d.walkRound(ctx, loop) && d.pause(ctx) && d.inspect(ctx) && d.pause(ctx) && d.pull(ctx, "pull (incremental)")
		if ok {
			d.rec.done("loop", time.Now())
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (d *dayDevice) pause(ctx context.Context) bool {
	if d.opts.think == 0 {
		return ctx.Err() == nil
	}
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d.opts.think):
		return true
	}
}

func (d *dayDevice) signIn(ctx context.Context) bool {
	select {
	case d.logins <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	defer func() { <-d.logins }()
	body, _ := json.Marshal(map[string]string{"email": d.email, "password": d.fleet.password, "device_id": d.key})
	raw, ok := d.call(ctx, "login", http.MethodPost, d.client.baseURL+"/v1/auth/login", jsonHeaders, body, nil)
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	if !ok || json.Unmarshal(raw, &tokens) != nil {
		return false
	}
	d.token = tokens.AccessToken
	return true
}

// pull fetches pages of 1000 changes from the device's cursor until there
// are no more, keeping the rounds.
func (d *dayDevice) pull(ctx context.Context, endpoint string) bool {
	for {
		path := "/v1/sync/pull?limit=1000"
		if d.cursor != "" {
			path += "&cursor=" + url.QueryEscape(d.cursor)
		}
		raw, ok := d.call(ctx, endpoint, http.MethodGet, d.client.baseURL+path, d.auth(nil), nil, nil)
		if !ok {
			return false
		}
		var page struct {
			Changes []struct {
				EntityType string          `json:"entity_type"`
				EntityID   string          `json:"entity_id"`
				Op         string          `json:"op"`
				Data       json.RawMessage `json:"data"`
			} `json:"changes"`
			NextCursor string `json:"next_cursor"`
			HasMore    bool   `json:"has_more"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			d.rec.request(endpoint, time.Now(), 0, "malformed page")
			return false
		}
		for _, c := range page.Changes {
			if c.EntityType == "round" {
				d.keepRound(c.EntityID, c.Op, c.Data)
			}
		}
		d.cursor = page.NextCursor
		if !page.HasMore {
			return true
		}
	}
}

func (d *dayDevice) keepRound(id, op string, data json.RawMessage) {
	var r struct {
		Kind        string    `json:"kind"`
		WindowStart time.Time `json:"window_start"`
		Checkpoints []struct {
			ID        string  `json:"id"`
			TagCode   string  `json:"tag_code"`
			Latitude  float64 `json:"latitude"`
			Longitude float64 `json:"longitude"`
		} `json:"checkpoints"`
	}
	if op == "delete" || json.Unmarshal(data, &r) != nil || r.Kind != "round" || len(r.Checkpoints) == 0 {
		delete(d.rounds, id)
	} else {
		d.rounds[id] = round{id: id, windowStart: r.WindowStart, checkpoints: r.Checkpoints}
	}
	d.order = d.order[:0]
	for _, kept := range d.rounds {
		d.order = append(d.order, kept)
	}
	sort.Slice(d.order, func(i, j int) bool { return d.order[i].windowStart.Before(d.order[j].windowStart) })
}

// walkRound scans every checkpoint of a round in order, pushed in one
// batch as a phone that walked it offline does. The guard's devices share
// the guard's rounds: each takes its own, starting from the current one,
// so that scans spread over the rounds instead of piling onto one.
func (d *dayDevice) walkRound(ctx context.Context, loop int) bool {
	if len(d.order) == 0 {
		d.rec.done("skipped round", time.Now())
		return true
	}
	now := time.Now()
	current := sort.Search(len(d.order), func(i int) bool { return d.order[i].windowStart.After(now) }) - 1
	perGuard := d.opts.devicesPerGuard
	r := d.order[(max(current, 0)+d.index%perGuard+loop*perGuard)%len(d.order)]
	mutations := make([]mutation.Envelope, len(r.checkpoints))
	for i, c := range r.checkpoints {
		scannedAt := now.Add(time.Duration(i-len(r.checkpoints)) * time.Second).UTC().Format(time.RFC3339Nano)
		lat, lng, accuracy := c.Latitude, c.Longitude, 5.0
		mutations[i] = must(mutation.New(newID(), mutation.CheckpointScan, newID(), mutation.ScanCheckpoint{RoundID: r.id,
			TagCode: c.TagCode, CheckpointID: c.ID, ScannedAt: scannedAt,
			Location: &mutation.Location{Lat: &lat, Lng: &lng, AccuracyM: &accuracy}}, scannedAt))
	}
	if !d.push(ctx, "push (scans)", mutations) {
		return false
	}
	d.rec.done("round", time.Now())
	return true
}

// inspect pushes a whole inspection whose photo and signature answers
// name fresh media, then declares, uploads and completes each medium.
func (d *dayDevice) inspect(ctx context.Context) bool {
	p, id := d.fleet.plan, newID()
	media := p.newMedia(d.opts.photos, newID)
	signedAt := time.Now().UTC().Format(time.RFC3339)
	replace := p.mediaAnswers(id, signedAt, media)
	content := make([][]byte, len(media))
	for i, m := range media {
		content[i] = d.fleet.images.of(m)
	}
	// A submit names only declared media: declare them all first, push,
	// then upload, as a phone that took the photos offline does.
	declared := make([]*upload, len(media))
	for i, m := range media {
		var ok bool
		if declared[i], ok = d.declare(ctx, id, m, content[i]); !ok {
			return false
		}
	}
	if !d.push(ctx, "push (inspection)", p.batchOf(time.Now(), id, replace)) {
		return false
	}
	d.rec.done("inspection", time.Now())
	for i, m := range media {
		if !d.upload(ctx, m, content[i], declared[i]) {
			return false
		}
		d.rec.done("media", time.Now())
	}
	return true
}

// upload is where a declared medium's bytes go; nil when the server
// already holds the same bytes.
type upload struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
}

// declare announces a medium and returns where to upload it.
func (d *dayDevice) declare(ctx context.Context, inspectionID string, m medium, content []byte) (*upload, bool) {
	sum := sha256.Sum256(content)
	body, _ := json.Marshal(declaration(m, inspectionID, hex.EncodeToString(sum[:]), len(content), time.Now()))
	raw, ok := d.call(ctx, "media declare", http.MethodPost, d.client.baseURL+"/v1/media", d.auth(jsonHeaders), body, nil)
	var declared struct {
		Status string  `json:"status"`
		Upload *upload `json:"upload"`
	}
	if !ok || json.Unmarshal(raw, &declared) != nil {
		return nil, false
	}
	if declared.Status == "stored" {
		return nil, true // the same bytes were stored before: nothing to send
	}
	if declared.Upload == nil || declared.Upload.URL == "" {
		d.rec.request("upload PUT", time.Now(), 0, "no single-PUT upload in the declaration")
		return nil, false
	}
	return declared.Upload, true
}

// upload PUTs a medium's bytes to its presigned URL and completes it.
func (d *dayDevice) upload(ctx context.Context, m medium, content []byte, to *upload) bool {
	if to == nil {
		return true
	}
	if err := requireLoopback(to.URL); err != nil {
		d.rec.request("upload PUT", time.Now(), 0, "upload URL not on loopback")
		return false
	}
	if _, ok := d.call(ctx, "upload PUT", to.Method, to.URL, to.Headers, content, nil); !ok {
		return false
	}
	_, ok := d.call(ctx, "media complete", http.MethodPost, d.client.baseURL+"/v1/media/"+m.id+"/complete", d.auth(nil), nil, nil)
	return ok
}

// push sends a batch and requires every mutation applied.
func (d *dayDevice) push(ctx context.Context, endpoint string, mutations []mutation.Envelope) bool {
	body, _ := json.Marshal(map[string]any{"mutations": mutations})
	_, ok := d.call(ctx, endpoint, http.MethodPost, d.client.baseURL+"/v1/sync/push", d.auth(jsonHeaders), body, func(raw []byte) string {
		return namedOutcome(raw, len(mutations), func(i int) string { return mutations[i].Type })
	})
	return ok
}

var jsonHeaders = map[string]string{"Content-Type": "application/json"}

// auth adds the device's bearer token to headers.
func (d *dayDevice) auth(headers map[string]string) map[string]string {
	out := map[string]string{"Authorization": "Bearer " + d.token}
	for k, v := range headers {
		out[k] = v
	}
	return out
}

// call sends one request, times it, judges it (a 2xx answer, then check
// when given) and records it under endpoint. It returns the body and
// whether the request succeeded.
func (d *dayDevice) call(ctx context.Context, endpoint, method, target string, headers map[string]string, body []byte,
	check func([]byte) string) ([]byte, bool) {
	start := time.Now()
	raw, outcome := d.send(ctx, method, target, headers, body)
	if outcome == "" && check != nil {
		outcome = check(raw)
	}
	d.rec.request(endpoint, start, time.Since(start), outcome)
	return raw, outcome == ""
}

func (d *dayDevice) send(ctx context.Context, method, target string, headers map[string]string, body []byte) ([]byte, string) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return nil, "request: " + err.Error()
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := d.client.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, "cancelled"
		}
		return nil, "transport error"
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, "transport error"
	}
	if res.StatusCode/100 != 2 {
		return raw, "HTTP " + strconv.Itoa(res.StatusCode)
	}
	return raw, ""
}
