package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/client"
)

// hazardTemplate raises a finding (隐患) when the fire exit is blocked,
// with the photo the guard must take of it.
const hazardTemplate = `{
  "key": "fire-exit",
  "title": {"zh-CN": "安全出口检查", "en": "Fire exit check"},
  "sections": [
    {"key": "exits", "title": {"zh-CN": "出口", "en": "Exits"}, "items": [
      {"key": "exit_clear", "type": "yes_no", "label": {"zh-CN": "安全出口畅通？", "en": "Fire exit clear?"}, "required": true,
       "photo_when_failed": {"min": 1},
       "finding": {"severity": "high", "due_hours": 24, "title": {"zh-CN": "安全出口堵塞", "en": "Fire exit blocked"}}},
      {"key": "lights_work", "type": "yes_no", "label": {"zh-CN": "应急照明正常？", "en": "Emergency lights work?"}, "required": true}
    ]}
  ]
}`

// raisedFinding publishes the hazard template; the guard's phone (the
// reference client) submits an inspection with the exit blocked and a
// photo of it; the server raises a finding, whose id is returned.
func raisedFinding(t *testing.T, server *apitest.Env, tenant *apitest.Tenant) (*client.Client, string, string) {
	t.Helper()
	var created struct{ ID string }
	server.Post("/v1/templates", tenant.Admin.Token, map[string]any{"document": json.RawMessage(hazardTemplate)}).
		Want(t, http.StatusCreated).JSON(t, &created)
	server.Post("/v1/templates/"+created.ID+"/publish", tenant.Admin.Token, nil).Want(t, http.StatusOK)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	phone, err := client.Open(ctx, client.Options{Server: server.URL, StateDir: t.TempDir(), RequestTimeout: 10 * time.Second, MaxAttempts: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { phone.Close() })
	if _, err := phone.Login(ctx, tenant.Guard.Email, apitest.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := phone.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	version, err := phone.Template(ctx, "fire-exit")
	if err != nil {
		t.Fatal(err)
	}
	template, err := version.Parse()
	if err != nil {
		t.Fatal(err)
	}
	id, err := phone.StartInspection(ctx, "fire-exit", tenant.Sites[0].ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	photo, err := phone.AttachMedia(ctx, client.Evidence{InspectionID: id, Path: "/exit_clear", Kind: client.KindPhoto,
		ContentType: "image/png", Data: picture(t, color.RGBA{200, 40, 40, 255})})
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]checklists.Answer{"exit_clear": {Value: "no", Media: []string{photo}}, "lights_work": {Value: "yes"}}
	if err := phone.Fill(ctx, id, template, answers); err != nil {
		t.Fatal(err)
	}
	if err := phone.Submit(ctx, id); err != nil {
		t.Fatal(err)
	}
	waitServer(t, ctx, server, tenant, phone, id, func(status string, pending bool) bool { return status == "submitted" && !pending })
	var list struct {
		Items []struct {
			ID           string  `json:"id"`
			InspectionID *string `json:"inspection_id"`
		}
	}
	server.Get("/v1/findings?site_id="+tenant.Sites[0].ID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &list)
	for _, f := range list.Items {
		if f.InspectionID != nil && *f.InspectionID == id {
			return phone, id, f.ID
		}
	}
	t.Fatalf("no finding raised by inspection %s: %+v", id, list.Items)
	return nil, "", ""
}

// picture is a PNG of 320×240 in one colour with a lighter band, so a
// thumbnail of it is a real image.
func picture(t *testing.T, fill color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := range 240 {
		for x := range 320 {
			c := fill
			if y > 100 && y < 140 {
				c = color.RGBA{255, 255, 255, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buffer bytes.Buffer
	if err := png.Encode(&buffer, img); err != nil {
		t.Fatal(err)
	}
	return buffer.Bytes()
}

// rectifyOnPhone is the guard's rectification: a photo of the cleared
// exit taken on the phone and uploaded by it, then the rectification sent
// to the API with that photo as evidence (as the guard app does).
func rectifyOnPhone(t *testing.T, server *apitest.Env, tenant *apitest.Tenant, phone *client.Client, findingID, note string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	photo, err := phone.AttachMedia(ctx, client.Evidence{InspectionID: findingID, Kind: client.KindPhoto, ContentType: "image/png",
		Data: picture(t, color.RGBA{30, 140, 60, 255})})
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, _, syncErr := phone.Sync(ctx)
		queue, err := phone.MediaQueue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stored := false
		for _, m := range queue {
			stored = stored || (m.ID == photo && m.State == client.MediaStored)
		}
		if stored {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the evidence photo never reached the server (last sync error %v)", syncErr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	server.Post("/v1/findings/"+findingID+"/rectify", tenant.Guard.Token, map[string]any{"note": note, "evidence": []string{photo}}).
		Want(t, http.StatusOK)
	return photo
}

type findingState struct {
	Status     string  `json:"status"`
	AssigneeID *string `json:"assignee_id"`
	History    []struct {
		Kind   string         `json:"kind"`
		Detail map[string]any `json:"detail"`
	} `json:"history"`
}

// noSideways fails when the page scrolls sideways, and on small targets.
func noSideways(t *testing.T, browser *browsertest.Browser, what string) {
	t.Helper()
	var overflow bool
	browser.Eval(`document.documentElement.scrollWidth > document.documentElement.clientWidth`, &overflow)
	if overflow {
		t.Errorf("%s scrolls sideways", what)
	}
	var small []string
	browser.Eval(`[...document.querySelectorAll('#console-main button, #console-main a.btn, #console-main a.console-link, #console-main select, #console-main input, #console-main summary')]
		.filter((e) => e.offsetParent !== null && e.getBoundingClientRect().height < 44).map((e) => e.id || e.className || e.tagName)`, &small)
	if len(small) > 0 {
		t.Errorf("%s has touch targets under 44 px: %v", what, small)
	}
}

// A finding from a failed item to closed: the guard's phone submits an
// inspection with the fire exit blocked; the finding is on the
// supervisor's board among the open ones, by name, with its due date in
// the site's zone; its page shows the failed item, the inspection and the
// guard's photo. The supervisor assigns it to the guard by name; the
// guard's phone sends the rectification with a photo; the supervisor sees
// that evidence, verifies and closes. The API then holds every step.
func TestConsoleFindingToClosed(t *testing.T) {
	server, tenant := browsertest.Console(t, "console")
	phone, inspectionID, findingID := raisedFinding(t, server, tenant)

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Supervisor.Email)
	browser.Run(chromedp.Navigate(server.URL + "/console/#/findings"))
	row := `document.querySelector('#findings-open [data-finding="` + findingID + `"]')`
	browser.Wait("the finding among the open ones", row)
	var line string
	browser.Eval(row+`.textContent`, &line)
	for _, want := range []string{"Fire exit blocked", "console site A", "High", "Unassigned", "Due "} {
		if !strings.Contains(line, want) {
			t.Errorf("board row %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, findingID) || strings.Contains(line, tenant.Sites[0].ID) {
		t.Errorf("board row shows ids: %q", line)
	}
	browser.Screenshot("console-findings")
	browser.SetViewport(browsertest.TabletPortrait)
	noSideways(t, browser, "the findings board at 768 px")
	browser.Screenshot("console-findings-portrait")
	browser.SetViewport(browsertest.TabletLandscape)

	browser.Run(chromedp.Click(chromedp.CSS(`#findings-open [data-finding="` + findingID + `"] a`)))
	browser.Wait("the finding's page with the failed item and its photo", `document.querySelector('#finding-item') &&
		[...document.querySelectorAll('#finding-photos img')].some((img) => img.complete && img.naturalWidth > 0)`)
	var origin string
	browser.Eval(`document.querySelector('#finding-origin').textContent`, &origin)
	for _, want := range []string{"Fire exit check", "Fire exit clear?", "No", tenant.Guard.User.Name} {
		if !strings.Contains(origin, want) {
			t.Errorf("the finding's origin %q lacks %q", origin, want)
		}
	}
	var link string
	browser.Eval(`document.querySelector('#finding-inspection').getAttribute('href')`, &link)
	if link != "#/inspections/"+inspectionID {
		t.Errorf("the origin links to %q", link)
	}
	browser.Screenshot("console-finding")
	noSideways(t, browser, "the finding's page")
	noStrayText(t, browser)

	// Assign by name: the guard is picked from the people of the site.
	var picked bool
	browser.Eval(`(() => { const select = document.querySelector('#finding-assignee');
		const option = [...select.options].find((o) => o.textContent.startsWith(`+jsString(tenant.Guard.User.Name)+`));
		if (!option) return false; select.value = option.value; return true; })()`, &picked)
	if !picked {
		var options string
		browser.Eval(`[...document.querySelectorAll('#finding-assignee option')].map((o) => o.textContent).join('|')`, &options)
		t.Fatalf("the guard is not offered by name: %q", options)
	}
	browser.Run(chromedp.Click(chromedp.CSS(`#finding-assign`)))
	browser.Wait("the finding assigned", `document.querySelector('#finding-summary')?.textContent.includes('Assigned') &&
		document.querySelector('#finding-history')?.textContent.includes('Assigned')`)
	var after findingState
	server.Get("/v1/findings/"+findingID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &after)
	if after.Status != "assigned" || after.AssigneeID == nil || *after.AssigneeID != tenant.Guard.User.ID {
		t.Fatalf("after assigning in the console: %+v", after)
	}

	rectifyOnPhone(t, server, tenant, phone, findingID, "Boxes moved to the store room; exit clear")
	browser.Run(chromedp.Reload())
	browser.Wait("the rectification evidence", `document.querySelector('#finding-verify') &&
		document.querySelector('#finding-rectification-note')?.textContent.includes('Boxes moved') &&
		[...document.querySelectorAll('#finding-evidence-photos img')].some((img) => img.complete && img.naturalWidth > 0)`)
	var evidence string
	browser.Eval(`document.querySelector('#finding-evidence').textContent`, &evidence)
	if !strings.Contains(evidence, tenant.Guard.User.Name) {
		t.Errorf("the evidence %q does not name who rectified", evidence)
	}
	browser.Eval(`document.querySelector('#finding-evidence').scrollIntoView({block: 'start'}), true`, nil)
	browser.Screenshot("console-finding-evidence")
	browser.SetViewport(browsertest.TabletPortrait)
	noSideways(t, browser, "the finding with evidence at 768 px")
	browser.Screenshot("console-finding-evidence-portrait")
	browser.SetViewport(browsertest.TabletLandscape)

	browser.Run(chromedp.Click(chromedp.CSS(`#finding-verify`)))
	browser.Wait("the finding verified", `document.querySelector('#finding-close')`)
	browser.Run(chromedp.Click(chromedp.CSS(`#finding-close`)))
	browser.Wait("the finding closed", `document.querySelector('#finding-summary')?.textContent.includes('Closed')`)
	var closed findingState
	server.Get("/v1/findings/"+findingID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &closed)
	var kinds []string
	for _, event := range closed.History {
		kinds = append(kinds, event.Kind)
	}
	if closed.Status != "closed" || strings.Join(kinds, ",") != "created,assigned,rectified,verified,closed" {
		t.Fatalf("after closing in the console: status %s, history %v", closed.Status, kinds)
	}
	browser.Run(chromedp.Click(chromedp.CSS(`#finding-back`)))
	browser.Wait("the finding among the closed ones", `document.querySelector('#findings-closed [data-finding="`+findingID+`"]')`)
	browser.NoErrors(t)
}

// The reject path: a rectification that is not good enough is rejected
// with a reason (refused on the page without one); the finding goes back
// to the assignee with the reason in its history, and is on the board
// among the rejected ones, in Chinese too.
func TestConsoleFindingRejected(t *testing.T) {
	server, tenant := browsertest.Console(t, "console")
	phone, _, findingID := raisedFinding(t, server, tenant)
	server.Post("/v1/findings/"+findingID+"/assign", tenant.Supervisor.Token, map[string]any{"assignee_id": tenant.Guard.User.ID}).
		Want(t, http.StatusOK)
	rectifyOnPhone(t, server, tenant, phone, findingID, "Moved one box")

	browser := browsertest.New(t, browsertest.TabletPortrait)
	browser.SignInConsole(server.URL, tenant.Supervisor.Email)
	browser.Run(chromedp.Navigate(server.URL + "/console/#/findings/" + findingID))
	browser.Wait("the rectified finding", `document.querySelector('#finding-reject')`)
	browser.Run(chromedp.Click(chromedp.CSS(`#finding-reject`)))
	browser.Wait("the request for a reason", `document.querySelector('#finding-message')?.textContent.includes('why')`)
	const reason = "Half the exit is still blocked: clear all of it"
	browser.Run(chromedp.SetValue(chromedp.CSS(`#finding-reject-reason`), reason))
	browser.Run(chromedp.Click(chromedp.CSS(`#finding-reject`)))
	browser.Wait("the finding rejected", `document.querySelector('#finding-summary')?.textContent.includes('Rejected') &&
		document.querySelector('#finding-history')?.textContent.includes('Half the exit')`)
	browser.Screenshot("console-finding-rejected-portrait")
	var rejected findingState
	server.Get("/v1/findings/"+findingID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &rejected)
	last := rejected.History[len(rejected.History)-1]
	if rejected.Status != "rejected" || last.Kind != "rejected" || last.Detail["note"] != reason {
		t.Fatalf("after rejecting in the console: %+v", rejected)
	}
	// Rejected, it can be assigned again: the form is offered.
	var reassign bool
	browser.Eval(`Boolean(document.querySelector('#finding-assign'))`, &reassign)
	if !reassign {
		t.Error("a rejected finding offers no reassignment")
	}

	browser.Run(chromedp.Click(chromedp.CSS(`#finding-back`)))
	row := `document.querySelector('#findings-rejected [data-finding="` + findingID + `"]')`
	browser.Wait("the finding among the rejected ones", row)
	browser.Eval(`[...document.querySelectorAll('.console-languages button')].find((b) => b.textContent === '中文').click(), true`, nil)
	browser.Wait("the board in Chinese", `document.querySelector('#console-main h1')?.textContent.startsWith('隐患') && `+row)
	var line string
	browser.Eval(row+`.textContent`, &line)
	if !strings.Contains(line, "安全出口堵塞") || !strings.Contains(line, tenant.Guard.User.Name) {
		t.Errorf("Chinese board row %q", line)
	}
	browser.SetViewport(browsertest.TabletLandscape)
	browser.Screenshot("console-findings-zh")
	noStrayText(t, browser)
	browser.NoErrors(t)
}

// The schedule editor: an administrator picks "yearly in June" at 09:00
// and sees the next ten slots, each 1 June 09:00 at the site
// (Asia/Shanghai, +08:00), exactly those the server's preview computes; an
// own rule that is no rule is refused by field; then "daily at 22:00" is
// saved, and the list names it in words.
func TestConsoleScheduleEditor(t *testing.T) {
	server, tenant := browsertest.Console(t, "console")
	var route struct{ ID string }
	server.Post("/v1/routes", tenant.Admin.Token, map[string]any{"site_id": tenant.Sites[0].ID, "name": "Night walk", "checkpoints": []map[string]any{
		{"name": "Lobby", "tag_code": "QR-LOBBY"}, {"name": "Vault", "tag_code": "QR-VAULT"}}}).Want(t, http.StatusCreated).JSON(t, &route)

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Admin.Email)
	browser.Run(chromedp.Navigate(server.URL + "/console/#/schedules/new"))
	browser.Wait("the editor with a preview", `document.querySelectorAll('#schedule-preview li[data-at]').length === 10`)
	browser.Run(
		chromedp.SetValue(chromedp.CSS(`#schedule-site`), tenant.Sites[0].ID),
		chromedp.Click(chromedp.CSS(`.schedule-preset[data-preset="june"]`)),
		chromedp.SetValue(chromedp.CSS(`#schedule-time`), "09:00"),
	)
	browser.Eval(`document.querySelector('#schedule-time').dispatchEvent(new Event('change')), true`, nil)
	june := `[...document.querySelectorAll('#schedule-preview li[data-at]')]`
	browser.Wait("ten Junes", june+`.length === 10 && `+june+`.every((li) => li.dataset.local.endsWith('-06-01T09:00:00+08:00'))`)
	var shown []string
	browser.Eval(june+`.map((li) => li.dataset.at)`, &shown)
	var rule, start, heading string
	browser.Eval(`document.querySelector('#schedule-rrule').value`, &rule)
	browser.Eval(`document.querySelector('#schedule-start').value`, &start)
	browser.Eval(`document.querySelector('#schedule-preview-zone').textContent`, &heading)
	if !strings.Contains(heading, "Asia/Shanghai") {
		t.Errorf("the preview heading %q does not name the site's zone", heading)
	}
	var preview struct {
		Occurrences []struct{ At time.Time }
	}
	server.Post("/v1/schedules/preview", tenant.Admin.Token, map[string]any{"site_id": tenant.Sites[0].ID, "rrule": rule,
		"dtstart": start + "T09:00:00", "count": 10}).Want(t, http.StatusOK).JSON(t, &preview)
	for i, at := range shown {
		parsed, err := time.Parse(time.RFC3339, at)
		if err != nil || !parsed.Equal(preview.Occurrences[i].At) {
			t.Errorf("slot %d on the screen %s, the server's %s", i, at, preview.Occurrences[i].At)
		}
	}
	var text string
	browser.Eval(`document.querySelector('#schedule-preview').innerText`, &text)
	if !strings.Contains(text, "Jun") || !strings.Contains(text, "09:00") {
		t.Errorf("the preview reads %q", text)
	}
	browser.Screenshot("console-schedule-editor")
	browser.SetViewport(browsertest.TabletPortrait)
	noSideways(t, browser, "the schedule editor at 768 px")
	browser.Screenshot("console-schedule-editor-portrait")
	browser.SetViewport(browsertest.TabletLandscape)

	// An own rule that is no rule is refused under the rule field.
	browser.Run(chromedp.SetValue(chromedp.CSS(`#schedule-rrule`), "FREQ=SOMETIMES"))
	browser.Eval(`document.querySelector('#schedule-rrule').dispatchEvent(new Event('input')), true`, nil)
	browser.Wait("the rule refused", `document.querySelector('#schedule-error-rrule')?.textContent.length > 0`)

	browser.Run(
		chromedp.Click(chromedp.CSS(`.schedule-preset[data-preset="daily"]`)),
		chromedp.SetValue(chromedp.CSS(`#schedule-time`), "22:00"),
		chromedp.SetValue(chromedp.CSS(`#schedule-name`), "Night walk"),
	)
	browser.Eval(`document.querySelector('#schedule-time').dispatchEvent(new Event('change')), true`, nil)
	daily := `[...document.querySelectorAll('#schedule-preview li[data-at]')]`
	browser.Wait("ten nights at 22:00", daily+`.length === 10 && `+daily+`.every((li) => li.dataset.local.slice(11) === '22:00:00+08:00')`)
	browser.Run(chromedp.Click(chromedp.CSS(`#schedule-save`)))
	browser.Wait("the schedules list with it", `document.querySelector('#schedules-table')?.textContent.includes('Daily at 22:00')`)
	var listed string
	browser.Eval(`document.querySelector('#schedules-table tbody tr').textContent`, &listed)
	for _, want := range []string{"Night walk", "console site A", "Daily at 22:00", "Any guard of the site"} {
		if !strings.Contains(listed, want) {
			t.Errorf("schedules row %q lacks %q", listed, want)
		}
	}
	browser.Screenshot("console-schedules")
	var saved struct {
		Items []struct {
			RRule   string `json:"rrule"`
			DTStart string `json:"dtstart"`
			RouteID string `json:"route_id"`
		}
	}
	server.Get("/v1/schedules", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &saved)
	if len(saved.Items) != 1 || saved.Items[0].RRule != "FREQ=DAILY;BYHOUR=22;BYMINUTE=0;BYSECOND=0" ||
		!strings.HasSuffix(saved.Items[0].DTStart, "T22:00:00") || saved.Items[0].RouteID != route.ID {
		t.Fatalf("saved schedules %+v", saved.Items)
	}

	// The standard schedules run nowhere until set up: the monthly hazard
	// investigation opens in the editor filled in, the admin picks the
	// site and saves, and it runs there.
	standard := `document.querySelector('#schedule-standards tr[data-standard="monthly-hazard-investigation"]')`
	browser.Wait("the standard schedules", standard+`?.textContent.includes('no site yet')`)
	browser.Screenshot("console-schedule-standards")
	browser.Run(chromedp.Click(chromedp.CSS(`#schedule-standards tr[data-standard="monthly-hazard-investigation"] .standard-set-up`)))
	browser.Wait("the editor filled in", `document.querySelector('#schedule-kind')?.value === 'inspection' &&
		document.querySelector('.schedule-preset[data-preset="monthly"]')?.getAttribute('aria-checked') === 'true' &&
		document.querySelector('#schedule-name').value.includes('hazard') &&
		document.querySelectorAll('#schedule-preview li[data-at]').length === 10`)
	browser.Run(chromedp.SetValue(chromedp.CSS(`#schedule-site`), tenant.Sites[1].ID))
	browser.Eval(`document.querySelector('#schedule-site').dispatchEvent(new Event('change')), true`, nil)
	browser.Run(chromedp.Click(chromedp.CSS(`#schedule-save`)))
	browser.Wait("the standard running at site B", standard+`?.textContent.includes('console site B')`)
	server.Get("/v1/schedules", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &saved)
	if len(saved.Items) != 2 {
		t.Fatalf("after setting up a standard schedule: %+v", saved.Items)
	}

	// The stored daily equipment check waits, disabled, until the admin
	// chooses a site in the card: then it is enabled and runs there.
	dailyCheck := `document.querySelector('#schedule-standards tr[data-standard="daily-equipment-check"]')`
	browser.Wait("the daily check waiting", dailyCheck+`?.textContent.includes('no site yet') && `+dailyCheck+`.querySelector('.standard-site')`)
	browser.Run(chromedp.SetValue(chromedp.CSS(`#schedule-standards tr[data-standard="daily-equipment-check"] .standard-site`), tenant.Sites[0].ID),
		chromedp.Click(chromedp.CSS(`#schedule-standards tr[data-standard="daily-equipment-check"] .standard-enable-button`)))
	browser.Wait("the daily check enabled at site A", dailyCheck+`?.querySelector('.standard-running')?.textContent.includes('console site A')`)
	browser.Screenshot("console-schedule-standards-enabled")
	var defaults struct {
		Items []struct {
			Key     string
			Enabled bool
			SiteID  *string `json:"site_id"`
		}
	}
	server.Get("/v1/default-schedules", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &defaults)
	enabled := 0
	for _, d := range defaults.Items {
		if d.Enabled {
			enabled++
			if d.Key != "daily-equipment-check" || d.SiteID == nil || *d.SiteID != tenant.Sites[0].ID {
				t.Errorf("enabled %+v", d)
			}
		}
	}
	if enabled != 1 {
		t.Fatalf("%d default schedules enabled, want the daily check at site A: %+v", enabled, defaults.Items)
	}
	browser.NoErrors(t)
}

// A day of rounds at a site, yesterday in its zone: rounds every four
// hours on an ordered route, done on time, late, partly with an unknown
// tag and out of order, and not at all. The supervisor sees each verdict,
// the exceptions by name and a round's scan timeline.
func TestConsoleRoundsOfTheDay(t *testing.T) {
	server, tenant := browsertest.Console(t, "console")
	shanghai := shanghai(t)
	var route struct{ ID string }
	server.Post("/v1/routes", tenant.Admin.Token, map[string]any{"site_id": tenant.Sites[0].ID, "name": "Night walk", "ordered": true,
		"checkpoints": []map[string]any{{"name": "Lobby", "tag_code": "QR-LOBBY"}, {"name": "Vault", "tag_code": "QR-VAULT"},
			{"name": "Server room", "tag_code": "QR-SERVER"}}}).Want(t, http.StatusCreated).JSON(t, &route)
	now := time.Now().In(shanghai)
	yesterday := time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, shanghai)
	server.Post("/v1/schedules", tenant.Admin.Token, map[string]any{"site_id": tenant.Sites[0].ID, "kind": "round", "name": "Night walk",
		"route_id": route.ID, "rrule": "FREQ=DAILY;BYHOUR=0,4,8,12,16,20;BYMINUTE=0;BYSECOND=0", "dtstart": yesterday.Format("2006-01-02T15:04:05"),
		"tolerance_minutes": 30, "assignee_id": tenant.Guard.User.ID}).Want(t, http.StatusCreated)
	ctx := context.Background()
	if _, err := server.App.Rounds.Materialize(ctx, yesterday); err != nil {
		t.Fatal(err)
	}
	var page struct {
		Items []struct {
			ID     string    `json:"id"`
			SlotAt time.Time `json:"slot_at"`
		}
	}
	q := url.Values{"site_id": {tenant.Sites[0].ID}, "from": {yesterday.UTC().Format(time.RFC3339)},
		"to": {yesterday.AddDate(0, 0, 1).UTC().Format(time.RFC3339)}}
	server.Get("/v1/rounds?"+q.Encode(), tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &page)
	if len(page.Items) != 6 {
		t.Fatalf("%d rounds yesterday, want 6", len(page.Items))
	}
	round := map[int]string{}
	for _, r := range page.Items {
		round[r.SlotAt.In(shanghai).Hour()] = r.ID
	}
	scan := func(hour int, tag string, minutes int) map[string]any {
		at := yesterday.Add(time.Duration(hour)*time.Hour + time.Duration(minutes)*time.Minute)
		return map[string]any{"mutation_id": uuid.Must(uuid.NewV7()).String(), "type": "checkpoint.scan", "entity_id": uuid.Must(uuid.NewV7()).String(),
			"payload":     map[string]any{"round_id": round[hour], "tag_code": tag, "scanned_at": at.UTC().Format(time.RFC3339)},
			"client_time": at.UTC().Format(time.RFC3339)}
	}
	var pushed struct {
		Results []struct{ Status string } `json:"results"`
	}
	server.Post("/v1/sync/push", tenant.Guard.Token, map[string]any{"mutations": []map[string]any{
		scan(0, "QR-LOBBY", 5), scan(0, "QR-VAULT", 10), scan(0, "QR-SERVER", 15),
		scan(4, "QR-LOBBY", 10), scan(4, "QR-VAULT", 25), scan(4, "QR-SERVER", 40),
		scan(8, "QR-LOBBY", 5), scan(8, "QR-NOPE", 8), scan(8, "QR-SERVER", 12),
		scan(16, "QR-LOBBY", 3), scan(16, "QR-VAULT", 6), scan(16, "QR-SERVER", 9),
	}}).Want(t, http.StatusOK).JSON(t, &pushed)
	for i, r := range pushed.Results {
		if r.Status != "applied" {
			t.Fatalf("scan %d: %s", i, r.Status)
		}
	}
	if _, err := server.App.Rounds.DetectMissed(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Supervisor.Email)
	browser.Run(chromedp.Navigate(server.URL + "/console/#/rounds"))
	browser.Wait("the rounds screen", `document.querySelector('#rounds-day')`)
	browser.Run(chromedp.SetValue(chromedp.CSS(`#rounds-day`), yesterday.Format("2006-01-02")))
	browser.Eval(`document.querySelector('#rounds-day').dispatchEvent(new Event('change')), true`, nil)
	rows := `[...document.querySelectorAll('.rounds-site[data-site="` + tenant.Sites[0].ID + `"] .rounds-row')]`
	browser.Wait("yesterday's six rounds", `document.querySelector('#rounds-board').dataset.day === '`+yesterday.Format("2006-01-02")+`' && `+rows+`.length === 6`)
	var verdicts string
	browser.Eval(rows+`.map((li) => li.dataset.verdict).join(',')`, &verdicts)
	if verdicts != "on_time,late,partial,missed,on_time,missed" {
		t.Errorf("verdicts %q", verdicts)
	}
	var partial string
	browser.Eval(rows+`[2].querySelector('summary').textContent`, &partial)
	for _, want := range []string{"08:00", "Night walk", tenant.Guard.User.Name, "Partly done", "Unknown tag", "Out of order", "2 of 3"} {
		if !strings.Contains(partial, want) {
			t.Errorf("the 08:00 round reads %q, lacking %q", partial, want)
		}
	}
	browser.Run(chromedp.Click(chromedp.CSS(`.rounds-row[data-verdict="partial"] summary`)))
	browser.Wait("the scan timeline", `document.querySelector('.rounds-row[data-verdict="partial"] details').open`)
	var timeline string
	browser.Eval(`document.querySelector('.rounds-row[data-verdict="partial"] .rounds-timeline').textContent`, &timeline)
	for _, want := range []string{"08:05", "Lobby", "Unknown tag QR-NOPE", "Server room", "Out of order", "Missed: Vault"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline %q lacks %q", timeline, want)
		}
	}
	var tally string
	browser.Eval(`document.querySelector('.rounds-site[data-site="`+tenant.Sites[0].ID+`"] .rounds-tally').textContent`, &tally)
	for _, want := range []string{"2on time", "1late", "1partly done", "2missed"} {
		if !strings.Contains(tally, want) {
			t.Errorf("the tally %q lacks %q", tally, want)
		}
	}
	browser.Screenshot("console-rounds")
	browser.SetViewport(browsertest.TabletPortrait)
	noSideways(t, browser, "the rounds of the day at 768 px")
	browser.Screenshot("console-rounds-portrait")
	noStrayText(t, browser)
	browser.NoErrors(t)
}

func jsString(s string) string {
	encoded, _ := json.Marshal(s)
	return string(encoded)
}
