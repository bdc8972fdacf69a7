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
	browsertest.Publish(t, server, tenant, hazardTemplate)
	ctx := browsertest.Until(t)
	phone := browsertest.GuardPhone(t, server, tenant.Guard)
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
	browsertest.SyncUntil(t, server, tenant, phone, id, func(status string, pending bool) bool { return status == "submitted" && !pending })
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
	ctx := browsertest.Until(t)
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
	t.Parallel()
	server, tenant := browsertest.Console(t, "console")
	phone, inspectionID, findingID := raisedFinding(t, server, tenant)

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Supervisor.Email)
	row := `document.querySelector('#findings-open [data-finding="` + findingID + `"]')`
	browser.Nav("#/findings")
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

	browser.Tap(`#findings-open [data-finding="` + findingID + `"] a`)
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
	// A busy server (503) assigns nothing: the page says so in the
	// reader's words, not the server's, and the next tap assigns.
	busy := browser.AnswerRequests("/v1/findings/"+findingID+"/assign", http.StatusServiceUnavailable, map[string]string{"Retry-After": "5"})
	browser.Tap(`#finding-assign`)
	browser.Wait("the page saying the server is busy", `document.querySelector('#finding-message')?.textContent ===
		'Not done: the server is busy or out of reach. Try again in a moment.' && !document.querySelector('#finding-assign').disabled`)
	browser.Screenshot("console-finding-busy")
	browser.SetViewport(browsertest.Phone)
	browser.Screenshot("console-finding-busy-phone")
	browser.SetViewport(browsertest.TabletLandscape)
	busy()
	var unassigned findingState
	server.Get("/v1/findings/"+findingID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &unassigned)
	if unassigned.Status != "open" || unassigned.AssigneeID != nil {
		t.Fatalf("after a 503 the finding is %+v, want still open and unassigned", unassigned)
	}
	browser.Tap(`#finding-assign`)
	browser.Wait("the finding assigned", `document.querySelector('#finding-summary')?.textContent.includes('Assigned') &&
		document.querySelector('#finding-history')?.textContent.includes('Assigned')`)
	var after findingState
	server.Get("/v1/findings/"+findingID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &after)
	if after.Status != "assigned" || after.AssigneeID == nil || *after.AssigneeID != tenant.Guard.User.ID {
		t.Fatalf("after assigning in the console: %+v", after)
	}

	rectifyOnPhone(t, server, tenant, phone, findingID, "Boxes moved to the store room; exit clear")
	browser.Reload("the rectification evidence", `document.querySelector('#finding-verify') &&
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

	browser.Tap(`#finding-verify`)
	browser.Wait("the finding verified", `document.querySelector('#finding-close')`)
	browser.Tap(`#finding-close`)
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
	browser.Tap(`#finding-back`)
	browser.Wait("the finding among the closed ones", `document.querySelector('#findings-closed [data-finding="`+findingID+`"]')`)

	// The hazard register (隐患整改台账) reads it in words and names: the
	// severity and state as on the board, who rectified and verified.
	hazard := `document.querySelector('#records-table tr[data-finding="` + findingID + `"]')`
	browser.Nav("#/records")
	browser.Tap(`.console-tab[href="#/records/hazards"]`)
	browser.Wait("the finding in the hazard register", hazard)
	var ledger string
	browser.Eval(hazard+`.innerText`, &ledger)
	for _, want := range []string{"Fire exit blocked", "console site A", "High", "Closed", tenant.Guard.User.Name,
		"Rectified by " + tenant.Guard.User.Name, "Verified by " + tenant.Supervisor.User.Name} {
		if !strings.Contains(ledger, want) {
			t.Errorf("hazard register row %q lacks %q", ledger, want)
		}
	}
	for _, code := range []string{"high", "closed", findingID, tenant.Guard.User.ID, tenant.Sites[0].ID} {
		if strings.Contains(ledger, code) {
			t.Errorf("hazard register row %q shows the code %q", ledger, code)
		}
	}
	noStrayText(t, browser)
	browser.FitsWidth(t, "the hazard register")
	browser.Screenshot("console-records-hazards")
	// Its exports, as the register is filed: CSV and PDF from the server.
	for _, export := range []string{"#records-csv", "#records-pdf"} {
		browser.Eval(`document.querySelector('#toast')?.replaceChildren(), true`, nil)
		browser.Tap(export)
		browser.Wait("the "+export+" export downloaded", `document.querySelector('#toast')?.textContent === 'Export downloaded.'`)
	}
	browser.Eval(`localStorage.setItem('patrolsync.lang', 'zh-CN'), true`, nil)
	browser.Reload("the hazard register in Chinese", `document.documentElement.lang === 'zh-CN' && `+hazard)
	browser.Eval(hazard+`.innerText`, &ledger)
	for _, want := range []string{"安全出口堵塞", "高", "已关闭", tenant.Guard.User.Name} {
		if !strings.Contains(ledger, want) {
			t.Errorf("Chinese hazard register row %q lacks %q", ledger, want)
		}
	}
	browser.Screenshot("console-records-hazards-zh")
	// A register the server is too busy to read says so in the reader's
	// language, and Try again reads it once the server answers.
	busy = browser.AnswerRequests("/v1/registers/hazards", http.StatusServiceUnavailable, map[string]string{"Retry-After": "5"})
	browser.Reload("the register failing in Chinese", `document.querySelector('.state-error p')?.textContent === '加载失败：服务器繁忙或无法连接，请稍后重试。'`)
	browser.Screenshot("console-records-busy-zh")
	browser.SetViewport(browsertest.Phone)
	browser.Screenshot("console-records-busy-zh-phone")
	browser.SetViewport(browsertest.TabletLandscape)
	busy()
	browser.Tap(`.state-error button`)
	browser.Wait("the register read again", hazard)
	browser.SetViewport(browsertest.TabletPortrait)
	browser.FitsWidth(t, "the hazard register")
	browser.Screenshot("console-records-hazards-portrait")
	browser.NoErrors(t)
}

// The reject path: a rectification that is not good enough is rejected
// with a reason (refused on the page without one); the finding goes back
// to the assignee with the reason in its history, and is on the board
// among the rejected ones, in Chinese too.
func TestConsoleFindingRejected(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "console")
	phone, _, findingID := raisedFinding(t, server, tenant)
	server.Post("/v1/findings/"+findingID+"/assign", tenant.Supervisor.Token, map[string]any{"assignee_id": tenant.Guard.User.ID}).
		Want(t, http.StatusOK)
	rectifyOnPhone(t, server, tenant, phone, findingID, "Moved one box")

	browser := browsertest.New(t, browsertest.TabletPortrait)
	browser.SignInConsole(server.URL, tenant.Supervisor.Email)
	browser.Show("#/findings/"+findingID, "the rectified finding", `document.querySelector('#finding-reject')`)
	browser.Tap(`#finding-reject`)
	browser.Wait("the request for a reason", `document.querySelector('#finding-message')?.textContent.includes('why')`)
	const reason = "Half the exit is still blocked: clear all of it"
	browser.Fill(`#finding-reject-reason`, reason)
	browser.Tap(`#finding-reject`)
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

	browser.Tap(`#finding-back`)
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
	t.Parallel()
	server, tenant := browsertest.Console(t, "console")
	var route struct{ ID string }
	server.Post("/v1/routes", tenant.Admin.Token, map[string]any{"site_id": tenant.Sites[0].ID, "name": "Night walk", "checkpoints": []map[string]any{
		{"name": "Lobby", "tag_code": "QR-LOBBY"}, {"name": "Vault", "tag_code": "QR-VAULT"}}}).Want(t, http.StatusCreated).JSON(t, &route)

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Admin.Email)
	browser.Show("#/schedules/new", "the editor with a preview", `document.querySelectorAll('#schedule-preview li[data-at]').length === 10`)
	browser.Fill(`#schedule-site`, tenant.Sites[0].ID)
	browser.Tap(`.schedule-preset[data-preset="june"]`)
	browser.Fill(`#schedule-time`, "09:00")
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
	browser.Fill(`#schedule-rrule`, "FREQ=SOMETIMES")
	browser.Eval(`document.querySelector('#schedule-rrule').dispatchEvent(new Event('input')), true`, nil)
	browser.Wait("the rule refused", `document.querySelector('#schedule-error-rrule')?.textContent.length > 0`)

	browser.Tap(`.schedule-preset[data-preset="daily"]`)
	browser.Fill(`#schedule-time`, "22:00")
	browser.Fill(`#schedule-name`, "Night walk")
	browser.Eval(`document.querySelector('#schedule-time').dispatchEvent(new Event('change')), true`, nil)
	daily := `[...document.querySelectorAll('#schedule-preview li[data-at]')]`
	browser.Wait("ten nights at 22:00", daily+`.length === 10 && `+daily+`.every((li) => li.dataset.local.slice(11) === '22:00:00+08:00')`)
	browser.Tap(`#schedule-save`)
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
	browser.Tap(`#schedule-standards tr[data-standard="monthly-hazard-investigation"] .standard-set-up`)
	browser.Wait("the editor filled in", `document.querySelector('#schedule-kind')?.value === 'inspection' &&
		document.querySelector('.schedule-preset[data-preset="monthly"]')?.getAttribute('aria-checked') === 'true' &&
		document.querySelector('#schedule-name').value.includes('hazard') &&
		document.querySelectorAll('#schedule-preview li[data-at]').length === 10`)
	browser.Fill(`#schedule-site`, tenant.Sites[1].ID)
	browser.Eval(`document.querySelector('#schedule-site').dispatchEvent(new Event('change')), true`, nil)
	browser.Tap(`#schedule-save`)
	browser.Wait("the standard running at site B", standard+`?.textContent.includes('console site B')`)
	server.Get("/v1/schedules", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &saved)
	if len(saved.Items) != 2 {
		t.Fatalf("after setting up a standard schedule: %+v", saved.Items)
	}

	// The stored daily equipment check waits, disabled, until the admin
	// chooses a site in the card: then it is enabled and runs there.
	dailyCheck := `document.querySelector('#schedule-standards tr[data-standard="daily-equipment-check"]')`
	browser.Wait("the daily check waiting", dailyCheck+`?.textContent.includes('no site yet') && `+dailyCheck+`.querySelector('.standard-site')`)
	browser.Fill(`#schedule-standards tr[data-standard="daily-equipment-check"] .standard-site`, tenant.Sites[0].ID)
	browser.Tap(`#schedule-standards tr[data-standard="daily-equipment-check"] .standard-enable-button`)
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
	t.Parallel()
	// Yesterday's rounds get their scans only now, and the periodic judge
	// (at the worker's start, then every five minutes) would judge them
	// missed first when it runs between their making and the push, as it
	// did on a loaded machine. A sync delay of two days keeps it off them;
	// the test judges them itself, as if two days from now.
	const syncDelay = 48 * time.Hour
	server, tenant := browsertest.Console(t, "console", apitest.WithSetting("PATROLSYNC_ROUND_SYNC_DELAY", syncDelay.String()))
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
	if _, err := server.App.Rounds.DetectMissed(ctx, time.Now().Add(syncDelay)); err != nil {
		t.Fatal(err)
	}

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Supervisor.Email)
	browser.Show("#/rounds", "the rounds screen", `document.querySelector('#rounds-day')`)
	browser.Fill(`#rounds-day`, yesterday.Format("2006-01-02"))
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
	browser.Tap(`.rounds-row[data-verdict="partial"] summary`)
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

// An inspection done on a round but submitted after the round's window
// closed is flagged late on its page (the periodic report's 迟交 counts
// the same), with the window's end in the site's zone.
func TestConsoleLateRoundInspection(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "console")
	templateID := browsertest.Publish(t, server, tenant, `{"key": "gate-check", "title": {"zh-CN": "大门检查", "en": "Gate check"},
		"sections": [{"key": "gate", "title": {"zh-CN": "大门", "en": "Gate"},
		"items": [{"key": "gate_closed", "type": "yes_no", "label": {"zh-CN": "大门已关？", "en": "Gate closed?"}, "required": true}]}]}`)
	shanghai := shanghai(t)
	var route struct{ ID string }
	server.Post("/v1/routes", tenant.Admin.Token, map[string]any{"site_id": tenant.Sites[0].ID, "name": "Gate walk",
		"checkpoints": []map[string]any{{"name": "Gate", "tag_code": "QR-GATE"}}}).Want(t, http.StatusCreated).JSON(t, &route)
	now := time.Now().In(shanghai)
	yesterday := time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, shanghai)
	server.Post("/v1/schedules", tenant.Admin.Token, map[string]any{"site_id": tenant.Sites[0].ID, "kind": "round", "name": "Gate walk",
		"route_id": route.ID, "rrule": "FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0", "dtstart": yesterday.Format("2006-01-02T15:04:05"),
		"tolerance_minutes": 30, "assignee_id": tenant.Guard.User.ID}).Want(t, http.StatusCreated)
	if _, err := server.App.Rounds.Materialize(context.Background(), yesterday); err != nil {
		t.Fatal(err)
	}
	var rounds struct {
		Items []struct{ ID string }
	}
	q := url.Values{"site_id": {tenant.Sites[0].ID}, "from": {yesterday.UTC().Format(time.RFC3339)},
		"to": {yesterday.AddDate(0, 0, 1).UTC().Format(time.RFC3339)}}
	server.Get("/v1/rounds?"+q.Encode(), tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &rounds)
	if len(rounds.Items) != 1 {
		t.Fatalf("%d rounds yesterday, want 1", len(rounds.Items))
	}
	id := uuid.Must(uuid.NewV7()).String()
	at := func(d time.Duration) string { return yesterday.Add(d).UTC().Format(time.RFC3339) }
	mutation := func(kind string, payload map[string]any, when string) map[string]any {
		return map[string]any{"mutation_id": uuid.Must(uuid.NewV7()).String(), "type": kind, "entity_id": id, "payload": payload, "client_time": when}
	}
	var pushed struct {
		Results []struct{ Status string } `json:"results"`
	}
	// Started in the window (08:10), submitted at 09:15: 45 minutes after it closed at 08:30.
	server.Post("/v1/sync/push", tenant.Guard.Token, map[string]any{"mutations": []map[string]any{
		mutation("inspection.start", map[string]any{"template_id": templateID, "template_version": 1, "site_id": tenant.Sites[0].ID,
			"round_id": rounds.Items[0].ID, "started_at": at(8*time.Hour + 10*time.Minute)}, at(8*time.Hour+10*time.Minute)),
		mutation("answer.set", map[string]any{"path": "/gate_closed", "answer": map[string]any{"value": "yes"}}, at(8*time.Hour+11*time.Minute)),
		mutation("inspection.submit", map[string]any{"submitted_at": at(9*time.Hour + 15*time.Minute)}, at(9*time.Hour+15*time.Minute)),
	}}).Want(t, http.StatusOK).JSON(t, &pushed)
	for i, r := range pushed.Results {
		if r.Status != "applied" {
			t.Fatalf("mutation %d: %s", i, r.Status)
		}
	}

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Supervisor.Email)
	browser.Show("#/inspections/"+id, "the late inspection", `document.querySelector('#inspection-summary')?.textContent.includes('Late: submitted')`)
	var summary string
	browser.Eval(`document.querySelector('#inspection-summary').textContent`, &summary)
	if !strings.Contains(summary, "Late: submitted 45 min after the round closed") || !strings.Contains(summary, "08:30") {
		t.Errorf("the late flag reads %q, want 45 minutes after 08:30 in the site's zone", summary)
	}
	browser.Screenshot("console-inspection-late")
	browser.NoErrors(t)
}
