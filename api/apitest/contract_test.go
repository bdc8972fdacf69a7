package apitest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
)

// recorder stands in for the test given to a check, so that a check that
// fails is seen failing without failing the test.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }

// contractCase is one answer or accepted request, and what the check must
// say of it: nothing (fails empty) or a failure naming fails.
type contractCase struct {
	name  string
	check func(t testing.TB)
	fails string // a part of the failure message, such as the field at fault
}

func (tc contractCase) run(t *testing.T) {
	t.Helper()
	probe := &recorder{TB: t}
	tc.check(probe)
	got := strings.Join(probe.failures, "\n")
	switch {
	case tc.fails == "" && got != "":
		t.Fatalf("a good one failed the check:\n%s", got)
	case tc.fails != "" && got == "":
		t.Fatalf("passed the check, want a failure naming %q", tc.fails)
	case !strings.Contains(got, tc.fails):
		t.Fatalf("the failure does not name %q:\n%s", tc.fails, got)
	}
}

const (
	drillID   = "0194f2a0-5555-7000-8000-000000000001"
	timestamp = "2026-11-26T15:20:00Z"
	hash      = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
)

// drill is a Drill as GET /v1/drills/{id} answers it (additionalProperties:
// false, and [x, "null"] fields holding null), changed by edit.
func drill(edit func(d map[string]any)) []byte {
	d := map[string]any{
		"id": drillID, "site_id": "0194f1f0-0000-7000-8000-00000000000b", "plan_id": "0194f2a0-5555-7000-8000-000000000002",
		"plan_title": "Fire", "category": "fire", "template_id": "0194f2a0-5555-7000-8000-000000000003",
		"cadence": "quarterly", "opens_at": timestamp, "due_at": timestamp, "status": "scheduled",
		"overdue": false, "overdue_at": nil, "inspection_id": nil, "plan_version": nil, "held_at": nil,
		"held_late": false, "score": nil, "outcome": nil, "findings": []any{}, "evaluation": "", "follow_up": "",
		"evaluated_at": nil, "version": 1, "created_at": timestamp, "updated_at": timestamp,
	}
	if edit != nil {
		edit(d)
	}
	out, _ := json.Marshal(d)
	return out
}

// answer checks an answer to a GET of path.
func answer(path string, status int, header http.Header, body []byte) func(t testing.TB) {
	return func(t testing.TB) {
		req, _ := http.NewRequest(http.MethodGet, "http://x"+path, nil)
		CheckContract(t, req, Response{Status: status, Header: header, Body: body})
	}
}

func jsonHeader(more ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(more); i += 2 {
		h.Set(more[i], more[i+1])
	}
	return h
}

// The contract check must refuse every kind of drift in an answer and let
// the right answers through.
func TestCheckContractCatchesDrift(t *testing.T) {
	t.Parallel()
	loadContract(t)
	problem := []byte(`{"type":"about:blank","title":"Not Found","status":404}`)
	site := `{"entity_type":"site","entity_id":"0194f1f0-0000-7000-8000-00000000000b","op":"upsert","version":1,` +
		`"data":{"id":"0194f1f0-0000-7000-8000-00000000000b","code":"HQ","name":"Head office","timezone":"Asia/Shanghai",` +
		`"address":"","active":true,"version":1,"created_at":"2026-11-01T00:00:00Z","updated_at":"2026-11-01T00:00:00Z"}}`
	tombstone := `{"entity_type":"finding","entity_id":"0194f2a0-3333-7000-8000-000000000009","op":"delete","reason":"left_scope","version":3}`
	page := func(changes ...string) []byte {
		return []byte(`{"changes":[` + strings.Join(changes, ",") + `],"next_cursor":"","has_more":false}`)
	}
	drillPath := "/v1/drills/" + drillID
	for _, tc := range []contractCase{
		{name: "good drill, nulls where [x, null] allows them", check: answer(drillPath, 200, jsonHeader(), drill(nil))},
		{name: "good drill, values in its [x, null] fields", check: answer(drillPath, 200, jsonHeader(), drill(func(d map[string]any) {
			d["overdue_at"], d["inspection_id"], d["plan_version"], d["score"], d["outcome"] = timestamp, drillID, 2, 87.5, "passed"
		}))},
		{name: "undeclared status", check: answer(drillPath, http.StatusTeapot, jsonHeader(), drill(nil)), fails: "status 418"},
		{name: "undeclared 304, which kin waves through", check: answer(drillPath, http.StatusNotModified, http.Header{}, nil), fails: "status 304"},
		{name: "missing required property", check: answer(drillPath, 200, jsonHeader(), drill(func(d map[string]any) { delete(d, "plan_title") })), fails: "plan_title"},
		{name: "extra property under additionalProperties false", check: answer(drillPath, 200, jsonHeader(), drill(func(d map[string]any) { d["secret"] = "x" })), fails: "secret"},
		{name: "wrong type", check: answer(drillPath, 200, jsonHeader(), drill(func(d map[string]any) { d["version"] = "1" })), fails: "/version"},
		{name: "null where not allowed", check: answer(drillPath, 200, jsonHeader(), drill(func(d map[string]any) { d["plan_title"] = nil })), fails: "/plan_title"},
		{name: "wrong type in a [number, null] field", check: answer(drillPath, 200, jsonHeader(), drill(func(d map[string]any) { d["score"] = "high" })), fails: "/score"},
		{name: "not a date-time", check: answer(drillPath, 200, jsonHeader(), drill(func(d map[string]any) { d["due_at"] = "next week" })), fails: "/due_at"},
		{name: "enum value out of the list", check: answer(drillPath, 200, jsonHeader(), drill(func(d map[string]any) { d["status"] = "cancelled" })), fails: "/status"},
		{name: "undeclared content type", check: answer(drillPath, 200, http.Header{"Content-Type": {"text/plain"}}, drill(nil)), fails: "text/plain"},
		{name: "good problem", check: answer(drillPath, 404, http.Header{"Content-Type": {"application/problem+json"}}, problem)},
		{name: "problem as plain JSON", check: answer(drillPath, 404, jsonHeader(), problem), fails: "application/json"},
		{name: "unknown path answered 404", check: answer("/v1/nothing-here", 404, http.Header{"Content-Type": {"application/problem+json"}}, problem)},
		{name: "unknown path answered 200", check: answer("/v1/nothing-here", 200, jsonHeader(), []byte(`{}`)), fails: "no such operation"},
		{name: "good pull page", check: answer("/v1/sync/pull", 200, jsonHeader(), page(site, tombstone))},
		{name: "pull change matching no oneOf branch", check: answer("/v1/sync/pull", 200, jsonHeader(),
			page(strings.Replace(site, `"name":"Head office",`, "", 1))), fails: "/changes/0"},
		{name: "good media redirect", check: answer("/v1/media/"+drillID, http.StatusFound, http.Header{"Location": {"http://blobs/x"}}, nil)},
		{name: "media redirect missing its required Location", check: answer("/v1/media/"+drillID, http.StatusFound, http.Header{}, nil), fails: "Location"},
		{name: "ETag off its pattern", check: answer("/v1/inspections/"+drillID, 200, jsonHeader("ETag", "W/1"), []byte(`{}`)), fails: "ETag"},
		{name: "the app's page at /app/, the operation of /app", check: answer("/app/", 200, http.Header{"Content-Type": {"text/html; charset=utf-8"}}, []byte("<!doctype html>"))},
		{name: "a trailing slash does not make an unknown path known", check: answer("/v1/nothing-here/", 200, jsonHeader(), []byte(`{}`)), fails: "no such operation"},
		{name: "CSV report", check: answer("/v1/reports/periodic?period=week&format=csv", 200, http.Header{"Content-Type": {"text/csv; charset=utf-8"}}, []byte("site,inspections\n"))},
		{name: "report in an undeclared type", check: answer("/v1/reports/periodic?period=week", 200, http.Header{"Content-Type": {"text/xml"}}, []byte("<x/>")), fails: "text/xml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t)
		})
	}
}

// accepted checks a request the server took.
func accepted(method, path string, header http.Header, body string) func(t testing.TB) {
	return func(t testing.TB) {
		req, _ := http.NewRequest(method, "http://x"+path, nil)
		req.Header = header
		CheckRequest(t, req, []byte(body))
	}
}

// signed is the headers of a JSON request with a bearer token, and more.
func signed(more ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer x"}}
	for i := 0; i+1 < len(more); i += 2 {
		h.Set(more[i], more[i+1])
	}
	return h
}

func without(h http.Header, name string) http.Header {
	out := maps.Clone(h)
	out.Del(name)
	return out
}

// The request check must refuse every kind of request the contract does
// not allow and let the allowed ones through.
func TestCheckRequestCatchesDrift(t *testing.T) {
	t.Parallel()
	loadContract(t)
	mutation := func(typ, payload string) string {
		return `{"mutations":[{"mutation_id":"0194f2a0-1111-7000-8000-000000000001","type":"` + typ + `",` +
			`"entity_id":"0194f2a0-2222-7000-8000-000000000002","payload":` + payload + `}]}`
	}
	push := mutation("answer.set", `{"path":"/a","answer":{"value":"yes"}}`)
	approve := "/v1/inspections/" + drillID + "/approve"
	ifMatch := []string{"If-Match", `"` + hash + `"`}
	for _, tc := range []contractCase{
		{name: "good push", check: accepted("POST", "/v1/sync/push", signed(), push)},
		{name: "misspelt field in a payload", check: accepted("POST", "/v1/sync/push", signed(),
			mutation("answer.set", `{"path":"/a","answer":{"valu":"yes"}}`)), fails: "/mutations/0"},
		{name: "mutation matching no oneOf branch", check: accepted("POST", "/v1/sync/push", signed(),
			mutation("inspection.delete", `{}`)), fails: "/mutations/0"},
		{name: "extra property in the body", check: accepted("POST", "/v1/sync/push", signed(),
			strings.Replace(push, "{", `{"device":"x",`, 1)), fails: "device"},
		{name: "no body where one is required", check: accepted("POST", "/v1/sync/push", signed(), ""), fails: "request body"},
		{name: "undeclared content type", check: accepted("POST", "/v1/sync/push", signed("Content-Type", "text/plain"), push), fails: "text/plain"},
		{name: "no bearer token on a secured route", check: accepted("POST", "/v1/sync/push", without(signed(), "Authorization"), push), fails: "Authorization"},
		{name: "good query", check: accepted("GET", "/v1/me/keys?limit=10", signed(), "")},
		{name: "query parameter of the wrong type", check: accepted("GET", "/v1/me/keys?limit=ten", signed(), ""), fails: `"limit"`},
		{name: "query parameter out of range", check: accepted("GET", "/v1/me/keys?limit=0", signed(), ""), fails: `"limit"`},
		{name: "required query parameter missing", check: accepted("GET", "/v1/reports/periodic", signed(), ""), fails: `"period"`},
		{name: "query parameter outside its enum", check: accepted("GET", "/v1/reports/periodic?period=day", signed(), ""), fails: `"period"`},
		{name: "good sign-off strokes", check: accepted("POST", approve, signed(ifMatch...), `{"signature":{"strokes":[[[0,0],[10,12.5]]]}}`)},
		{name: "stroke point breaking prefixItems", check: accepted("POST", approve, signed(ifMatch...), `{"signature":{"strokes":[[[0,"a"]]]}}`),
			fails: "/signature/strokes/0/0"},
		{name: "required header parameter missing", check: accepted("POST", approve, signed(), `{"signature":{"strokes":[[[0,0]]]}}`), fails: `"If-Match"`},
		{name: "header parameter off its pattern", check: accepted("POST", approve, signed("If-Match", "v1"), `{"signature":{"strokes":[[[0,0]]]}}`), fails: `"If-Match"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t)
		})
	}
}
