package api_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/patrolsync/patrolsync"
	"github.com/patrolsync/patrolsync/api"
	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// specDocument loads openapi.yaml.
func specDocument(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(patrolsync.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// specRoutes maps "METHOD /path" of every operation in openapi.yaml to the
// statuses it declares.
func specRoutes(t *testing.T) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	for path, item := range specDocument(t).Paths.Map() {
		for method, op := range item.Operations() {
			statuses := map[string]bool{}
			for code := range op.Responses.Map() {
				statuses[code] = true
			}
			out[strings.ToUpper(method)+" "+path] = statuses
		}
	}
	return out
}

func TestSpecIsValidOpenAPI31(t *testing.T) {
	t.Parallel()
	doc := specDocument(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi.yaml is version %q, want 3.1", doc.OpenAPI)
	}
	// Validate holds a 3.1 document to the 3.1 rules (JSON Schema 2020-12
	// schemas, type arrays, webhooks) and checks every example against
	// its schema; every problem at once.
	err := doc.Validate(context.Background(), openapi3.EnableMultiError())
	var all openapi3.MultiError
	if errors.As(err, &all) {
		for _, problem := range all {
			t.Error(problem)
		}
	} else if err != nil {
		t.Fatal(err)
	}
}

// Every registered route is in the spec, and every spec operation is served.
func TestRoutesMatchSpec(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.SQLite(t))
	spec := specRoutes(t)
	served := map[string]bool{}
	for _, r := range env.Server.Routes() {
		if strings.HasPrefix(r.Path, "/v1/blobs/") {
			continue // the local blob store's presigned URLs, not an API route
		}
		served[r.Method+" "+r.Path] = true
	}
	var missing, unserved []string
	for route := range served {
		if spec[route] == nil {
			missing = append(missing, route)
		}
	}
	for route := range spec {
		if !served[route] {
			unserved = append(unserved, route)
		}
	}
	sort.Strings(missing)
	sort.Strings(unserved)
	if len(missing) > 0 {
		t.Errorf("routes served but missing from openapi.yaml:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(unserved) > 0 {
		t.Errorf("operations in openapi.yaml that no route serves:\n  %s", strings.Join(unserved, "\n  "))
	}
}

// Every operation that may touch the database declares 503: an unreachable
// database, or a transaction that lost a deadlock or serialization race
// (store.LostLockRace), answers it from any of them. Only the routes the
// server registers as store-free (health, docs, embedded files) may leave
// it out.
func TestContractDeclaresUnavailable(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.SQLite(t))
	routes := env.Server.Routes()
	store := 0
	for _, r := range routes {
		if r.Store {
			store++
		}
	}
	if store < 100 {
		t.Fatalf("only %d of %d routes may touch the store: the table is wrong", store, len(routes))
	}
	if undeclared := undeclaredUnavailable(routes, specRoutes(t)); len(undeclared) > 0 {
		t.Errorf("operations that may answer 503 but do not declare it in openapi.yaml "+
			`(add "503": {$ref: "#/components/responses/Unavailable"}):`+"\n  %s", strings.Join(undeclared, "\n  "))
	}
}

// undeclaredUnavailable lists the routes that may touch the store and whose
// operation in spec does not declare 503. Routes missing from the spec are
// TestRoutesMatchSpec's to report.
func undeclaredUnavailable(routes []api.Route, spec map[string]map[string]bool) []string {
	var out []string
	for _, r := range routes {
		route := r.Method + " " + r.Path
		if statuses, ok := spec[route]; ok && r.Store && !statuses["503"] {
			out = append(out, route)
		}
	}
	sort.Strings(out)
	return out
}

// The 503 check must catch an operation that forgot it, and spare a
// store-free one.
func TestContractUnavailableCheckCatchesDrift(t *testing.T) {
	t.Parallel()
	spec := map[string]map[string]bool{
		"GET /v1/me":    {"200": true, "401": true, "500": true},
		"GET /healthz":  {"200": true, "500": true},
		"GET /v1/sites": {"200": true, "503": true, "500": true},
	}
	routes := []api.Route{{Method: "GET", Path: "/v1/me", MinRole: "guard", Store: true},
		{Method: "GET", Path: "/healthz"}, {Method: "GET", Path: "/v1/sites", MinRole: "guard", Store: true}}
	if got := undeclaredUnavailable(routes, spec); !slices.Equal(got, []string{"GET /v1/me"}) {
		t.Fatalf("undeclaredUnavailable = %q, want only GET /v1/me", got)
	}
}

// The contract check itself must catch drift: an answer the spec does not
// allow fails.
func TestContractCheckCatchesDrift(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest(http.MethodGet, "http://x/v1/me", nil)
	bad := apitest.Response{Status: http.StatusTeapot, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{}`)}
	probe := &recordingT{TB: t}
	apitest.CheckContract(probe, req, bad)
	if !probe.failed {
		t.Fatal("an undocumented status passed the contract check")
	}
	wrongShape := apitest.Response{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"user": 1}`)}
	probe = &recordingT{TB: t}
	apitest.CheckContract(probe, req, wrongShape)
	if !probe.failed {
		t.Fatal("a body of the wrong shape passed the contract check")
	}
}

// The request check catches a request the contract does not allow.
func TestRequestCheckCatchesDrift(t *testing.T) {
	t.Parallel()
	body := []byte(`{"mutations":[{"mutation_id":"0194f2a0-1111-7000-8000-000000000001","type":"answer.set",` +
		`"entity_id":"0194f2a0-2222-7000-8000-000000000002","payload":{"path":"/a","answer":{"valu":"yes"}}}]}`)
	req, _ := http.NewRequest(http.MethodPost, "http://x/v1/sync/push", nil)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer x")
	probe := &recordingT{TB: t}
	apitest.CheckRequest(probe, req, body)
	if !probe.failed {
		t.Fatal("an answer.set with a misspelt field passed the request check")
	}
	good := []byte(`{"mutations":[{"mutation_id":"0194f2a0-1111-7000-8000-000000000001","type":"answer.set",` +
		`"entity_id":"0194f2a0-2222-7000-8000-000000000002","payload":{"path":"/a","answer":{"value":"yes"}}}]}`)
	probe = &recordingT{TB: t}
	apitest.CheckRequest(probe, req, good)
	if probe.failed {
		t.Fatal("a good answer.set failed the request check")
	}
}

type recordingT struct {
	testing.TB
	failed bool
}

func (r *recordingT) Errorf(string, ...any) { r.failed = true }
func (r *recordingT) Fatalf(string, ...any) { r.failed = true }
func (r *recordingT) Helper()               {}

// The webhook check catches a delivery the contract does not describe.
func TestWebhookCheckCatchesDrift(t *testing.T) {
	t.Parallel()
	body := []byte(`{"delivery_id":"6f1c2d3e-4b5a-5c6d-8e7f-0a1b2c3d4e5f","event_type":"round.missed",` +
		`"org_id":"0194f1f0-0000-7000-8000-000000000001","subject_type":"round",` +
		`"subject_id":"0194f2a0-4444-7000-8000-000000000020","occurred_at":"2026-11-26T15:20:00Z"}`)
	header := func(event string) http.Header {
		return http.Header{"Content-Type": {"application/json"}, "X-Patrolsync-Event": {event},
			"X-Patrolsync-Delivery":  {"6f1c2d3e-4b5a-5c6d-8e7f-0a1b2c3d4e5f"},
			"X-Patrolsync-Signature": {"sha256=" + strings.Repeat("0a", 32)}}
	}
	probe := &recordingT{TB: t}
	apitest.CheckWebhook(probe, header("round.missed"), body)
	if probe.failed {
		t.Fatal("a good round.missed failed the webhook check")
	}
	for name, tc := range map[string]struct {
		header http.Header
		body   []byte
	}{
		"unknown event":        {header("round.lost"), body},
		"event and body apart": {header("round.partial"), body},
		"no signature":         {http.Header{"Content-Type": {"application/json"}, "X-Patrolsync-Event": {"round.missed"}}, body},
		"extra field":          {header("round.missed"), []byte(strings.Replace(string(body), `{`, `{"secret":"x",`, 1))},
	} {
		probe := &recordingT{TB: t}
		apitest.CheckWebhook(probe, tc.header, tc.body)
		if !probe.failed {
			t.Errorf("%s passed the webhook check", name)
		}
	}
}
