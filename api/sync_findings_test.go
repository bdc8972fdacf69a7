package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// Shared findings merge field by field; the same field changed on both
// sides is a conflict that carries the server's record.
func TestFindingsMergeFieldByField(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("merge")
		id := newID()
		_, results := push(t, env, tenant.Guard.Token, []mutation{mut("finding.create", id, map[string]any{
			"site_id": tenant.Sites[0].ID, "title": "Fire exit blocked", "description": "Boxes in the corridor", "severity": "medium"})})
		wantStatus(t, results, "applied")

		update := func(token string, base int64, fields map[string]any) result {
			m := mut("finding.update", id, fields)
			m.BaseVersion = &base
			_, results := push(t, env, token, []mutation{m})
			return results[0]
		}
		// Supervisor raises severity from version 1.
		if r := update(tenant.Supervisor.Token, 1, map[string]any{"severity": "high"}); r.Status != "applied" || r.Version != 2 {
			t.Fatalf("supervisor update = %+v", r)
		}
		// The guard, offline at version 1, edits the description: no clash.
		if r := update(tenant.Guard.Token, 1, map[string]any{"description": "Boxes moved, door still stuck"}); r.Status != "applied" || r.Version != 3 {
			t.Fatalf("guard description update = %+v", r)
		}
		// The guard also lowered the severity from version 1: a real conflict.
		r := update(tenant.Guard.Token, 1, map[string]any{"severity": "low"})
		if r.Status != "conflict" {
			t.Fatalf("same field on both sides = %+v, want conflict", r)
		}
		var server struct{ Severity, Description string }
		json.Unmarshal(r.ServerRecord, &server)
		if server.Severity != "high" || server.Description != "Boxes moved, door still stuck" {
			t.Fatalf("conflict carries %+v", server)
		}
		// Agreeing with the server is not a conflict.
		if r := update(tenant.Guard.Token, 1, map[string]any{"severity": "high"}); r.Status != "applied" {
			t.Fatalf("same value on both sides = %+v", r)
		}
		// Guards cannot reassign; a bad base version is named.
		if r := update(tenant.Guard.Token, 3, map[string]any{"assignee_id": tenant.Supervisor.User.ID}); r.Status != "rejected" || !hasPointer(r, "/payload/assignee_id") {
			t.Fatalf("guard reassigning = %+v", r)
		}
		if r := update(tenant.Guard.Token, 99, map[string]any{"title": "x"}); r.Status != "rejected" || !hasPointer(r, "/base_version") {
			t.Fatalf("unknown base = %+v", r)
		}
	})
}

// A finding reassigned away from a guard reaches them as a tombstone; the
// new assignee receives it.
func TestRecordLeavingScopeIsATombstone(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("scope")
		other := env.NewGuard(tenant, "second", tenant.Sites[0].ID)
		first := newReplica()
		first.pullAll(t, env, tenant.Guard.Token, 100)
		id := newID()
		_, results := push(t, env, tenant.Guard.Token, []mutation{mut("finding.create", id, map[string]any{
			"site_id": tenant.Sites[0].ID, "title": "Camera 3 dark", "severity": "high"})})
		wantStatus(t, results, "applied")
		first.pullAll(t, env, tenant.Guard.Token, 100)
		if _, ok := first.ofType("finding")[id]; !ok {
			t.Fatal("the author did not pull their finding")
		}
		second := newReplica()
		second.pullAll(t, env, other.Token, 100)
		if _, ok := second.ofType("finding")[id]; ok {
			t.Fatal("another guard pulled a finding not theirs")
		}
		base := int64(1)
		m := mut("finding.update", id, map[string]any{"assignee_id": other.User.ID})
		m.BaseVersion = &base
		_, results = push(t, env, tenant.Supervisor.Token, []mutation{m})
		wantStatus(t, results, "applied")
		first.pullAll(t, env, tenant.Guard.Token, 100)
		if _, ok := first.ofType("finding")[id]; ok {
			t.Fatal("the finding left the author's scope but is still in their replica")
		}
		second.pullAll(t, env, other.Token, 100)
		if got := second.ofType("finding")[id]; got.Version != 2 {
			t.Fatalf("new assignee holds %+v, want version 2", got)
		}
	})
}

// When a user's sites change, old cursors answer 410 and a fresh sync
// delivers the new scope.
func TestScopeChangeForcesResync(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("resync")
		r := newReplica()
		r.pullAll(t, env, tenant.Guard.Token, 100)
		env.Patch("/v1/users/"+tenant.Guard.User.ID, tenant.Admin.Token, map[string]any{"site_ids": []string{tenant.Sites[1].ID}}).
			Want(t, http.StatusOK)
		env.Get("/v1/sync/pull?cursor="+r.cursor, tenant.Guard.Token).Want(t, http.StatusGone).Problem(t)
		fresh := newReplica()
		fresh.pullAll(t, env, tenant.Guard.Token, 100)
		sites := fresh.ofType("site")
		if len(sites) != 1 || sites[tenant.Sites[1].ID].Version == 0 {
			t.Fatalf("after resync the guard holds sites %v, want only site B", sites)
		}
	})
}

// A failed item with a finding rule raises the finding on submit, once,
// even when the inspection is resubmitted.
func TestFailedItemsRaiseFindings(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("raise")
		r := newReplica()
		r.pullAll(t, env, tenant.Guard.Token, 200)
		templateID, number, doc := r.template(t, patrolTemplate)
		input := checklists.SampleAnswers(doc, false)
		_, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, input, true)
		batch = declareMedia(t, env, tenant.Guard.Token, doc, batch)
		_, results := push(t, env, tenant.Guard.Token, batch)
		last := results[len(results)-1]
		if last.Status != "applied" {
			t.Fatalf("SampleAnswers(fail) is not submittable for %s: %+v", patrolTemplate, last)
		}
		r.pullAll(t, env, tenant.Guard.Token, 200)
		findings := r.ofType("finding")
		if len(findings) == 0 {
			t.Fatal("a failing inspection raised no findings")
		}
		for _, f := range findings {
			var v struct {
				Status, Severity string
				InspectionID     *string `json:"inspection_id"`
			}
			json.Unmarshal(f.Data, &v)
			if v.Status != "open" || v.InspectionID == nil || v.Severity == "" {
				t.Fatalf("raised finding = %s", f.Data)
			}
		}
	})
}
