package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A guard records this quarter's drill on the phone: the drill template
// filled in offline and submitted through sync naming the drill
// (drill_id). The drill is held by that inspection, through the drill
// domain's rule (the same as REST's record); a wrong drill rejects the
// submit whole, and a replayed submit holds nothing twice.
func TestDrillRecordedThroughSync(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := roundsEnv(t, db)
		tenant := env.NewTenant("syncdrill")
		var plan planView
		env.Post("/v1/plans", tenant.Admin.Token, map[string]any{"site_id": tenant.Sites[0].ID, "category": "robbery",
			"title": "防抢劫应急预案", "body": planBody(tenant.Supervisor.User.ID)}).Want(t, http.StatusCreated).JSON(t, &plan)
		year := time.Now().In(shanghai(t)).Year()
		quarters := schedule(t, env, tenant.Supervisor.Token, plan.ID, map[string]any{"cadence": "quarterly", "year": year})
		june := schedule(t, env, tenant.Admin.Token, plan.ID, map[string]any{"cadence": "june", "year": year + 1})
		var current drillView
		for _, q := range quarters {
			if now := time.Now(); !now.Before(q.OpensAt) && now.Before(q.DueAt) {
				current = q
			}
		}

		phone := newReplica()
		phone.pullAll(t, env, tenant.Guard.Token, 500)
		templateID, number, doc := phone.template(t, "emergency-drill-quarterly")
		fill := func(drillID string) (string, []mutation) {
			id, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, checklists.SampleAnswers(doc, true), false)
			batch = append(batch, mut("inspection.submit", id, map[string]any{"drill_id": drillID}))
			return id, storeMedia(t, env, tenant.Guard.Token, doc, batch)
		}

		// Next year's June drill is not open yet: the submit is rejected,
		// naming drill_id, and nothing is held.
		_, early := fill(june[0].ID)
		_, results := push(t, env, tenant.Guard.Token, early)
		if last := results[len(results)-1]; last.Status != "rejected" || len(last.Errors) == 0 ||
			last.Errors[0].Pointer != "/payload/drill_id" {
			t.Fatalf("a submit naming a drill not yet open = %+v", last)
		}
		if got := getDrill(t, env, tenant.Supervisor.Token, june[0].ID); got.Status != "scheduled" {
			t.Fatalf("the June drill is %s after a rejected submit", got.Status)
		}

		id, batch := fill(current.ID)
		_, results = push(t, env, tenant.Guard.Token, batch)
		wantStatus(t, results, "applied")
		held := getDrill(t, env, tenant.Supervisor.Token, current.ID)
		if held.Status != "held" || held.InspectionID == nil || *held.InspectionID != id || held.PlanVersion == nil ||
			*held.PlanVersion != 1 || held.RecordedBy == "" || held.Score == nil {
			t.Fatalf("drill after the phone's submit = %+v, want held by %s", held, id)
		}

		// The submit again under a new mutation id is a duplicate; another
		// inspection naming the same drill is rejected.
		_, results = push(t, env, tenant.Guard.Token, []mutation{mut("inspection.submit", id, map[string]any{"drill_id": current.ID})})
		wantStatus(t, results, "duplicate")
		_, second := fill(current.ID)
		_, results = push(t, env, tenant.Guard.Token, second)
		if last := results[len(results)-1]; last.Status != "rejected" {
			t.Fatalf("a second inspection recorded the same drill: %+v", last)
		}
		if again := getDrill(t, env, tenant.Supervisor.Token, current.ID); *again.InspectionID != id {
			t.Fatalf("the drill is now held by %s, want %s", *again.InspectionID, id)
		}
	})
}
