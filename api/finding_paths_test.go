package api_test

import (
	"net/http"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// Sync and REST write findings by the same rules: a blank title is
// refused both ways, an assignee must work at the finding's site, and an
// assignment through sync moves the finding to assigned, names who
// assigned it and is in its history, as the REST assign action does.
func TestFindingRulesAreTheSameThroughSync(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("paths")
		site, supervisor := tenant.Sites[0].ID, tenant.Supervisor
		elsewhere := env.NewGuard(tenant, "elsewhere", tenant.Sites[1].ID)

		fields := env.Post("/v1/findings", supervisor.Token, map[string]any{"site_id": site, "title": "   ",
			"severity": "low"}).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if fields["/title"] == "" {
			t.Fatalf("REST blank title: %v", fields)
		}
		id := newID()
		_, results := push(t, env, supervisor.Token, []mutation{
			mut("finding.create", newID(), map[string]any{"site_id": site, "title": "   ", "severity": "low"}),
			mut("finding.create", newID(), map[string]any{"site_id": site, "title": "Exit blocked", "severity": "low",
				"assignee_id": elsewhere.User.ID}),
			mut("finding.create", id, map[string]any{"site_id": site, "title": "Exit blocked", "severity": "low"}),
		})
		if results[0].Status != "rejected" || !hasPointer(results[0], "/payload/title") {
			t.Fatalf("sync blank title = %+v", results[0])
		}
		if results[1].Status != "rejected" || !hasPointer(results[1], "/payload/assignee_id") {
			t.Fatalf("sync assignee of another site = %+v", results[1])
		}
		wantStatus(t, results[2:], "applied")

		update := func(assignee string) result {
			m := mut("finding.update", id, map[string]any{"assignee_id": assignee})
			base := int64(1)
			m.BaseVersion = &base
			_, results := push(t, env, supervisor.Token, []mutation{m})
			return results[0]
		}
		if r := update(elsewhere.User.ID); r.Status != "rejected" || !hasPointer(r, "/payload/assignee_id") {
			t.Fatalf("sync reassignment to another site's guard = %+v", r)
		}
		if r := update(newID()); r.Status != "rejected" || !hasPointer(r, "/payload/assignee_id") {
			t.Fatalf("sync reassignment to nobody = %+v", r)
		}
		if r := update(tenant.Guard.User.ID); r.Status != "applied" {
			t.Fatalf("sync assignment = %+v", r)
		}
		var f findingDetail
		env.Get("/v1/findings/"+id, supervisor.Token).Want(t, http.StatusOK).JSON(t, &f)
		if f.Status != "assigned" || f.AssignedBy == nil || *f.AssignedBy != supervisor.User.ID {
			t.Fatalf("after a sync assignment: status %s, assigned by %v", f.Status, f.AssignedBy)
		}
		var kinds []string
		for _, h := range f.History {
			kinds = append(kinds, h.Kind+":"+h.FromStatus+">"+h.ToStatus)
		}
		if len(kinds) != 2 || kinds[0] != "created:>open" || kinds[1] != "assigned:open>assigned" {
			t.Fatalf("history %v, want created then assigned", kinds)
		}
	})
}
