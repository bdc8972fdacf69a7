package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

type drillView struct {
	ID           string
	SiteID       string `json:"site_id"`
	PlanID       string `json:"plan_id"`
	Cadence      string
	OpensAt      time.Time `json:"opens_at"`
	DueAt        time.Time `json:"due_at"`
	Status       string
	Overdue      bool
	InspectionID *string `json:"inspection_id"`
	PlanVersion  *int    `json:"plan_version"`
	HeldLate     bool    `json:"held_late"`
	RecordedBy   string  `json:"recorded_by"`
	Score        *float64
	Outcome      *string
	Findings     []struct {
		ID, Title, Severity string
		DueAt               *time.Time `json:"due_at"`
	}
	Evaluation  string
	FollowUp    string `json:"follow_up"`
	EvaluatedBy string `json:"evaluated_by"`
}

// schedule schedules a year's drills from a plan and returns them.
func schedule(t *testing.T, env *apitest.Env, token, planID string, body map[string]any) []drillView {
	t.Helper()
	var out struct{ Items []drillView }
	env.Post("/v1/plans/"+planID+"/drills", token, body).Want(t, http.StatusCreated).JSON(t, &out)
	return out.Items
}

func getDrill(t *testing.T, env *apitest.Env, token, id string) drillView {
	t.Helper()
	var d drillView
	env.Get("/v1/drills/"+id, token).Want(t, http.StatusOK).JSON(t, &d)
	return d
}

// Drills are scheduled from a plan (quarterly, and in June), held when a
// guard's inspection of the drill template records them, with the plan
// version then in force, and evaluated; the inspection's failed items are
// findings in the rectification loop; a drill not held when its window
// closes is flagged overdue, once, on an injected clock.
func TestDrillLifeCycle(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("drills")
		siteA, siteB := tenant.Sites[0].ID, tenant.Sites[1].ID
		admin, sup := tenant.Admin.Token, tenant.Supervisor.Token
		var plan, orgPlan planView
		env.Post("/v1/plans", admin, map[string]any{"site_id": siteA, "category": "robbery", "title": "防抢劫应急预案",
			"body": planBody(tenant.Supervisor.User.ID)}).Want(t, http.StatusCreated).JSON(t, &plan)
		env.Post("/v1/plans", admin, map[string]any{"category": "fire", "title": "消防应急预案",
			"body": planBody(tenant.Admin.User.ID)}).Want(t, http.StatusCreated).JSON(t, &orgPlan)

		// Bad input is named, field by field; nothing is scheduled.
		problems := env.Post("/v1/plans/"+plan.ID+"/drills", sup, map[string]any{"cadence": "monthly", "year": 1999,
			"site_id": siteB}).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		for _, field := range []string{"/cadence", "/year", "/site_id"} {
			if problems[field] == "" {
				t.Errorf("no field error for %s: %v", field, problems)
			}
		}
		problems = env.Post("/v1/plans/"+orgPlan.ID+"/drills", sup, map[string]any{"cadence": "june", "year": 2027}).
			Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if problems["/site_id"] == "" {
			t.Errorf("an organisation's plan scheduled without a site: %v", problems)
		}
		env.Post("/v1/plans/"+plan.ID+"/drills", tenant.Guard.Token, map[string]any{"cadence": "june", "year": 2027}).
			Want(t, http.StatusForbidden)
		var none struct{ Items []drillView }
		env.Get("/v1/drills", admin).Want(t, http.StatusOK).JSON(t, &none)
		if len(none.Items) != 0 {
			t.Fatalf("rejected schedules left drills %+v", none.Items)
		}

		// This year's quarters, in the site's time zone (Asia/Shanghai);
		// scheduling again adds nothing.
		year := time.Now().In(shanghai(t)).Year()
		quarters := schedule(t, env, sup, plan.ID, map[string]any{"cadence": "quarterly", "year": year})
		if len(quarters) != 4 {
			t.Fatalf("quarterly schedule made %d drills, want 4", len(quarters))
		}
		q1Opens := time.Date(year, 1, 1, 0, 0, 0, 0, shanghai(t))
		if !quarters[0].OpensAt.Equal(q1Opens) || !quarters[0].DueAt.Equal(q1Opens.AddDate(0, 3, 0)) ||
			!quarters[3].DueAt.Equal(q1Opens.AddDate(1, 0, 0)) {
			t.Fatalf("quarter windows %v–%v … %v, want local quarters of %d", quarters[0].OpensAt, quarters[0].DueAt,
				quarters[3].DueAt, year)
		}
		again := schedule(t, env, sup, plan.ID, map[string]any{"cadence": "quarterly", "year": year})
		if len(again) != 4 || again[2].ID != quarters[2].ID {
			t.Fatalf("scheduling twice gave %+v, want the same four drills", again)
		}
		june := schedule(t, env, admin, orgPlan.ID, map[string]any{"cadence": "june", "year": year + 1, "site_id": siteA})
		if len(june) != 1 || !june[0].DueAt.Equal(time.Date(year+1, 7, 1, 0, 0, 0, 0, shanghai(t))) || june[0].SiteID != siteA {
			t.Fatalf("june drill %+v", june)
		}
		// The other site's supervisor neither sees nor schedules them.
		other := env.NewGuard(tenant, "guard-b", siteB)
		var seen struct{ Items []drillView }
		env.Get("/v1/drills", other.Token).Want(t, http.StatusOK).JSON(t, &seen)
		if len(seen.Items) != 0 {
			t.Fatalf("a guard of site B sees %d drills of site A", len(seen.Items))
		}

		// The drill of this quarter is held: the guard fills in the drill
		// template on the phone as any inspection, with failed items.
		var current drillView
		now := time.Now()
		for _, q := range quarters {
			if !now.Before(q.OpensAt) && now.Before(q.DueAt) {
				current = q
			}
		}
		env.Post("/v1/drills/"+current.ID+"/evaluate", sup, map[string]any{"evaluation": "good", "follow_up": "none"}).
			Want(t, http.StatusConflict)
		other1, _ := submitted(t, env, tenant, "security-equipment-daily", true)
		inspectionID, _ := submitted(t, env, tenant, "emergency-drill-quarterly", false)
		problems = env.Post("/v1/drills/"+current.ID+"/record", sup, map[string]any{"inspection_id": other1}).
			Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if problems["/inspection_id"] == "" {
			t.Fatalf("an inspection of another template recorded a drill: %v", problems)
		}
		problems = env.Post("/v1/drills/"+june[0].ID+"/record", sup, map[string]any{"inspection_id": inspectionID}).
			Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if problems["/inspection_id"] == "" {
			t.Fatalf("an inspection made before the June window opened recorded the June drill: %v", problems)
		}
		var held drillView
		env.Post("/v1/drills/"+current.ID+"/record", sup, map[string]any{"inspection_id": inspectionID}).
			Want(t, http.StatusOK).JSON(t, &held)
		if held.Status != "held" || held.InspectionID == nil || *held.InspectionID != inspectionID || held.PlanVersion == nil ||
			*held.PlanVersion != 1 || held.Score == nil || held.Outcome == nil || held.RecordedBy == "" || held.HeldLate {
			t.Fatalf("held drill %+v, want the inspection, plan version 1, its score and outcome", held)
		}
		if len(held.Findings) == 0 || held.Findings[0].DueAt == nil {
			t.Fatalf("the drill's failed items raised no findings with due dates: %+v", held.Findings)
		}
		for _, f := range held.Findings {
			var loop struct {
				Status       string
				InspectionID *string `json:"inspection_id"`
			}
			env.Get("/v1/findings/"+f.ID, sup).Want(t, http.StatusOK).JSON(t, &loop)
			if loop.Status != "open" || loop.InspectionID == nil || *loop.InspectionID != inspectionID {
				t.Fatalf("the drill's finding %s is %+v in the finding loop", f.ID, loop)
			}
		}
		env.Post("/v1/drills/"+current.ID+"/record", sup, map[string]any{"inspection_id": inspectionID}).Want(t, http.StatusConflict)
		problems = env.Post("/v1/drills/"+quarters[0].ID+"/record", sup, map[string]any{"inspection_id": inspectionID}).
			Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if problems["/inspection_id"] == "" {
			t.Fatalf("one inspection recorded two drills: %v", problems)
		}
		// A new version of the plan does not change the version the drill tested.
		env.Post("/v1/plans/"+plan.ID+"/versions", admin, map[string]any{"title": "防抢劫应急预案(修订)",
			"body": planBody(tenant.Supervisor.User.ID)}).Want(t, http.StatusOK)
		if v := getDrill(t, env, sup, current.ID).PlanVersion; v == nil || *v != 1 {
			t.Fatalf("after version 2 the drill names plan version %v, want 1", v)
		}

		// Evaluated with a written evaluation and follow-up, both required.
		problems = env.Post("/v1/drills/"+current.ID+"/evaluate", sup, map[string]any{"evaluation": " "}).
			Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if problems["/evaluation"] == "" || problems["/follow_up"] == "" {
			t.Fatalf("an empty evaluation passed: %v", problems)
		}
		var evaluated drillView
		env.Post("/v1/drills/"+current.ID+"/evaluate", sup, map[string]any{"evaluation": "报警及时,疏散偏慢",
			"follow_up": "重新培训疏散小组"}).Want(t, http.StatusOK).JSON(t, &evaluated)
		if evaluated.Status != "evaluated" || evaluated.EvaluatedBy == "" || evaluated.FollowUp != "重新培训疏散小组" {
			t.Fatalf("evaluated drill %+v", evaluated)
		}
		env.Post("/v1/drills/"+current.ID+"/evaluate", sup, map[string]any{"evaluation": "x", "follow_up": "none"}).
			Want(t, http.StatusConflict)

		// Due passes on an injected clock: next year's June drill is
		// flagged once when June is over, not before; a held drill never.
		ctx := context.Background()
		flag := func(at time.Time) int {
			t.Helper()
			n, err := env.App.Drills.FlagOverdue(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		flag(june[0].DueAt.Add(-time.Minute))
		if getDrill(t, env, sup, june[0].ID).Overdue {
			t.Fatal("the June drill is overdue before June is over")
		}
		sink := newWebhookSink(t, "a-very-secret-signing-key")
		configureWebhook(t, env, tenant, sink)
		overdueCount := flag(june[0].DueAt.Add(time.Minute))
		if overdueCount < 1 {
			t.Fatalf("flagged %d drills after June, want the June drill", overdueCount)
		}
		if n := flag(june[0].DueAt.Add(2 * time.Minute)); n != 0 {
			t.Fatalf("flagged %d drills again", n)
		}
		// The overdue drill is notified once, through the notification
		// outbox: the site's supervisor, not the guards, and
		// the signed webhook, whose delivery the job queue makes.
		posted := 0
		for _, event := range sink.waitFor(t, overdueCount) {
			if event == "drill.overdue:"+june[0].ID {
				posted++
			}
		}
		if posted != 1 || sink.bad != 0 {
			t.Fatalf("webhook received %v (bad signatures %d), want drill.overdue of the June drill once", sink.events(), sink.bad)
		}
		for _, who := range []struct {
			name, token string
			want        int
		}{{"supervisor", sup, 1}, {"guard", tenant.Guard.Token, 0}} {
			if notes := notifications(t, env, who.token); notes["drill.overdue:"+june[0].ID] != who.want {
				t.Fatalf("%s holds notifications %v, want drill.overdue of the June drill %d time(s)", who.name, notes, who.want)
			}
		}
		if !getDrill(t, env, sup, june[0].ID).Overdue || getDrill(t, env, sup, current.ID).Overdue {
			t.Fatal("want the June drill overdue and the held one not")
		}
		var overdue struct{ Items []drillView }
		env.Get("/v1/drills?overdue=true&status=scheduled&plan_id="+orgPlan.ID, sup).Want(t, http.StatusOK).JSON(t, &overdue)
		if len(overdue.Items) != 1 || overdue.Items[0].ID != june[0].ID {
			t.Fatalf("overdue list %+v, want the June drill", overdue.Items)
		}
		env.Get("/v1/drills?status=late", sup).Want(t, http.StatusUnprocessableEntity)
	})
}
