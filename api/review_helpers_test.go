package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/store"
)

// sqlExec runs a statement written with ? placeholders on either dialect,
// for tests that must reach behind the API (tampering, backdating).
func sqlExec(t *testing.T, env *apitest.Env, query string, args ...any) {
	t.Helper()
	if env.App.DB.Dialect() == store.Postgres {
		n := 0
		var b strings.Builder
		for _, r := range query {
			if r == '?' {
				n++
				b.WriteString("$" + itoa(n))
				continue
			}
			b.WriteRune(r)
		}
		query = b.String()
	}
	res, err := env.App.DB.SQL().ExecContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("%s changed no rows", query)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// submitted pushes a whole inspection of template key at the tenant's
// first site as its guard and returns its id and content hash.
func submitted(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, key string, pass bool) (string, string) {
	t.Helper()
	return submittedWith(t, env, tenant, key, pass, nil)
}

// submittedWith is submitted with some sample answers changed by edit
// first (a register test's own names and times).
func submittedWith(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, key string, pass bool, edit func(map[string]checklists.Answer)) (string, string) {
	t.Helper()
	return submittedStamped(t, env, tenant, key, pass, edit, nil)
}

// submittedStamped is submittedWith whose inspection.submit carries
// payload (nil: an empty one, the submission stamped by the phone's clock).
func submittedStamped(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, key string, pass bool, edit func(map[string]checklists.Answer), payload map[string]any) (string, string) {
	t.Helper()
	r := newReplica()
	r.pullAll(t, env, tenant.Guard.Token, 500)
	templateID, number, doc := r.template(t, key)
	input := checklists.SampleAnswers(doc, pass)
	if edit != nil {
		edit(input.Answers)
	}
	id, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, input, true)
	if payload != nil {
		batch[len(batch)-1].Payload = payload // inspectionBatch ends with the submit
	}
	batch = storeMedia(t, env, tenant.Guard.Token, doc, batch)
	_, results := push(t, env, tenant.Guard.Token, batch)
	last := results[len(results)-1]
	if last.Status != "applied" || last.ContentHash == "" {
		t.Fatalf("submit of %s = %+v", key, last)
	}
	return id, last.ContentHash
}

type inspectionDetail struct {
	ID           string  `json:"id"`
	Status       string  `json:"status"`
	Version      int64   `json:"version"`
	ContentHash  string  `json:"content_hash"`
	ApprovedBy   *string `json:"approved_by"`
	ApprovedHash *string `json:"approved_hash"`
	History      []struct {
		Kind string `json:"kind"`
	} `json:"history"`
}

func approve(env *apitest.Env, token, id, ifMatch string, body any) apitest.Response {
	header := map[string]string{}
	if ifMatch != "" {
		header["If-Match"] = ifMatch
	}
	return env.Do(apitest.Request{Method: http.MethodPost, Path: "/v1/inspections/" + id + "/approve", Token: token,
		Body: body, Header: header})
}

var strokes = map[string]any{"signature": map[string]any{"strokes": [][][]float64{{{0, 0}, {10, 12}, {20, 5}}}}, "comment": "checked"}

func time2020() time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) }
