package api_test

import (
	"net/http"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The push body, payloads and answers are decoded by strictjson, which
// leaves every failure to encoding/json so that error texts, answered and
// stored in replayed results, stay what they were (issue 17, branch
// gocpu17). These pin them.
func TestPushDecodeTextsArePinned(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("texts")
		token := tenant.Guard.Token

		bodies := []struct {
			name   string
			body   string
			detail string
			fields map[string]string
		}{
			{"unknown top-level field", `{"mutations":[],"colour":1}`, "", map[string]string{"/colour": "unknown field"}},
			{"unknown mutation field", `{"mutations":[{"mutation_id":"a","colour":1}]}`, "", map[string]string{"/colour": "unknown field"}},
			{"wrong type", `{"mutations":[{"base_version":"3"}]}`, "", map[string]string{"/mutations/base_version": "must be a number"}},
			{"two values", `{"mutations":[]} {}`, "the body must hold exactly one JSON value", nil},
			{"cut short", `{"mutations":[`, "the body ends in the middle of a JSON value", nil},
			{"not JSON", `{"mutations":[}`, "malformed JSON at byte 15", nil},
		}
		for _, tc := range bodies {
			t.Run(tc.name, func(t *testing.T) {
				answer := env.Do(apitest.Request{Method: http.MethodPost, Path: "/v1/sync/push", Token: token, RawBody: []byte(tc.body)})
				if answer.Status/100 != 4 {
					t.Fatalf("status %d: %s", answer.Status, answer.Body)
				}
				problem := answer.Problem(t)
				if tc.detail != "" && problem.Detail != tc.detail {
					t.Fatalf("detail %q, want %q", problem.Detail, tc.detail)
				}
				got := answer.FieldErrors(t)
				if len(got) != len(tc.fields) {
					t.Fatalf("field errors %v, want %v", got, tc.fields)
				}
				for pointer, detail := range tc.fields {
					if got[pointer] != detail {
						t.Fatalf("field errors %v, want %v", got, tc.fields)
					}
				}
			})
		}

		inspectionID := startInspection(t, env, tenant, token)
		replica := newReplica()
		replica.pullAll(t, env, token, 200)
		_, _, doc := replica.template(t, patrolTemplate)
		item := "/" + doc.Sections[0].Items[0].Key
		payloads := []struct {
			name    string
			payload map[string]any
			pointer string
			detail  string
		}{
			{"unknown payload field", map[string]any{"path": "/a", "answer": map[string]any{"value": true}, "colour": 1},
				"/payload", `does not fit answer.set: json: unknown field "colour"`},
			{"wrong payload type", map[string]any{"path": 3},
				"/payload", `does not fit answer.set: json: cannot unmarshal number into Go struct field Answer.path of type string`},
			{"unknown answer field", map[string]any{"path": item, "answer": map[string]any{"value": true, "colour": 1}},
				"/payload/answer", `must be an answer object {"value", "note", "media", "countersign"}`},
		}
		for _, tc := range payloads {
			t.Run(tc.name, func(t *testing.T) {
				_, results := push(t, env, token, []mutation{mut("answer.set", inspectionID, tc.payload)})
				r := results[0]
				if r.Status != "rejected" || len(r.Errors) != 1 || r.Errors[0].Pointer != tc.pointer || r.Errors[0].Detail != tc.detail {
					t.Fatalf("result %+v, want rejected with %s: %q", r, tc.pointer, tc.detail)
				}
			})
		}
	})
}
