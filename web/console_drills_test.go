package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/browsertest"
)

// The supervisor schedules this year's quarterly drills from the site's
// robbery plan on a tablet, records the current quarter's drill with the
// drill inspection the guard submitted, and evaluates it; the drill's
// failed items show as findings.
func TestConsoleDrillScheduledHeldEvaluated(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "drills")
	var plan struct{ ID string }
	server.Post("/v1/plans", tenant.Admin.Token, map[string]any{"site_id": tenant.Sites[0].ID, "category": "robbery",
		"title": "防抢劫应急预案", "body": map[string]any{
			"team":  []any{map[string]any{"role": "commander", "user_id": tenant.Supervisor.User.ID}},
			"steps": []any{map[string]any{"text": map[string]string{"zh-CN": "按下110报警器", "en": "Press the 110 alarm"}}}}}).
		Want(t, http.StatusCreated).JSON(t, &plan)
	_, inspectionID := browsertest.Submitted(t, server, tenant, "emergency-drill-quarterly")

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Supervisor.Email)
	browser.Nav("#/drills")
	browser.Wait("the schedule form", `document.querySelector('#drill-schedule')`)
	browser.Tap(`#drill-schedule`)
	browser.Wait("four drills", `document.querySelectorAll('tr[data-drill]').length === 4`)

	var drills struct {
		Items []struct {
			ID      string
			OpensAt time.Time `json:"opens_at"`
			DueAt   time.Time `json:"due_at"`
		}
	}
	server.Get("/v1/drills?plan_id="+plan.ID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &drills)
	current := ""
	for _, d := range drills.Items {
		if now := time.Now(); !now.Before(d.OpensAt) && now.Before(d.DueAt) {
			current = d.ID
		}
	}
	if current == "" {
		t.Fatalf("no drill of this quarter among %+v", drills.Items)
	}
	row := `document.querySelector('tr[data-drill="` + current + `"]')`
	browser.Wait("the drill record to pick", row+`.querySelector('select')`)
	noStrayText(t, browser)
	browser.Screenshot("console-drills")
	browser.Tap(`#drill-record-` + current)
	browser.Wait("the drill held", row+`?.dataset.status === 'held'`)
	var line string
	browser.Eval(row+`.textContent`, &line)
	for _, want := range []string{"Held", "Plan v1", "10 findings", "Alarm step failed in the drill"} {
		if !strings.Contains(line, want) {
			t.Errorf("held drill row %q lacks %q", line, want)
		}
	}
	browser.Fill(`#drill-evaluation-`+current, "Alarm raised late; evacuation orderly.")
	browser.Fill(`#drill-follow-up-`+current, "Retrain the communication team.")
	browser.Tap(`#drill-evaluate-` + current)
	browser.Wait("the drill evaluated", row+`?.dataset.status === 'evaluated'`)
	browser.Screenshot("console-drills-evaluated")
	browser.SetViewport(browsertest.TabletPortrait)
	browser.Screenshot("console-drills-portrait")

	var drill struct {
		Status       string
		InspectionID string `json:"inspection_id"`
		EvaluatedBy  string `json:"evaluated_by"`
	}
	server.Get("/v1/drills/"+current, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &drill)
	if drill.Status != "evaluated" || drill.InspectionID != inspectionID || drill.EvaluatedBy != "supervisor of drills" {
		t.Errorf("drill after the console %+v", drill)
	}
}
