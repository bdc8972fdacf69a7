package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/client"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

type planView struct {
	ID             string
	SiteID         *string `json:"site_id"`
	CurrentVersion int     `json:"current_version"`
	Body           struct {
		Team []struct {
			Role     string
			UserName string `json:"user_name"`
		}
		Contacts []struct{ Phone string }
	}
}

type readersView struct {
	Version      int `json:"plan_version"`
	Acknowledged []struct {
		UserName string `json:"user_name"`
	}
	Pending []struct {
		UserName string `json:"user_name"`
	}
}

func planBody(commander string) map[string]any {
	return map[string]any{
		"purpose": map[string]string{"zh-CN": "发生抢劫时保护人员和资金安全", "en": "Keep people and cash safe in a robbery"},
		"team":    []any{map[string]any{"role": "commander", "user_id": commander}},
		"steps": []any{
			map[string]any{"text": map[string]string{"zh-CN": "按下110报警器", "en": "Press the 110 alarm"}, "role": "communication"},
			map[string]any{"text": map[string]string{"zh-CN": "保护现场", "en": "Preserve the scene"}, "role": "cordon"},
		},
	}
}

// An emergency plan reaches the guard's phone by pull; the guard
// acknowledges the current version offline (plan.acknowledge) or over
// REST, once; a new version must be acknowledged again; and the
// supervisor sees, by name, who has read it and who has not.
func TestEmergencyPlanAcknowledgement(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("plans")
		siteA, siteB := tenant.Sites[0].ID, tenant.Sites[1].ID
		admin, guard := tenant.Admin.Token, tenant.Guard.Token
		other := env.NewGuard(tenant, "guard-b", siteB)

		problems := env.Post("/v1/plans", admin, map[string]any{"site_id": siteA, "category": "flood", "title": "",
			"body": map[string]any{"team": []any{map[string]any{"role": "boss", "user_id": newID()}}}}).
			Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		for _, field := range []string{"/category", "/title", "/body/steps", "/body/team/0/role", "/body/team/0/user_id"} {
			if problems[field] == "" {
				t.Errorf("no field error for %s: %v", field, problems)
			}
		}
		var robbery, fire planView
		env.Post("/v1/plans", admin, map[string]any{"site_id": siteA, "category": "robbery", "title": "防抢劫应急预案",
			"body": planBody(tenant.Supervisor.User.ID)}).Want(t, http.StatusCreated).JSON(t, &robbery)
		if len(robbery.Body.Contacts) != 3 || robbery.Body.Contacts[0].Phone != "110" || robbery.Body.Team[0].UserName == "" {
			t.Fatalf("a plan without contacts got %+v; want 110/119/120 and the commander's name", robbery.Body)
		}
		env.Post("/v1/plans", admin, map[string]any{"category": "fire", "title": "消防应急预案",
			"body": planBody(tenant.Admin.User.ID)}).Want(t, http.StatusCreated).JSON(t, &fire)

		var list struct{ Items []planView }
		env.Get("/v1/plans", other.Token).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != fire.ID {
			t.Fatalf("a guard of site B lists %+v, want only the organisation's fire plan", list.Items)
		}
		env.Get("/v1/plans/"+robbery.ID, other.Token).Want(t, http.StatusNotFound)

		r := newReplica()
		r.pullAll(t, env, guard, 100)
		if len(r.ofType("emergency_plan")) != 2 {
			t.Fatalf("the guard pulled %d plans, want 2", len(r.ofType("emergency_plan")))
		}

		ack := func(token, plan string, version int) result {
			t.Helper()
			_, results := push(t, env, token, []mutation{mut("plan.acknowledge", plan, map[string]any{"version": version})})
			return results[0]
		}
		if got := ack(guard, robbery.ID, 1); got.Status != "applied" {
			t.Fatalf("first acknowledgement: %+v", got)
		}
		if got := ack(guard, robbery.ID, 1); got.Status != "duplicate" {
			t.Fatalf("second acknowledgement of the same version: %+v", got)
		}
		if got := ack(guard, robbery.ID, 2); got.Status != "rejected" || got.Errors[0].Pointer != "/payload/version" {
			t.Fatalf("acknowledging a version that does not exist: %+v", got)
		}
		if got := ack(other.Token, robbery.ID, 1); got.Status != "rejected" || got.Errors[0].Pointer != "/entity_id" {
			t.Fatalf("a guard of another site acknowledging: %+v", got)
		}
		var readers readersView
		env.Get("/v1/plans/"+robbery.ID+"/readers", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &readers)
		if len(readers.Acknowledged) != 1 || readers.Acknowledged[0].UserName != tenant.Guard.User.Name ||
			len(readers.Pending) != 1 || readers.Pending[0].UserName != tenant.Supervisor.User.Name {
			t.Fatalf("readers %+v, want the guard done and the supervisor pending, by name", readers)
		}
		env.Get("/v1/plans/"+robbery.ID+"/readers", guard).Want(t, http.StatusForbidden)

		// A new version: acknowledged by nobody yet; the old one no longer counts.
		body := planBody(tenant.Supervisor.User.ID)
		body["contacts"] = []any{map[string]any{"name": map[string]string{"zh-CN": "辖区派出所", "en": "Local police station"},
			"phone": "0755-12345678", "external": true}}
		env.Post("/v1/plans/"+robbery.ID+"/versions", admin, map[string]any{"title": "防抢劫应急预案(2026修订)", "body": body,
			"current_version": 2}).Want(t, http.StatusPreconditionFailed)
		var second planView
		env.Post("/v1/plans/"+robbery.ID+"/versions", admin, map[string]any{"title": "防抢劫应急预案(2026修订)", "body": body,
			"current_version": 1}).Want(t, http.StatusOK).JSON(t, &second)
		if second.CurrentVersion != 2 {
			t.Fatalf("published version %d, want 2", second.CurrentVersion)
		}
		if got := ack(guard, robbery.ID, 1); got.Status != "rejected" {
			t.Fatalf("acknowledging the superseded version: %+v", got)
		}
		env.Get("/v1/plans/"+robbery.ID+"/readers", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &readers)
		if readers.Version != 2 || len(readers.Acknowledged) != 0 || len(readers.Pending) != 2 {
			t.Fatalf("readers of version 2 %+v, want nobody yet", readers)
		}
		env.Post("/v1/plans/"+robbery.ID+"/acknowledge", tenant.Supervisor.Token, map[string]any{"version": 1}).
			Want(t, http.StatusUnprocessableEntity)
		env.Post("/v1/plans/"+robbery.ID+"/acknowledge", tenant.Supervisor.Token, map[string]any{"version": 2}).
			Want(t, http.StatusOK)

		// The reference client acknowledges offline and syncs.
		ctx := context.Background()
		phone, err := client.Open(ctx, client.Options{Server: env.URL, StateDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		defer phone.Close()
		if _, err := phone.Login(ctx, tenant.Guard.Email, apitest.Password); err != nil {
			t.Fatal(err)
		}
		if _, _, err := phone.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if err := phone.AcknowledgePlan(ctx, robbery.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := phone.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		held, err := phone.Plans(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, plan := range held {
			if want := plan.ID == robbery.ID; plan.Acknowledged != want {
				t.Errorf("the phone holds %s acknowledged=%v, want %v", plan.Title, plan.Acknowledged, want)
			}
		}
		env.Get("/v1/plans/"+robbery.ID+"/readers", admin).Want(t, http.StatusOK).JSON(t, &readers)
		if len(readers.Acknowledged) != 2 || len(readers.Pending) != 0 {
			t.Fatalf("after the phone synced, readers %+v, want both", readers)
		}
	})
}
