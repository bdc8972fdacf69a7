package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// Sync and REST write findings by the same rules: a blank title is
// refused both ways, an assignee must work at the finding's site, and an
// assignment through sync moves the finding to assigned, names who
// assigned it and is in its history, as the REST assign action does.
func TestFindingRulesAreTheSameThroughSync(t *testing.T) {
	t.Parallel()
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

// Unassigning through sync (assignee_id set to null) is the REST unassign
// action: back to open, nobody assigned, an unassigned event in the
// history by the same person; and from any other status both refuse it.
func TestUnassignIsTheSameThroughSyncAndREST(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("unassign")
		site, supervisor := tenant.Sites[0].ID, tenant.Supervisor
		assigned := func() findingDetail {
			var f findingDetail
			env.Post("/v1/findings", supervisor.Token, map[string]any{"site_id": site, "title": "Door ajar",
				"severity": "low", "assignee_id": tenant.Guard.User.ID}).Want(t, http.StatusCreated).JSON(t, &f)
			if f.Status != "assigned" {
				t.Fatalf("created = %+v", f)
			}
			return f
		}
		byREST, bySync := assigned(), assigned()

		env.Post("/v1/findings/"+byREST.ID+"/unassign", supervisor.Token, map[string]any{}).Want(t, http.StatusOK).JSON(t, &byREST)
		m := mut("finding.update", bySync.ID, map[string]any{"assignee_id": nil})
		m.BaseVersion = &bySync.Version
		_, results := push(t, env, supervisor.Token, []mutation{m})
		wantStatus(t, results, "applied")
		env.Get("/v1/findings/"+bySync.ID, supervisor.Token).Want(t, http.StatusOK).JSON(t, &bySync)

		for name, f := range map[string]findingDetail{"REST": byREST, "sync": bySync} {
			if f.Status != "open" || f.AssigneeID != nil || f.AssignedBy != nil || f.Version != 2 {
				t.Errorf("%s unassign: status %s, assignee %v, assigned by %v, version %d; want open, nobody, version 2",
					name, f.Status, f.AssigneeID, f.AssignedBy, f.Version)
			}
			var kinds []string
			for _, h := range f.History {
				actor := "-"
				if h.ActorID != nil && *h.ActorID == supervisor.User.ID {
					actor = "supervisor"
				}
				kinds = append(kinds, h.Kind+":"+h.FromStatus+">"+h.ToStatus+":"+actor)
			}
			if strings.Join(kinds, " ") != "created:>assigned:supervisor unassigned:assigned>open:supervisor" {
				t.Errorf("%s unassign history %v", name, kinds)
			}
		}

		// A rectified finding is not taken back: 409 over REST, rejected
		// naming the field over sync.
		rectified := assigned()
		env.Post("/v1/findings/"+rectified.ID+"/rectify", tenant.Guard.Token, map[string]any{"note": "Closed the door",
			"evidence": declaredMedia(t, env, tenant, tenant.Guard.Token, "", 1)}).Want(t, http.StatusOK).JSON(t, &rectified)
		env.Post("/v1/findings/"+rectified.ID+"/unassign", supervisor.Token, map[string]any{}).Want(t, http.StatusConflict)
		m = mut("finding.update", rectified.ID, map[string]any{"assignee_id": nil})
		m.BaseVersion = &rectified.Version
		_, results = push(t, env, supervisor.Token, []mutation{m})
		if results[0].Status != "rejected" || !hasPointer(results[0], "/payload/assignee_id") {
			t.Fatalf("sync unassign of a rectified finding = %+v", results[0])
		}
	})
}
