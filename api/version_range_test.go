package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A template version number past what the database holds (32 bits) names
// no version, as any other unknown number: the push rejects that
// mutation alone, and GET answers 404. On PostgreSQL both failed with 500
// every time, so a device holding such a mutation retried it forever.
func TestOutOfRangeVersionNumberIsRejectedNotFailed(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("bignumber")
		r := newReplica()
		r.pullAll(t, env, tenant.Guard.Token, 500)
		templateID, _, _ := r.template(t, patrolTemplate)
		now := time.Now().UTC().Format(time.RFC3339)
		_, results := push(t, env, tenant.Guard.Token, []mutation{
			mut("inspection.start", newID(), map[string]any{"template_id": templateID, "template_version": 99999999999,
				"site_id": tenant.Sites[0].ID}),
			mut("finding.create", newID(), map[string]any{"site_id": tenant.Sites[0].ID, "title": "Exit blocked",
				"severity": "low", "due_at": now}),
		})
		if results[0].Status != "rejected" || !hasPointer(results[0], "/payload/template_version") {
			t.Fatalf("inspection.start with version 99999999999 = %+v, want rejected at /payload/template_version", results[0])
		}
		wantStatus(t, results[1:], "applied")
		env.Get("/v1/templates/"+templateID+"/versions/99999999999", tenant.Guard.Token).Want(t, http.StatusNotFound)
	})
}
