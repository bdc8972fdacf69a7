package client_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The reference client records this quarter's drill offline: the drill
// template filled in and submitted naming the scheduled drill, which the
// server then shows held by that inspection.
func TestClientRecordsADrill(t *testing.T) {
	testenv.Each(t, func(t *testing.T, databaseURL string) {
		ctx := context.Background()
		env := apitest.New(t, databaseURL)
		tenant := env.NewTenant("clientdrill")
		var plan struct{ ID string }
		env.Post("/v1/plans", tenant.Admin.Token, map[string]any{"site_id": tenant.Sites[0].ID, "category": "fire",
			"title": "消防应急预案", "body": map[string]any{"steps": []any{map[string]any{"text": map[string]string{
				"zh-CN": "拨打119", "en": "Call 119"}}}}}).Want(t, http.StatusCreated).JSON(t, &plan)
		var drills struct {
			Items []struct {
				ID           string
				OpensAt      time.Time `json:"opens_at"`
				DueAt        time.Time `json:"due_at"`
				Status       string
				InspectionID *string `json:"inspection_id"`
			}
		}
		env.Post("/v1/plans/"+plan.ID+"/drills", tenant.Supervisor.Token, map[string]any{"cadence": "quarterly",
			"year": time.Now().Year()}).Want(t, http.StatusCreated).JSON(t, &drills)
		var drillID string
		for _, d := range drills.Items {
			if now := time.Now(); !now.Before(d.OpensAt) && now.Before(d.DueAt) {
				drillID = d.ID
			}
		}
		if drillID == "" {
			t.Fatalf("no drill of this quarter in %+v", drills.Items)
		}

		c := openDevice(t, env.URL, t.TempDir(), http.DefaultTransport)
		me, err := c.Login(ctx, tenant.Guard.Email, apitest.Password)
		if err != nil {
			t.Fatal(err)
		}
		syncUntilEmpty(t, ctx, c, time.Minute)
		version, err := c.Template(ctx, "emergency-drill-quarterly")
		if err != nil {
			t.Fatal(err)
		}
		template, err := version.Parse()
		if err != nil {
			t.Fatal(err)
		}
		input := checklists.SampleAnswers(template, true)
		id, err := c.StartInspection(ctx, "emergency-drill-quarterly", me.SiteIDs[0], input.Context)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Fill(ctx, id, template, input.Answers); err != nil {
			t.Fatal(err)
		}
		if err := c.SubmitDrill(ctx, id, drillID); err != nil {
			t.Fatal(err)
		}
		syncUntilEmpty(t, ctx, c, time.Minute)

		var held struct {
			Status       string
			InspectionID *string `json:"inspection_id"`
		}
		env.Get("/v1/drills/"+drillID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &held)
		if held.Status != "held" || held.InspectionID == nil || *held.InspectionID != id {
			t.Fatalf("drill after the client's sync = %+v, want held by %s", held, id)
		}
	})
}
