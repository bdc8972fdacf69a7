// Package apitest runs the real server over real HTTP for integration
// tests: the same assembly as `patrolsync serve`, on a real database and
// blob store, with every response checked against openapi.yaml.
package apitest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api"
	"github.com/patrolsync/patrolsync/internal/app"
	"github.com/patrolsync/patrolsync/internal/config"
)

// Env is one running server.
type Env struct {
	t      testing.TB
	URL    string
	App    *app.App
	Server *api.Server
	client *http.Client
	// unchecked skips the contract checks (WithoutContractChecks).
	unchecked bool
}

// WithoutContractChecks is e for requests whose answers are not checked
// against openapi.yaml: for a test's many requests of one shape after it
// sent the first through e. Walking 40 pages of 500 identical rows, the
// checks of every item cost more CPU than the rest of the test.
func (e *Env) WithoutContractChecks() *Env {
	unchecked := *e
	unchecked.unchecked = true
	return &unchecked
}

// Option changes the settings of a test server.
type Option func(settings map[string]string)

// WithSetting sets one PATROLSYNC_* variable.
func WithSetting(name, value string) Option {
	return func(s map[string]string) { s[name] = value }
}

// New starts a server on databaseURL with a local blob directory.
//
// Nothing of one Env is shared with another (its own listener, blob
// directory, secrets, metrics registry and job worker, on the test's own
// database), so the tests that use it call t.Parallel: most of an api
// test's time is waiting on PostgreSQL (a clone, each statement's round
// trip) or on a job's poll, which a second test fills.
func New(t testing.TB, databaseURL string, opts ...Option) *Env {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + listener.Addr().String()
	dir := t.TempDir()
	settings := map[string]string{
		"PATROLSYNC_DATABASE_URL": databaseURL,
		"PATROLSYNC_BLOBS":        "file://" + dir + "/blobs",
		"PATROLSYNC_VAR_DIR":      dir,
		"PATROLSYNC_BASE_URL":     base,
		"PATROLSYNC_ADDR":         listener.Addr().String(),
		"PATROLSYNC_JWT_SECRET":   randomSecret(),
		"PATROLSYNC_BLOB_SECRET":  randomSecret(),
		"PATROLSYNC_BCRYPT_COST":  "4",
		"PATROLSYNC_JOB_POLL":     "50ms",
		// Tests push as fast as they can; the limiter has its own test.
		"PATROLSYNC_PUSH_RATE": "0",
	}
	for _, opt := range opts {
		opt(settings)
	}
	cfg, err := config.Load(func(name string) string { return settings[name] })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("PATROLSYNC_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	a, err := app.Open(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Worker.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	server := api.New(api.DepsFrom(a), api.Options{BodyLimit: cfg.BodyLimit, Version: "test", PushRate: cfg.PushRate, PushBurst: cfg.PushBurst, TrustedProxies: cfg.TrustedProxies, CORSOrigins: cfg.CORSOrigins}, log)
	ts := httptest.NewUnstartedServer(server)
	ts.Listener.Close()
	ts.Listener = listener
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a.Worker.Stop(ctx)
		a.Close()
	})
	client := ts.Client()
	// Tests see the API's own answers: a redirect (to a presigned download)
	// is checked as the 302 it is, not followed.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Env{t: t, URL: base, App: a, Server: server, client: client}
}

func randomSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Response is an answer with its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it cannot.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %d answer %q: %v", r.Status, r.Body, err)
	}
}

// Problem is the problem document of an error answer.
func (r Response) Problem(t testing.TB) api.Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("status %d with Content-Type %q, want application/problem+json: %s", r.Status, ct, r.Body)
	}
	var p api.Problem
	r.JSON(t, &p)
	return p
}

// FieldErrors maps the problem's field pointers to their details.
func (r Response) FieldErrors(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, e := range r.Problem(t).Errors {
		out[e.Pointer] = e.Detail
	}
	return out
}

// Request describes one call.
type Request struct {
	Method  string
	Path    string
	Token   string
	Body    any    // marshalled as JSON unless RawBody is set
	RawBody []byte // sent as is
	Header  map[string]string
}

// Do sends req and checks the answer against openapi.yaml.
func (e *Env) Do(req Request) Response {
	e.t.Helper()
	var raw []byte
	switch {
	case req.RawBody != nil:
		raw = req.RawBody
	case req.Body != nil:
		b, err := json.Marshal(req.Body)
		if err != nil {
			e.t.Fatal(err)
		}
		raw = b
	}
	var body io.Reader
	if raw != nil {
		body = bytes.NewReader(raw)
	}
	httpReq, err := http.NewRequest(req.Method, e.URL+req.Path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if raw != nil {
		httpReq.Header.Set("Content-Type", "application/json")
	}
	if req.Token != "" {
		httpReq.Header.Set("Authorization", "Bearer "+req.Token)
	}
	for k, v := range req.Header {
		httpReq.Header.Set(k, v)
	}
	res, err := e.client.Do(httpReq)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	resp := Response{Status: res.StatusCode, Header: res.Header, Body: out}
	if e.unchecked {
		return resp
	}
	CheckContract(e.t, httpReq, resp)
	if resp.Status < 400 {
		CheckRequest(e.t, httpReq, acceptedPart(httpReq, raw, resp))
	}
	return resp
}

// Get, Post, Patch and Delete are shorthands for Do.
func (e *Env) Get(path, token string) Response {
	e.t.Helper()
	return e.Do(Request{Method: http.MethodGet, Path: path, Token: token})
}

func (e *Env) Post(path, token string, body any) Response {
	e.t.Helper()
	return e.Do(Request{Method: http.MethodPost, Path: path, Token: token, Body: body})
}

func (e *Env) Patch(path, token string, body any) Response {
	e.t.Helper()
	return e.Do(Request{Method: http.MethodPatch, Path: path, Token: token, Body: body})
}

func (e *Env) Delete(path, token string) Response {
	e.t.Helper()
	return e.Do(Request{Method: http.MethodDelete, Path: path, Token: token})
}

// Want fails the test unless the answer has the status.
func (r Response) Want(t testing.TB, status int) Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

// acceptedPart leaves out of a push the mutations the server rejected:
// business outcomes come back inside a 200, and tests push bad mutations
// on purpose to see them rejected alone. Every other mutation must be one
// the contract allows.
func acceptedPart(req *http.Request, body []byte, res Response) []byte {
	if req.Method != http.MethodPost || req.URL.Path != "/v1/sync/push" || res.Status != http.StatusOK {
		return body
	}
	var sent struct {
		Mutations []json.RawMessage `json:"mutations"`
	}
	var answer struct {
		Results []struct {
			Status string `json:"status"`
		} `json:"results"`
	}
	if json.Unmarshal(body, &sent) != nil || json.Unmarshal(res.Body, &answer) != nil || len(answer.Results) != len(sent.Mutations) {
		return body // the response check reports a malformed answer
	}
	kept := []json.RawMessage{}
	for i, m := range sent.Mutations {
		if answer.Results[i].Status != "rejected" {
			kept = append(kept, m)
		}
	}
	out, _ := json.Marshal(map[string]any{"mutations": kept})
	return out
}
