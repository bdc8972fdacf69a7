package web_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/internal/browsertest"
)

// three takes the screen's screenshots at 1024×768, 768×1024 and 390×844
// (name, name-portrait, name-phone), failing when it scrolls sideways,
// and leaves the tablet in landscape.
func three(t *testing.T, browser *browsertest.Browser, name string) {
	t.Helper()
	both(t, browser, name)
	browser.SetViewport(browsertest.Phone)
	browser.FitsWidth(t, name)
	browser.Screenshot(name + "-phone")
	browser.SetViewport(browsertest.TabletLandscape)
}

// An administrator opens the standard library: before pressing anything
// the screen lists the hazard investigation, still on the previous
// library release, as having a newer version (v2 → v3), the assessment the
// organisation edited as kept, and says that inspections keep their
// version; the upgrade publishes v3 and the screen shows what it did.
func TestConsoleLibraryUpgrade(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "library")
	previous, err := os.ReadFile("../api/testdata/hidden-hazard-investigation-previous-release.json")
	if err != nil {
		t.Fatal(err)
	}
	ids := server.BehindLibrary(tenant, previous, map[string]string{"zh-CN": "本行安全评估", "en": "Our bank's security assessment"})

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Admin.Email)
	browser.Nav("#/library")
	upgraded := `#library-table tr[data-key="hidden-hazard-investigation"][data-outcome="upgraded"]`
	browser.Wait("the preview of the upgrade", `document.querySelector('`+upgraded+`') &&
		document.querySelector('#library-table tr[data-key="security-assessment"][data-outcome="edited"]') && document.querySelector('#library-upgrade')`)
	var page string
	browser.Eval(`document.querySelector('#console-main').textContent`, &page)
	for _, want := range []string{"v2 → v3", "Kept: your organisation edited it", "keep the version they started on", "Upgrade 1 checklist(s)"} {
		if !strings.Contains(page, want) {
			t.Errorf("the library screen lacks %q", want)
		}
	}
	var versions struct{ Items []json.RawMessage }
	server.Get("/v1/templates/"+ids["hidden-hazard-investigation"]+"/versions", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &versions)
	if len(versions.Items) != 2 {
		t.Fatalf("the preview published something: %d versions, want 2", len(versions.Items))
	}
	three(t, browser, "console-library-preview")

	browser.Tap(`#library-upgrade`)
	browser.Tap(`#confirm-ok`)
	browser.Wait("the upgrade's result and the preview again", `document.querySelector('#library-result tr[data-key="hidden-hazard-investigation"]') &&
		document.querySelector('#library-table tr[data-key="hidden-hazard-investigation"][data-outcome="current"]') && !document.querySelector('#library-upgrade')`)
	var result string
	browser.Eval(`document.querySelector('#library-message').textContent`, &result)
	if !strings.Contains(result, "Published v3 (was v2)") {
		t.Errorf("the result says %q", result)
	}
	var template struct {
		LatestVersion struct{ Number int } `json:"latest_version"`
	}
	server.Get("/v1/templates/"+ids["hidden-hazard-investigation"], tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &template)
	if template.LatestVersion.Number != 3 {
		t.Fatalf("after the upgrade the hazard investigation is at version %d, want 3", template.LatestVersion.Number)
	}
	three(t, browser, "console-library-upgraded")
	browser.Eval(`localStorage.setItem('patrolsync.lang', 'zh-CN'), true`, nil)
	browser.Reload("the library in Chinese", `document.querySelector('#library-table') && document.querySelector('#console-main').textContent.includes('已开始的检查保留')`)
	browser.Screenshot("console-library-zh")
	browser.NoErrors(t)
}

// An administrator edits a training session from its row: the new topic,
// trainer, place and end time are saved against the version read; a blank
// topic is marked beside its field; an edit made meanwhile by a supervisor
// is not overwritten: the console says so and shows the current record.
// Once the guard has signed the sheet the time is fixed on the form and
// the results are recorded in it.
func TestConsoleTrainingEdit(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "trainedit")
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().In(shanghai).Truncate(time.Hour)
	type training struct {
		ID, Topic, Trainer, Place string
		EndsAt                    time.Time `json:"ends_at"`
		Version                   int64
	}
	var session training
	server.Post("/v1/trainings", tenant.Supervisor.Token, map[string]any{"site_id": tenant.Sites[0].ID, "topic": "Fire training",
		"trainer": "Fire brigade", "starts_at": start.Format(time.RFC3339), "ends_at": start.Add(2 * time.Hour).Format(time.RFC3339)}).
		Want(t, http.StatusCreated).JSON(t, &session)
	path := "/v1/trainings/" + session.ID

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Admin.Email)
	browser.Nav("#/trainings")
	browser.Tap(`#training-` + session.ID + ` .training-edit`)
	browser.Wait("the edit form", `document.querySelector('#training-editor') && document.querySelector('#training-edit-topic').value === 'Fire training'`)
	browser.Fill(`#training-edit-topic`, "Extinguisher drill and evacuation")
	browser.Fill(`#training-edit-trainer`, "District fire brigade, Instructor Li")
	browser.Fill(`#training-edit-place`, "Back yard of the branch")
	browser.Fill(`#training-edit-to`, start.Add(3*time.Hour).Format("2006-01-02T15:04"))
	browser.Tap(`#training-edit-save`)
	browser.Wait("the edit saved", `document.querySelector('#training-editor')?.dataset.version === '2' &&
		document.querySelector('#training-edit-message .banner-ok') &&
		document.querySelector('#training-`+session.ID+`')?.textContent.includes('Extinguisher drill and evacuation')`)
	var saved training
	server.Get(path, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &saved)
	if saved.Topic != "Extinguisher drill and evacuation" || saved.Trainer != "District fire brigade, Instructor Li" ||
		saved.Place != "Back yard of the branch" || !saved.EndsAt.Equal(start.Add(3*time.Hour)) || saved.Version != 2 {
		t.Fatalf("the server has %+v", saved)
	}

	browser.Fill(`#training-edit-topic`, "  ")
	browser.Tap(`#training-edit-save`)
	browser.Wait("the topic marked", `document.querySelector('#training-error-topic')?.textContent.length > 0 &&
		document.querySelector('#training-edit-message .banner-error')`)
	browser.Eval(`document.querySelector('#training-editor').scrollIntoView(), true`, nil)
	three(t, browser, "console-training-edit-invalid")

	// A supervisor changes the trainer meanwhile; the admin's change of
	// the topic does not overwrite it.
	server.Patch(path, tenant.Supervisor.Token, map[string]any{"trainer": "Security dept. Wang", "version": saved.Version}).Want(t, http.StatusOK)
	browser.Fill(`#training-edit-topic`, "An edit from an old page")
	browser.Tap(`#training-edit-save`)
	browser.Wait("the stale edit refused and the current record shown", `document.querySelector('#training-edit-message .banner-warn') &&
		document.querySelector('#training-editor').dataset.version === '3' &&
		document.querySelector('#training-edit-trainer').value === 'Security dept. Wang' &&
		document.querySelector('#training-edit-topic').value === 'Extinguisher drill and evacuation'`)
	var current training
	server.Get(path, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &current)
	if current.Topic != "Extinguisher drill and evacuation" || current.Trainer != "Security dept. Wang" || current.Version != 3 {
		t.Fatalf("after the stale edit the server has %+v", current)
	}
	browser.Eval(`document.querySelector('#training-editor').scrollIntoView(), true`, nil)
	three(t, browser, "console-training-edit-stale")

	// The guard signs the sheet: the time is fixed, the result recorded here.
	server.Post(path+"/attend", tenant.Guard.Token, map[string]any{"signature": map[string]any{
		"strokes": [][][2]float64{{{10, 40}, {30, 10}, {50, 40}}}}}).Want(t, http.StatusOK)
	browser.Show("#/roster", "another screen", `document.querySelector('#roster-form')`)
	browser.Show("#/trainings", "the session with the guard", `document.querySelector('#training-`+session.ID+` .training-result')`)
	browser.Tap(`#training-` + session.ID + ` .training-edit`)
	browser.Wait("the form with the time fixed", `document.querySelector('#training-time-fixed') && document.querySelector('#training-edit-from').disabled &&
		document.querySelector('#training-editor .training-result')`)
	browser.Fill(`#training-editor .training-result`, "pass")
	browser.Fill(`#training-editor .training-score`, "88")
	browser.Tap(`#training-editor .training-save`)
	browser.Wait("the result saved", `document.querySelector('#training-edit-message .banner-ok') &&
		document.querySelector('#training-editor .training-score')?.value === '88'`)
	var sheet struct {
		Attendance []struct {
			Result *string
			Score  *float64
		}
	}
	server.Get(path, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &sheet)
	if len(sheet.Attendance) != 1 || sheet.Attendance[0].Result == nil || *sheet.Attendance[0].Result != "pass" ||
		sheet.Attendance[0].Score == nil || *sheet.Attendance[0].Score != 88 {
		t.Fatalf("the sheet %+v", sheet.Attendance)
	}
	browser.Eval(`document.querySelector('#training-editor').scrollIntoView(), true`, nil)
	three(t, browser, "console-training-edit-signed")
	browser.NoErrors(t)
}

// An administrator opens the organisation settings from the Setup menu,
// reads what the language affects, switches it to English and changes
// the retention period; an impossible period is marked beside its field.
// A supervisor has no such screen.
func TestConsoleOrganisationSettings(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "orgset")
	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Admin.Email)
	browser.Nav("#/organisation")
	browser.Wait("the settings", `document.querySelector('#org-form') && document.querySelector('#org-language-zh-CN').checked`)
	var affects string
	browser.Eval(`document.querySelector('#org-language-affects').textContent`, &affects)
	if !strings.Contains(affects, "incident raised by a checklist answer") {
		t.Errorf("the language's note says %q", affects)
	}
	three(t, browser, "console-organisation")

	browser.Fill(`#org-retention`, "0")
	browser.Tap(`#org-save`)
	browser.Wait("the retention marked", `document.querySelector('#org-error-retention_days')?.textContent.length > 0`)
	browser.Tap(`#org-language-en`)
	browser.Fill(`#org-retention`, "1825")
	browser.Tap(`#org-save`)
	browser.Wait("the settings saved", `document.querySelector('#org-message .banner-ok')?.textContent.includes('1825')`)
	var me struct {
		Org struct {
			Language      string
			RetentionDays int `json:"retention_days"`
		}
	}
	server.Get("/v1/me", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &me)
	if me.Org.Language != "en" || me.Org.RetentionDays != 1825 {
		t.Fatalf("the organisation is %+v, want en and 1825 days", me.Org)
	}
	browser.Screenshot("console-organisation-saved")
	browser.Eval(`localStorage.setItem('patrolsync.lang', 'zh-CN'), true`, nil)
	browser.Reload("the settings in Chinese", `document.querySelector('#org-language-en')?.checked && document.querySelector('#org-language-affects').textContent.includes('检查表答案')`)
	browser.SetViewport(browsertest.Phone)
	browser.Screenshot("console-organisation-zh-phone")
	browser.SetViewport(browsertest.TabletLandscape)
	browser.Eval(`localStorage.setItem('patrolsync.lang', 'en'), true`, nil)

	browser.Run(chromedp.Evaluate[chromedp.Void](`document.querySelector('#console-sign-out').click()`))
	browser.Wait("signed out", `document.querySelector('#console-email')`)
	browser.SignInConsole(server.URL, tenant.Supervisor.Email)
	var links int
	browser.Eval(`document.querySelectorAll('.console-nav a[href="#/organisation"], .console-nav a[href="#/library"]').length`, &links)
	if links != 0 {
		t.Errorf("a supervisor's top bar links %d organisation or library screens", links)
	}
	browser.NoErrors(t)
}
