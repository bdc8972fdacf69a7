package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/client"
	"github.com/patrolsync/patrolsync/internal/mutation"
)

// An admin on a tablet puts the guard on a post with the roster form and
// sees the line; two guards hand over on their phones (the outgoing one
// writes and signs, the incoming one signs on their own phone), and the
// console shows the handover with both drawn signatures; the daily
// reports screen shows each site against the cut-off.
func TestConsoleRosterAndTwoSignatureHandover(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "duties")
	siteA := tenant.Sites[0].ID
	incoming := server.NewGuard(tenant, "guard-night", siteA)
	ctx := browsertest.Until(t)
	phone := func(account apitest.Account) *client.Client {
		c := browsertest.GuardPhone(t, server, account)
		if _, _, err := c.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		return c
	}
	day, night := phone(tenant.Guard), phone(incoming)
	strokes := json.RawMessage(`[[[10,40],[20,10],[30,40],[40,12],[50,40]],[[60,30],[95,28]]]`)
	id, err := day.StartHandover(ctx, mutation.StartHandover{SiteID: siteA, Post: "大堂岗", IncomingUserID: incoming.User.ID,
		Items: mutation.HandoverItems{OpenMatters: "Back door closer broken, repair ordered", Equipment: "CCTV and alarms working",
			KeysAndItems: "Vault key, two radios"}, Signature: mutation.DrawnSignature{Strokes: strokes}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := day.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := night.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := night.SignHandover(ctx, id, json.RawMessage(`[[[5,30],[25,5],[45,35]],[[50,20],[80,20],[90,35]]]`)); err != nil {
		t.Fatal(err)
	}
	if push, _, err := night.Sync(ctx); err != nil || push.Applied != 1 {
		t.Fatalf("the incoming phone's signature: %+v, %v", push, err)
	}
	server.Get("/v1/handovers/"+id, tenant.Admin.Token).Want(t, http.StatusOK)

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Admin.Email)
	browser.Nav("#/roster")
	browser.Wait("the roster form", `document.querySelector('#roster-form')`)
	start := time.Now().Add(time.Hour).Truncate(time.Hour)
	local := func(at time.Time) string { return at.Local().Format("2006-01-02T15:04") }
	browser.Fill(`#roster-new-site`, siteA)
	browser.Fill(`#roster-new-person`, tenant.Guard.User.ID)
	browser.Fill(`#roster-new-post`, "Lobby post")
	browser.Fill(`#roster-new-from`, local(start))
	browser.Fill(`#roster-new-to`, local(start.Add(8*time.Hour)))
	browser.Tap(`#roster-add`)
	browser.Wait("the new roster line", `[...document.querySelectorAll('#roster-table tbody tr')].some((tr) => tr.textContent.includes('Lobby post'))`)
	var line string
	browser.Eval(`[...document.querySelectorAll('#roster-table tbody tr')].find((tr) => tr.textContent.includes('Lobby post')).textContent`, &line)
	for _, want := range []string{"duties site A", "guard of duties"} {
		if !strings.Contains(line, want) {
			t.Errorf("roster line %q lacks %q", line, want)
		}
	}
	var shifts struct {
		Items []struct{ Post, UserID string }
	}
	server.Get("/v1/shifts?site_id="+siteA, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &shifts)
	if len(shifts.Items) != 1 || shifts.Items[0].Post != "Lobby post" {
		t.Fatalf("the server's roster is %+v", shifts.Items)
	}
	browser.Screenshot("console-roster")

	browser.Nav("#/handovers")
	row := `document.querySelector('#handover-` + id + `')`
	browser.Wait("the handover", row)
	var text string
	var signatures int
	browser.Eval(row+`.textContent`, &text)
	browser.Eval(row+`.querySelectorAll('canvas.duty-signature').length`, &signatures)
	for _, want := range []string{"Both signed", "guard of duties", "guard-night", "CCTV and alarms working", "Vault key"} {
		if !strings.Contains(text, want) {
			t.Errorf("handover row %q lacks %q", text, want)
		}
	}
	if signatures != 2 {
		t.Errorf("the handover row shows %d signatures, want the outgoing and the incoming guard's", signatures)
	}
	browser.Screenshot("console-handovers")
	browser.SetViewport(browsertest.TabletPortrait)
	browser.Screenshot("console-handovers-portrait")
	browser.SetViewport(browsertest.SmallPhone)
	browser.Screenshot("console-handovers-phone")

	browser.SetViewport(browsertest.TabletLandscape)
	browser.Nav("#/daily")
	browser.Wait("the daily reports", `document.querySelector('#daily-table')`)
	var rows int
	browser.Eval(`document.querySelectorAll('#daily-table tbody tr').length`, &rows)
	if rows != 2 {
		t.Errorf("the daily reports list %d sites, want 2", rows)
	}
	browser.Screenshot("console-daily")
}

// An admin on a tablet schedules a training session with the form (times
// at the site), the guard signs the sheet, the admin records the guard's
// result in the session's row; then moves the daily report's cut-off in
// the duty settings form.
func TestConsoleTrainingFormsAndDutySettings(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "training")
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Admin.Email)
	browser.Show("#/trainings", "the training form", `document.querySelector('#training-form')`)
	start := time.Now().In(shanghai).Truncate(time.Hour)
	browser.Fill(`#training-new-site`, tenant.Sites[0].ID)
	browser.Fill(`#training-new-topic`, "Robbery response training")
	browser.Fill(`#training-new-trainer`, "Security dept. Wang")
	browser.Fill(`#training-new-from`, start.Format("2006-01-02T15:04"))
	browser.Fill(`#training-new-to`, start.Add(2*time.Hour).Format("2006-01-02T15:04"))
	browser.Tap(`#training-add`)
	browser.Wait("the new session", `[...document.querySelectorAll('#trainings-table tbody tr')].some((tr) => tr.textContent.includes('Robbery response training'))`)
	var sessions struct {
		Items []struct {
			ID       string
			StartsAt time.Time `json:"starts_at"`
		}
	}
	server.Get("/v1/trainings?site_id="+tenant.Sites[0].ID, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &sessions)
	if len(sessions.Items) != 1 || !sessions.Items[0].StartsAt.Equal(start) {
		t.Fatalf("the server's sessions %+v, want one starting %s (site time)", sessions.Items, start)
	}
	id := sessions.Items[0].ID
	server.Post("/v1/trainings/"+id+"/attend", tenant.Guard.Token, map[string]any{"signature": map[string]any{
		"strokes": [][][2]float64{{{10, 40}, {30, 10}, {50, 40}}}}}).Want(t, http.StatusOK)

	row := `document.querySelector('#training-` + id + `')`
	browser.Show("#/roster", "another screen", `document.querySelector('#roster-form')`)
	browser.Show("#/trainings", "the sheet with the guard", row+`?.querySelector('.training-result')`)
	browser.Eval(`window.before = `+row+`, true`, nil)
	browser.Fill(`#training-`+id+` .training-result`, "pass")
	browser.Fill(`#training-`+id+` .training-score`, "92")
	browser.Tap(`#training-` + id + ` .training-save`)
	browser.Wait("the row again with the result", row+` && `+row+` !== window.before && `+row+`.querySelector('.training-score').value === '92'`)
	var session struct {
		Attendance []struct {
			UserName string `json:"user_name"`
			Result   *string
			Score    *float64
		}
	}
	server.Get("/v1/trainings/"+id, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &session)
	if len(session.Attendance) != 1 || session.Attendance[0].Result == nil || *session.Attendance[0].Result != "pass" ||
		session.Attendance[0].Score == nil || *session.Attendance[0].Score != 92 {
		t.Fatalf("the recorded results %+v", session.Attendance)
	}
	browser.Screenshot("console-trainings-forms")

	// Both parts of the screen loaded: the reports' table, drawn above the
	// settings when it arrives, moves the Save button down (a tap aimed at it
	// before then lands on the table).
	browser.Show("#/daily", "the duty settings under the day's reports", `document.querySelector('#daily-settings-save') &&
		document.querySelector('#daily-table')`)
	browser.Fill(`#daily-cutoff`, "10:30")
	browser.Fill(`#daily-cutoff-`+tenant.Sites[1].ID, "09:00")
	browser.Tap(`#daily-settings-save`)
	browser.Wait("the settings saved and the day's reports", `document.querySelector('#daily-settings-message')?.textContent.includes('Saved') &&
		document.querySelector('#daily-table')`)
	var settings struct {
		Cutoff      string            `json:"daily_report_cutoff"`
		SiteCutoffs map[string]string `json:"site_cutoffs"`
	}
	server.Get("/v1/settings/duties", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &settings)
	if settings.Cutoff != "10:30" || len(settings.SiteCutoffs) != 1 || settings.SiteCutoffs[tenant.Sites[1].ID] != "09:00" {
		t.Fatalf("the cut-offs are %q and %v, want 10:30 and site B's 09:00", settings.Cutoff, settings.SiteCutoffs)
	}
	browser.Screenshot("console-daily-moved-cutoff") // every site now due at 10:30
	browser.Eval(`document.querySelector('#daily-settings').scrollIntoView(), true`, nil)
	browser.Screenshot("console-duty-settings")
	browser.NoErrors(t)
}
