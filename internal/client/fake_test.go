package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeServer is just enough of the sync API to test the client's side of
// the protocol in isolation: it remembers every mutation's first result,
// and can be told to misbehave.
type fakeServer struct {
	t *testing.T

	mu       sync.Mutex
	applied  []outboxEntry       // in the order applied
	results  map[string]Result   // first result by mutation id
	pages    []page              // served in order to a cursor of their index
	access   string              // the valid access token
	refresh  string              // the valid refresh token
	maxBatch int                 // above it: 413
	fail     []int               // statuses to answer push with, one per request, before working
	gone     bool                // answer the next pull with a cursor 410
	seen     map[string][]string // requests by path, with their token
}

func newFake(t *testing.T) (*fakeServer, *httptest.Server) {
	f := &fakeServer{t: t, results: map[string]Result{}, access: "a0", refresh: "r0", maxBatch: 500, seen: map[string][]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/auth/login", f.login)
	mux.HandleFunc("POST /v1/auth/refresh", f.doRefresh)
	mux.HandleFunc("GET /v1/me", f.authed(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"user": map[string]any{"id": "u1", "role": "guard", "site_ids": []string{"s1"}}})
	}))
	mux.HandleFunc("POST /v1/sync/push", f.authed(f.push))
	mux.HandleFunc("GET /v1/sync/pull", f.authed(f.pull))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return f, srv
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (f *fakeServer) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		token := r.Header.Get("Authorization")
		f.seen[r.URL.Path] = append(f.seen[r.URL.Path], token)
		ok := token == "Bearer "+f.access
		f.mu.Unlock()
		if !ok {
			writeJSON(w, 401, map[string]any{"title": "Unauthorized"})
			return
		}
		h(w, r)
	}
}

func (f *fakeServer) login(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var in map[string]string
	json.NewDecoder(r.Body).Decode(&in)
	if in["password"] != "pw" || in["device_id"] == "" {
		writeJSON(w, 401, map[string]any{"title": "Unauthorized"})
		return
	}
	f.access, f.refresh = f.access+"+", f.refresh+"+"
	f.seen["login"] = append(f.seen["login"], in["device_id"])
	writeJSON(w, 200, tokens{AccessToken: f.access, RefreshToken: f.refresh})
}

func (f *fakeServer) doRefresh(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var in map[string]string
	json.NewDecoder(r.Body).Decode(&in)
	if in["refresh_token"] != f.refresh {
		writeJSON(w, 401, map[string]any{"title": "Unauthorized"})
		return
	}
	f.access, f.refresh = f.access+"r", f.refresh+"r"
	writeJSON(w, 200, tokens{AccessToken: f.access, RefreshToken: f.refresh})
}

func (f *fakeServer) push(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var in struct {
		Mutations []outboxEntry `json:"mutations"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, 400, nil)
		return
	}
	if len(f.fail) > 0 {
		status := f.fail[0]
		f.fail = f.fail[1:]
		w.Header().Set("Retry-After", "0")
		writeJSON(w, status, map[string]any{"title": "injected"})
		return
	}
	if len(in.Mutations) > f.maxBatch {
		writeJSON(w, 413, map[string]any{"title": "Payload Too Large"})
		return
	}
	out := []Result{}
	for _, m := range in.Mutations {
		res, ok := f.results[m.MutationID]
		if !ok {
			res = Result{MutationID: m.MutationID, Status: "applied", EntityID: m.EntityID, Version: int64(len(f.applied) + 1)}
			if m.Type == "answer.set" && string(m.Payload) == `{"path":"/bad","answer":{"value":"bad"}}` {
				res.Status, res.Version = "rejected", 0
				res.Errors = []FieldError{{Pointer: "/payload/answer", Detail: "bad"}}
			} else {
				f.applied = append(f.applied, m)
			}
			f.results[m.MutationID] = res
		}
		out = append(out, res)
	}
	writeJSON(w, 200, map[string]any{"results": out})
}

func (f *fakeServer) pull(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	at := 0
	if c := r.URL.Query().Get("cursor"); c != "" {
		if f.gone {
			f.gone = false
			writeJSON(w, 410, map[string]any{"title": "Gone"})
			return
		}
		at, _ = strconv.Atoi(c)
	}
	if at >= len(f.pages) {
		writeJSON(w, 200, page{Changes: []change{}, NextCursor: strconv.Itoa(at)})
		return
	}
	p := f.pages[at]
	p.NextCursor, p.HasMore = strconv.Itoa(at+1), at+1 < len(f.pages)
	writeJSON(w, 200, p)
}

func (f *fakeServer) appliedTypes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, m := range f.applied {
		out = append(out, m.Type)
	}
	return out
}

// templatePage is a pull page holding one small published template.
func templatePage() page {
	doc := `{"key":"door-check","title":{"zh-CN":"门","en":"Door"},"sections":[{"key":"main","title":{"zh-CN":"主","en":"Main"},
"items":[{"key":"door_locked","type":"yes_no","label":{"zh-CN":"门锁","en":"Door locked"},"required":true},
{"key":"bad","type":"text","label":{"zh-CN":"坏","en":"Bad"}}]}]}`
	data, _ := json.Marshal(map[string]any{"id": "tv1", "template_id": "0194f2a0-0000-7000-8000-00000000000a", "key": "door-check",
		"number": 1, "document": json.RawMessage(doc)})
	return page{Changes: []change{{EntityType: "template_version", EntityID: "tv1", Op: "upsert", Version: 1, Data: data}}}
}

// openFake opens a client on srv in dir with fast retries.
func openFake(t *testing.T, url, dir string, relogin bool) *Client {
	t.Helper()
	c, err := Open(context.Background(), Options{Server: url, StateDir: dir, Relogin: relogin, Seed: 1,
		Backoff: Backoff{Base: time.Millisecond, Cap: 5 * time.Millisecond}, RequestTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
