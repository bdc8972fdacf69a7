package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/browsertest"
)

// consoleTemplate has a critical yes/no that fails, a number with a range,
// photos and the guard's signature: what a supervisor reviews.
const consoleTemplate = `{
  "key": "vault-close",
  "title": {"zh-CN": "金库关闭检查", "en": "Vault closing check"},
  "pass_threshold": 80,
  "sections": [
    {"key": "vault", "title": {"zh-CN": "金库", "en": "Vault"}, "items": [
      {"key": "door_locked", "type": "yes_no", "label": {"zh-CN": "金库门已上锁？", "en": "Vault door locked?"},
       "required": true, "critical": true},
      {"key": "alarm_armed", "type": "yes_no", "label": {"zh-CN": "报警已布防？", "en": "Alarm armed?"}, "required": true},
      {"key": "temperature", "type": "number", "label": {"zh-CN": "机房温度", "en": "Server room temperature"},
       "unit": "°C", "min": 10, "max": 30, "required": true}
    ]},
    {"key": "evidence", "title": {"zh-CN": "证据", "en": "Evidence"}, "items": [
      {"key": "scene_photos", "type": "photo", "label": {"zh-CN": "现场照片", "en": "Photos of the scene"},
       "required": true, "min_count": 2, "max_count": 4},
      {"key": "guard_signature", "type": "signature", "label": {"zh-CN": "保安签名", "en": "Guard's signature"},
       "required": true, "signer_role": "guard"}
    ]}
  ]
}`

// A guard's phone (the reference client) submits a failing inspection with
// photos and a signature; the supervisor signs in to the console on a
// tablet, finds it in the queue by name, sees the critical failure first,
// draws a signature and approves. The API then holds it approved, bound to
// the content hash that was on the screen, with the drawn strokes.
func TestConsoleApprove(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "console")
	browsertest.Publish(t, server, tenant, consoleTemplate)

	_, id := browsertest.Submitted(t, server, tenant, "vault-close")

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Supervisor.Email)
	row := `document.querySelector('a[data-inspection="` + id + `"]')`
	browser.Wait("the inspection in the queue", row)
	var line string
	browser.Eval(row+`.closest('tr').textContent`, &line)
	for _, want := range []string{"Vault closing check", "console site A", "Fail", "Submitted"} {
		if !strings.Contains(line, want) {
			t.Errorf("queue row %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, id) || strings.Contains(line, tenant.Sites[0].ID) {
		t.Errorf("queue row shows ids: %q", line)
	}
	browser.Screenshot("console-queue")

	browser.Tap(`a[data-inspection="` + id + `"]`)
	browser.Wait("the inspection page", `document.querySelector('#approve-submit')`)
	var first string
	browser.Eval(`document.querySelector('#inspection-attention li')?.dataset.path`, &first)
	if first != "/door_locked" {
		t.Errorf("first item needing attention is %q, want the critical /door_locked", first)
	}
	browser.Wait("photo thumbnails", `[...document.querySelectorAll('#console-main .console-thumb')].length >= 2 &&
		[...document.querySelectorAll('#console-main .console-thumb')].every((img) => img.complete && img.naturalWidth > 0)`)
	// The guard's signature is drawn from the strokes the API gives with the inspection.
	browser.Wait("the guard's signature drawn from its strokes", `[...document.querySelectorAll('canvas.console-signature[data-strokes="true"]')].some((c) => c.width > 0)`)
	browser.Screenshot("console-inspection")
	noStrayText(t, browser)

	// A thumbnail opens the photo full size.
	browser.Tap(`#console-main .console-photo`)
	browser.Wait("the full-size photo", `(() => { const img = document.querySelector('#photo-dialog img');
		return img && img.complete && img.naturalWidth > 0; })()`)
	browser.Tap(`#photo-close`)
	browser.Wait("the photo closed", `!document.querySelector('#photo-dialog')`)

	// Held upright, the page fits the width.
	browser.SetViewport(browsertest.TabletPortrait)
	var overflow bool
	browser.Eval(`document.documentElement.scrollWidth > document.documentElement.clientWidth`, &overflow)
	if overflow {
		t.Error("the inspection page scrolls sideways at 768 px")
	}
	browser.Screenshot("console-inspection-portrait")
	browser.SetViewport(browsertest.TabletLandscape)

	// Approving without a signature is refused on the page.
	browser.Tap(`#approve-submit`)
	browser.Wait("the request to sign", `document.querySelector('#approve-message')?.textContent.includes('signature')`)

	drawSignature(t, browser, `#console-pad`)
	var strokes int
	browser.Eval(`(() => { const c = document.querySelector('#console-pad'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let inked = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) inked++; return inked; })()`, &strokes)
	if strokes < 50 {
		t.Errorf("the pad shows %d inked pixels after drawing", strokes)
	}
	browser.Screenshot("console-inspection-signed")

	// A busy server (503, Retry-After) signs nothing: the page says to try
	// again later, with the signature kept, and the next tap signs off.
	busy := browser.AnswerRequests("/v1/inspections/"+id+"/approve", http.StatusServiceUnavailable, map[string]string{"Retry-After": "5"})
	browser.Tap(`#approve-submit`)
	browser.Wait("the page saying to try again later", `document.querySelector('#approve-message')?.textContent.includes('try again in a moment') &&
		!document.querySelector('#approve-submit').disabled`)
	browser.Screenshot("console-approve-busy")
	browser.SetViewport(browsertest.Phone)
	browser.Screenshot("console-approve-busy-phone")
	browser.SetViewport(browsertest.TabletLandscape)
	busy()
	var kept bool
	browser.Eval(`(() => { const c = document.querySelector('#console-pad'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; })()`, &kept)
	if !kept {
		t.Error("the signature was wiped by a 503")
	}
	var still struct {
		Status string `json:"status"`
	}
	server.Get("/v1/inspections/"+id, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &still)
	if still.Status != "submitted" {
		t.Fatalf("after a 503 the inspection is %s, want still submitted", still.Status)
	}
	browser.Tap(`#approve-submit`)
	browser.Wait("the signed-off page", `document.querySelector('#inspection-summary')?.textContent.includes('Approved')`)

	var detail struct {
		Status       string  `json:"status"`
		ContentHash  string  `json:"content_hash"`
		ApprovedBy   *string `json:"approved_by"`
		ApprovedHash *string `json:"approved_hash"`
		History      []struct {
			Kind   string         `json:"kind"`
			Detail map[string]any `json:"detail"`
		} `json:"history"`
	}
	server.Get("/v1/inspections/"+id, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &detail)
	if detail.Status != "approved" || detail.ApprovedBy == nil || *detail.ApprovedBy != tenant.Supervisor.User.ID ||
		detail.ApprovedHash == nil || *detail.ApprovedHash != detail.ContentHash {
		t.Fatalf("after approving in the console: %+v", detail)
	}
	last := detail.History[len(detail.History)-1]
	if last.Kind != "approved" || last.Detail["signature"] == nil {
		t.Errorf("last history event %+v", last)
	}

	// Back in the queue it is gone from the submitted ones and found among the approved.
	browser.Tap(`#inspection-back`)
	browser.Wait("the queue without it", `document.querySelector('#queue-results .state-empty')`)
	browser.Fill(`#queue-status`, "approved")
	browser.Tap(`#queue-apply`)
	browser.Wait("it among the approved", row)
	browser.Eval(`[...document.querySelectorAll('.console-languages button')].find((b) => b.textContent === '中文').click(), true`, nil)
	browser.Wait("the queue in Chinese", `document.querySelector('#console-main h1')?.textContent === '待审核的检查' && `+row)
	browser.Eval(row+`.closest('tr').textContent`, &line)
	if !strings.Contains(line, "金库关闭检查") || !strings.Contains(line, "已签核") {
		t.Errorf("Chinese queue row %q", line)
	}
	browser.Screenshot("console-queue-zh")
	noStrayText(t, browser)
	for _, line := range browser.Console() {
		if strings.HasPrefix(line, "exception:") || strings.Contains(line, "Content Security Policy") {
			t.Errorf("browser: %s", line)
		}
	}
}

// drawSignature drags the mouse across the pad in two strokes, which the
// page sees as pointer events.
func drawSignature(t *testing.T, browser *browsertest.Browser, selector string) {
	t.Helper()
	var box struct{ X, Y, W, H float64 }
	browser.Eval(`(() => { const e = document.querySelector('`+selector+`'); e.scrollIntoView({block: 'center'});
		const r = e.getBoundingClientRect(); return {X: r.left, Y: r.top, W: r.width, H: r.height}; })()`, &box)
	strokes := [][][2]float64{
		{{0.1, 0.6}, {0.2, 0.3}, {0.3, 0.7}, {0.4, 0.3}, {0.5, 0.6}},
		{{0.55, 0.5}, {0.7, 0.45}, {0.9, 0.5}},
	}
	for _, stroke := range strokes {
		at := func(p [2]float64) (float64, float64) { return box.X + p[0]*box.W, box.Y + p[1]*box.H }
		x, y := at(stroke[0])
		actions := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1))}
		for _, point := range stroke[1:] {
			x, y = at(point)
			actions = append(actions, chromedp.MouseEvent(chromedp.MouseMoved, x, y, chromedp.ButtonLeft,
				func(p *input.DispatchMouseEventParams) { p.Buttons = 1 }))
		}
		actions = append(actions, chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
		browser.Run(actions...)
	}
}

// The inspection changes under the supervisor: while the page is open,
// another reviewer returns it and the guard fixes the temperature and
// submits again. Approving what was on the screen answers 412; the console
// says so, names the changed item and reloads it. The supervisor then
// returns it with comments on items, which the API holds; the guard's
// resubmission comes back to the queue and is signed off.
func TestConsoleStaleThenReturn(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "console")
	browsertest.Publish(t, server, tenant, consoleTemplate)
	phone, id := browsertest.Submitted(t, server, tenant, "vault-close")

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Supervisor.Email)
	browser.Wait("the review queue", `document.querySelector('#queue-filters')`)
	browser.Show("#/inspections/"+id, "the inspection page", `document.querySelector('#approve-submit')`)

	// Meanwhile: returned by the administrator, fixed and resubmitted by the guard.
	server.Post("/v1/inspections/"+id+"/return", tenant.Admin.Token, map[string]any{"comment": "temperature?"}).Want(t, http.StatusOK)
	ctx := browsertest.Until(t)
	browsertest.SyncUntil(t, server, tenant, phone, id, func(status string, _ bool) bool { return status == "returned" })
	if err := phone.SetAnswer(ctx, id, "/temperature", checklists.Answer{Value: 22}); err != nil {
		t.Fatal(err)
	}
	if err := phone.Submit(ctx, id); err != nil {
		t.Fatal(err)
	}
	browsertest.SyncUntil(t, server, tenant, phone, id, func(status string, pending bool) bool { return status == "submitted" && !pending })

	drawSignature(t, browser, `#console-pad`)
	browser.Tap(`#approve-submit`)
	browser.Wait("the changed-inspection notice", `document.querySelector('#inspection-stale')`)
	var notice string
	browser.Eval(`document.querySelector('#inspection-stale').textContent`, &notice)
	if !strings.Contains(notice, "changed") || !strings.Contains(notice, "Server room temperature") {
		t.Errorf("412 notice %q does not say what changed", notice)
	}
	var shown string
	browser.Eval(`document.querySelector('li[data-path="/temperature"]:not([data-attention]) .console-answer').textContent`, &shown)
	if !strings.Contains(shown, "22") {
		t.Errorf("after reloading, the temperature reads %q, want the resubmitted 22", shown)
	}
	browser.Screenshot("console-inspection-changed")

	browser.Fill(`#return-comment`, "Photograph the thermometer")
	browser.Fill(`#return-item`, "/door_locked")
	browser.Fill(`#return-item-comment`, "Lock the vault door and answer again")
	browser.Tap(`#return-item-add`)
	browser.Fill(`#return-item`, "/alarm_armed")
	browser.Fill(`#return-item-comment`, "Arm the alarm")
	browser.Tap(`#return-item-add`)
	var listed int
	browser.Eval(`document.querySelectorAll('#return-items li').length`, &listed)
	if listed != 2 {
		t.Errorf("%d item comments listed, want 2", listed)
	}
	browser.Eval(`document.querySelector('#inspection-return').scrollIntoView({block: 'center'}), true`, nil)
	browser.Screenshot("console-return")
	browser.Tap(`#return-submit`)
	browser.Wait("the returned page", `document.querySelector('#inspection-summary')?.textContent.includes('Returned')`)
	var detail struct {
		Status  string `json:"status"`
		History []struct {
			Kind    string         `json:"kind"`
			ActorID string         `json:"actor_id"`
			Detail  map[string]any `json:"detail"`
		} `json:"history"`
	}
	server.Get("/v1/inspections/"+id, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &detail)
	last := detail.History[len(detail.History)-1]
	encoded, _ := json.Marshal(last.Detail)
	if detail.Status != "returned" || last.Kind != "returned" || last.ActorID != tenant.Supervisor.User.ID ||
		!strings.Contains(string(encoded), "Photograph the thermometer") || !strings.Contains(string(encoded), "Lock the vault door") ||
		!strings.Contains(string(encoded), "/alarm_armed") {
		t.Fatalf("after returning in the console: status %s, last event %s by %s: %s", detail.Status, last.Kind, last.ActorID, encoded)
	}

	// The guard fixes the door and submits again: it is back in the queue, and this time it is signed off.
	browsertest.SyncUntil(t, server, tenant, phone, id, func(status string, _ bool) bool { return status == "returned" })
	if err := phone.SetAnswer(ctx, id, "/door_locked", checklists.Answer{Value: "yes"}); err != nil {
		t.Fatal(err)
	}
	if err := phone.Submit(ctx, id); err != nil {
		t.Fatal(err)
	}
	browsertest.SyncUntil(t, server, tenant, phone, id, func(status string, pending bool) bool { return status == "submitted" && !pending })
	browser.Tap(`#inspection-back`)
	row := `document.querySelector('a[data-inspection="` + id + `"]')`
	browser.Wait("the resubmission in the queue", row)
	browser.Tap(`a[data-inspection="` + id + `"]`)
	browser.Wait("the resubmitted inspection", `document.querySelector('#approve-submit') &&
		document.querySelector('#inspection-history').textContent.includes('Resubmitted')`)
	var door string
	browser.Eval(`document.querySelector('li[data-path="/door_locked"]:not([data-attention]) .console-answer').textContent`, &door)
	if door != "Yes" {
		t.Errorf("the resubmitted door answer reads %q", door)
	}
	drawSignature(t, browser, `#console-pad`)
	browser.Tap(`#approve-submit`)
	browser.Wait("the signed-off page", `document.querySelector('#inspection-summary')?.textContent.includes('Approved')`)
	var approved struct {
		Status string `json:"status"`
	}
	server.Get("/v1/inspections/"+id, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &approved)
	if approved.Status != "approved" {
		t.Fatalf("after resubmission and sign-off the inspection is %s", approved.Status)
	}
	for _, line := range browser.Console() {
		if strings.HasPrefix(line, "exception:") || strings.Contains(line, "Content Security Policy") {
			t.Errorf("browser: %s", line)
		}
	}
}

// noStrayText fails on values that leaked into the page as words.
func noStrayText(t *testing.T, browser *browsertest.Browser) {
	t.Helper()
	var text string
	browser.Eval(`document.body.innerText`, &text)
	for _, word := range []string{"null", "undefined", "NaN", "[object Object]"} {
		if strings.Contains(text, word) {
			t.Errorf("the page shows %q: %q", word, text)
		}
	}
}

// A busy night: 27 inspections in the queue. The supervisor pages through
// them with the API's cursor (25 and 2), and the site, checklist and date
// filters narrow the queue; only the supervisor's own site is offered.
func TestConsoleQueuePages(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "console")
	for _, document := range []string{
		`{"key": "gate-check", "title": {"zh-CN": "大门检查", "en": "Gate check"}, "sections": [{"key": "gate", "title": {"zh-CN": "大门", "en": "Gate"},
		  "items": [{"key": "gate_closed", "type": "yes_no", "label": {"zh-CN": "大门已关？", "en": "Gate closed?"}, "required": true}]}]}`,
		`{"key": "lobby-check", "title": {"zh-CN": "大堂检查", "en": "Lobby check"}, "sections": [{"key": "lobby", "title": {"zh-CN": "大堂", "en": "Lobby"},
		  "items": [{"key": "lights_on", "type": "yes_no", "label": {"zh-CN": "灯已开？", "en": "Lights on?"}, "required": true}]}]}`,
	} {
		browsertest.Publish(t, server, tenant, document)
	}
	ctx := browsertest.Until(t)
	phone := browsertest.GuardPhone(t, server, tenant.Guard)
	if _, err := phone.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	submit := func(key string, n int) {
		version, err := phone.Template(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		template, err := version.Parse()
		if err != nil {
			t.Fatal(err)
		}
		for range n {
			sample := checklists.SampleAnswers(template, true)
			id, err := phone.StartInspection(ctx, key, tenant.Sites[0].ID, sample.Context)
			if err != nil {
				t.Fatal(err)
			}
			if err := phone.Fill(ctx, id, template, sample.Answers); err != nil {
				t.Fatal(err)
			}
			if err := phone.Submit(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	submit("gate-check", 24)
	submit("lobby-check", 3)
	for {
		if _, _, err := phone.Sync(ctx); err == nil {
			if st, err := phone.Stats(ctx); err == nil && st.Outbox == 0 {
				break
			}
		}
		if ctx.Err() != nil {
			t.Fatal("the phone never emptied its outbox")
		}
	}

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Supervisor.Email)
	rows := `document.querySelectorAll('#queue-table tbody tr').length`
	ids := `[...document.querySelectorAll('#queue-table a[data-inspection]')].map((a) => a.dataset.inspection).join(',')`
	browser.Wait("the first page", rows+` === 25`)
	var firstPage string
	browser.Eval(ids, &firstPage)
	browser.Tap(`#queue-next`)
	browser.Wait("the second page", rows+` === 2 && document.querySelector('.console-page').textContent === 'Page 2'`)
	var secondPage string
	browser.Eval(ids, &secondPage)
	for _, id := range strings.Split(secondPage, ",") {
		if strings.Contains(firstPage, id) {
			t.Errorf("inspection %s is on both pages", id)
		}
	}
	var nextDisabled bool
	browser.Eval(`document.querySelector('#queue-next').disabled`, &nextDisabled)
	if !nextDisabled {
		t.Error("the last page offers a next page")
	}
	browser.Tap(`#queue-previous`)
	browser.Wait("the first page again", rows+` === 25 && document.querySelector('.console-page').textContent === 'Page 1'`)

	filter := func(what string, set map[string]string, condition string) {
		t.Helper()
		for selector, value := range set {
			browser.Fill(selector, value)
		}
		browser.Tap(`#queue-apply`)
		browser.Wait(what, condition)
	}
	var lobby string
	browser.Eval(`[...document.querySelectorAll('#queue-template option')].find((o) => o.textContent === 'Lobby check').value`, &lobby)
	filter("the lobby checks", map[string]string{"#queue-template": lobby},
		rows+` === 3 && [...document.querySelectorAll('#queue-table tbody tr')].every((tr) => tr.textContent.includes('Lobby check'))`)
	var siteOptions string
	browser.Eval(`[...document.querySelectorAll('#queue-site option')].map((o) => o.textContent).join('|')`, &siteOptions)
	if siteOptions != "All sites|console site A" {
		t.Errorf("the supervisor of site A may pick the sites %q", siteOptions)
	}
	filter("the lobby checks at site A", map[string]string{"#queue-site": tenant.Sites[0].ID}, rows+` === 3`)
	today := time.Now().In(shanghai(t)).Format("2006-01-02")
	yesterday := time.Now().In(shanghai(t)).AddDate(0, 0, -1).Format("2006-01-02")
	filter("today's lobby checks", map[string]string{"#queue-from": today, "#queue-to": today}, rows+` === 3`)
	filter("nothing until yesterday", map[string]string{"#queue-from": "", "#queue-to": yesterday}, `document.querySelector('#queue-results .state-empty')`)
	noStrayText(t, browser)
}

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	zone, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return zone
}

// The inspection page of a 200-item inspection with 20 photos on a
// tablet-sized window: every answer and thumbnail arrives and sign-off is
// ready. The time from opening it in the queue to the page being usable
// (budget: a second) and until every thumbnail has arrived is logged;
// BenchmarkConsoleLargeInspection measures it repeatedly.
func TestConsoleLargeInspection(t *testing.T) {
	t.Parallel()
	server, tenant, id := largeInspection(t)
	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Supervisor.Email)
	usable, photos := openLarge(browser, id)
	// The time is a figure for docs/benchmarks.md (budget 1000 ms), not a
	// pass mark: a timed assertion would fail by chance on a loaded machine.
	t.Logf("200 items, 20 photos: usable after %.0f ms (budget 1000 ms), every thumbnail after at most %.0f ms", usable, photos)
}

// largeInspection is a server with a submitted inspection of 200 items (10
// sections of 18 yes/no and 2 photos) with 20 photos, from the reference client.
func largeInspection(t testing.TB) (*apitest.Env, *apitest.Tenant, string) {
	server, tenant := browsertest.Console(t, "console")
	var sections []map[string]any
	for section := range 10 {
		var items []map[string]any
		for item := range 18 {
			items = append(items, map[string]any{"key": fmt.Sprintf("s%d_check%d", section, item), "type": "yes_no", "required": true,
				"label": map[string]string{"zh-CN": fmt.Sprintf("第%d区 检查%d", section+1, item+1), "en": fmt.Sprintf("Zone %d check %d", section+1, item+1)}})
		}
		for item := range 2 {
			items = append(items, map[string]any{"key": fmt.Sprintf("s%d_photo%d", section, item), "type": "photo", "required": true, "min_count": 1, "max_count": 1,
				"label": map[string]string{"zh-CN": fmt.Sprintf("第%d区 照片%d", section+1, item+1), "en": fmt.Sprintf("Zone %d photo %d", section+1, item+1)}})
		}
		sections = append(sections, map[string]any{"key": fmt.Sprintf("zone%d", section),
			"title": map[string]string{"zh-CN": fmt.Sprintf("第%d区", section+1), "en": fmt.Sprintf("Zone %d", section+1)}, "items": items})
	}
	document, err := json.Marshal(map[string]any{"key": "big-walk", "title": map[string]string{"zh-CN": "全面巡查", "en": "Full walk"}, "sections": sections})
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Publish(t, server, tenant, string(document))
	_, id := browsertest.Submitted(t, server, tenant, "big-walk")
	return server, tenant, id
}

// openLarge opens the inspection from the queue and answers the
// milliseconds until the page is usable (every answer shown, sign-off
// ready) and until every thumbnail has loaded.
func openLarge(browser *browsertest.Browser, id string) (usable, photos float64) {
	browser.Run(chromedp.Evaluate[chromedp.Void](`location.hash = '#/'`))
	browser.Wait("the queue", `document.querySelector('a[data-inspection="`+id+`"]')`)
	browser.Eval(`window.__opened = performance.now(); window.__usable = 0;
		new MutationObserver((changes, observer) => {
			if (!window.__usable && document.querySelector('#approve-submit') && document.querySelectorAll('#console-main .console-item').length >= 200) {
				window.__usable = performance.now();
				observer.disconnect();
			}
		}).observe(document.body, {subtree: true, childList: true, attributes: true});
		document.querySelector('a[data-inspection="`+id+`"]').click(), true`, nil)
	browser.Wait("the page usable", `window.__usable > 0`)
	browser.Wait("every thumbnail", `[...document.querySelectorAll('#console-main .console-thumb')].length >= 20 &&
		[...document.querySelectorAll('#console-main .console-thumb')].every((img) => img.complete && img.naturalWidth > 0)`)
	var times struct{ Usable, Photos float64 }
	browser.Eval(`({Usable: window.__usable - window.__opened, Photos: performance.now() - window.__opened})`, &times)
	return times.Usable, times.Photos
}

// BenchmarkConsoleLargeInspection opens the 200-item, 20-photo inspection
// page from the queue at 1024×768, b.N times (thumbnails are fetched again
// each time: the console forgets them on leaving the page), and reports
// the mean milliseconds until usable and until every thumbnail is shown.
// A figure for docs/benchmarks.md (budget: usable within 1 s), not a pass mark.
func BenchmarkConsoleLargeInspection(b *testing.B) {
	server, tenant, id := largeInspection(b)
	browser := browsertest.New(b, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Supervisor.Email)
	var usable, photos float64
	b.ResetTimer()
	for range b.N {
		u, p := openLarge(browser, id)
		usable += u
		photos += p
	}
	b.ReportMetric(usable/float64(b.N), "ms-usable/op")
	b.ReportMetric(photos/float64(b.N), "ms-photos/op")
}
