package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/client"
	"github.com/patrolsync/patrolsync/internal/mutation"
)

// A guard's phone (the reference client) reports a robbery with its
// category's questions, witnesses and CCTV; the supervisor on a tablet
// finds it under 重大 with its countdown, and takes it to closure step by
// step on the incident page, each step recorded as theirs.
func TestConsoleIncidentToClosure(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "incidents")
	ctx := browsertest.Until(t)
	phone := browsertest.GuardPhone(t, server, tenant.Guard)
	yes := checklists.Answer{Value: "yes"}
	id, err := phone.ReportIncident(ctx, client.IncidentReport{SiteID: tenant.Sites[0].ID, Type: "营业厅抢劫 Robbery at the counter",
		Category: "robbery", Level: "major", Place: "Counter 2", OccurredAt: time.Now().Add(-4 * time.Minute).UTC().Format(time.RFC3339),
		Description: "Two men demanded cash at counter 2 and fled on a motorbike.",
		Answers: map[string]checklists.Answer{"facts_checked": yes, "offenders": {Value: 2}, "weapons": {Value: "no"},
			"police_called": yes, "scene_protected": yes, "loss": {Value: "¥8,000 cash"}},
		Witnesses: []mutation.IncidentWitness{{Name: "李娜", Phone: "13900000000", Statement: "Saw two men at counter 2"}},
		CCTV: []mutation.IncidentCCTV{{Camera: "Hall camera 3", From: time.Now().Add(-20 * time.Minute).UTC().Format(time.RFC3339),
			To: time.Now().UTC().Format(time.RFC3339)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := phone.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	server.Get("/v1/incidents/"+id, tenant.Supervisor.Token).Want(t, http.StatusOK)

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Supervisor.Email)
	browser.Nav("#/incidents")
	row := `document.querySelector('tr[data-incident="` + id + `"]')`
	browser.Wait("the incident in the list", row)
	var line, level string
	browser.Eval(row+`.textContent`, &line)
	browser.Eval(row+`.closest('section').dataset.level`, &level)
	for _, want := range []string{"Robbery at the counter", "incidents site A", "guard of incidents", "Reported", "Acknowledge due in"} {
		if !strings.Contains(line, want) {
			t.Errorf("incident row %q lacks %q", line, want)
		}
	}
	if level != "major" || strings.Contains(line, id) {
		t.Errorf("row under %q shows %q", level, line)
	}
	browser.Screenshot("console-incidents")
	browser.SetViewport(browsertest.TabletPortrait)
	browser.Screenshot("console-incidents-portrait")
	browser.SetViewport(browsertest.TabletLandscape)

	browser.Tap(`tr[data-incident="` + id + `"] a`)
	browser.Wait("the incident page", `document.querySelector('#incident-acknowledge')`)
	var page string
	browser.Eval(`document.querySelector('#console-main').innerText`, &page)
	for _, want := range []string{"Number of offenders", "李娜", "Hall camera 3", "Police called (110)", "Counter 2"} {
		if !strings.Contains(page, want) {
			t.Errorf("incident page lacks %q: %q", want, page)
		}
	}
	noStrayText(t, browser)
	browser.Screenshot("console-incident")

	take := func(what, selector, ready string) {
		t.Helper()
		browser.Tap(selector)
		browser.Wait(what, ready)
	}
	take("acknowledged", `#incident-acknowledge`, `document.querySelector('#incident-progress') && !document.querySelector('#incident-acknowledge')`)
	browser.Fill(`#incident-progress-note`, "110 arrived 10:12; statements taken from two witnesses.")
	take("handling", `#incident-progress`, `document.querySelector('#incident-resolve')`)
	browser.Fill(`#incident-resolve-note`, "Police cleared the scene at 11:00.")
	take("resolved", `#incident-resolve`, `document.querySelector('#incident-file-summary')`)
	browser.Fill(`#incident-summary-text`,
		"Two offenders took ¥8,000 at counter 2; no injuries. Cause: counter screen left open. Measures: screens locked, drill scheduled.")
	take("summarized", `#incident-file-summary`, `document.querySelector('#incident-close')`)
	// Closing without the four confirmations is refused on the page.
	browser.Tap(`#incident-close`)
	browser.Wait("the refusal", `document.querySelector('#incident-step .banner')`)
	for _, key := range []string{"cause_found", "responsible_dealt_with", "people_educated", "prevention_in_place"} {
		browser.Tap(`#incident-` + key)
	}
	browser.Screenshot("console-incident-close")
	take("closed", `#incident-close`, `document.querySelector('#incident-step')?.textContent.includes('nothing more to do')`)
	browser.SetViewport(browsertest.TabletPortrait)
	var overflow bool
	browser.Eval(`document.documentElement.scrollWidth > document.documentElement.clientWidth`, &overflow)
	if overflow {
		t.Error("the incident page scrolls sideways at 768 px")
	}
	browser.Screenshot("console-incident-portrait")

	var detail struct {
		Status   string
		Timeline []struct {
			Kind    string
			ActorID *string `json:"actor_id"`
		}
	}
	server.Get("/v1/incidents/"+id, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &detail)
	kinds := []string{}
	for _, e := range detail.Timeline {
		kinds = append(kinds, e.Kind)
		if e.Kind != "reported" && (e.ActorID == nil || *e.ActorID != tenant.Supervisor.User.ID) {
			t.Errorf("step %s by %v, want the signed-in supervisor", e.Kind, e.ActorID)
		}
	}
	if detail.Status != "closed" || strings.Join(kinds, ",") != "reported,acknowledged,progress,resolved,summarized,closed" {
		t.Errorf("incident %s timeline %v", detail.Status, kinds)
	}
}
