package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/browsertest"
)

// both takes a screenshot at 1024×768 and at 768×1024 (name-portrait),
// and fails when the page scrolls sideways upright.
func both(t *testing.T, browser *browsertest.Browser, name string) {
	t.Helper()
	browser.Screenshot(name)
	browser.SetViewport(browsertest.TabletPortrait)
	var overflow bool
	browser.Eval(`document.documentElement.scrollWidth > document.documentElement.clientWidth`, &overflow)
	if overflow {
		t.Errorf("%s scrolls sideways at 768 px", name)
	}
	browser.Screenshot(name + "-portrait")
	browser.SetViewport(browsertest.TabletLandscape)
}

// An administrator edits a checklist as JSON: a mistake is named by the
// engine beside the editor, the fixed document is previewed with the
// guard app's own form, and publishing makes version 2, which the diff
// compares with version 1.
func TestConsoleTemplateEditPreviewPublish(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "console")
	templateID := browsertest.Publish(t, server, tenant, consoleTemplate)

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Admin.Email)
	browser.Show("#/templates", "the checklists", `document.querySelector('#templates-table a[href="#/templates/`+templateID+`"]')`)
	browser.Tap(`#templates-table a[href="#/templates/` + templateID + `"]`)
	browser.Wait("the preview of version 1", `document.querySelector('#template-preview [data-path="/door_locked"]')`)

	edit := func(change string) {
		browser.Run(chromedp.Evaluate[chromedp.Void](`(() => {
			const text = document.querySelector('#template-json');
			const d = JSON.parse(text.value);
			` + change + `;
			text.value = JSON.stringify(d, null, 2);
			text.dispatchEvent(new Event('input'));
		})()`))
	}
	edit(`d.sections[0].items[1].type = 'yes_or_maybe'`)
	browser.Wait("the engine naming the mistake", `document.querySelector('#template-problems li[data-path*="/sections/0/items/1"]')`)
	edit(`d.sections[0].items[1].type = 'yes_no'; d.sections[0].items[1].label.en = 'Alarm armed and tested?';
		d.sections[0].items.push({key: 'keys_counted', type: 'number', label: {'zh-CN': '钥匙数量', en: 'Keys counted'}, unit: 'pcs', min: 2, max: 2, required: true})`)
	browser.Wait("the preview with the edit", `document.querySelector('#template-problems .banner-ok') &&
		document.querySelector('#template-preview [data-path="/keys_counted"]') &&
		document.querySelector('#template-preview').textContent.includes('Alarm armed and tested?')`)
	// The preview is the guard's form: answering a failing number says why.
	browser.Run(chromedp.Evaluate[chromedp.Void](`(() => {
		const input = document.querySelector('#template-preview [data-path="/keys_counted"] input');
		input.value = '3';
		input.dispatchEvent(new Event('change'));
	})()`))
	browser.Wait("the preview evaluating the answer", `document.querySelector('#template-preview [data-path="/keys_counted"].is-failed')`)
	both(t, browser, "console-template-editor")

	browser.Tap(`#template-publish`)
	browser.Wait("version 2 to compare", `[...document.querySelectorAll('#template-diff-to option')].some((o) => o.textContent === 'Version 2')`)
	browser.Run(chromedp.Evaluate[chromedp.Void](`(() => {
		const from = document.querySelector('#template-diff-from'), to = document.querySelector('#template-diff-to');
		from.value = '1'; to.value = '2';
		to.dispatchEvent(new Event('change'));
	})()`))
	browser.Wait("the diff of version 1 and 2", `document.querySelector('#template-diff-summary')`)
	var template struct {
		LatestVersion struct{ Number int } `json:"latest_version"`
	}
	server.Get("/v1/templates/"+templateID, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &template)
	if template.LatestVersion.Number != 2 {
		t.Fatalf("latest version after publishing = %d, want 2", template.LatestVersion.Number)
	}
	var diff string
	browser.Eval(`document.querySelector('#template-diff').textContent`, &diff)
	for _, want := range []string{"+ ", "- ", "keys_counted", "Alarm armed and tested?"} {
		if !strings.Contains(diff, want) {
			t.Errorf("the diff lacks %q", want)
		}
	}
	browser.Run(chromedp.Evaluate[chromedp.Void](`document.querySelector('#template-compare').scrollIntoView()`))
	browser.Screenshot("console-template-diff")
	browser.NoErrors(t)
}

// An auditor sees every screen, the audit log with its chain checked, and
// no control that writes; the server refuses their writes.
func TestConsoleAuditorReadsOnly(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "console")
	templateID := browsertest.Publish(t, server, tenant, consoleTemplate)
	_, id := browsertest.Submitted(t, server, tenant, "vault-close")
	auditor := server.NewAuditor(tenant, "auditor")

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, auditor.Email)
	// Controls that write, on any screen; inputs in tables must be disabled.
	const writes = `[...document.querySelectorAll('#approve-submit, #return-submit, #console-pad, #admin-user-form, #admin-site-form, ' +
		'.device-deactivate, .site-edit, #template-save, #template-publish, #console-main form.console-form-inline'),
		...[...document.querySelectorAll('#console-main table select, #console-main table input')].filter((x) => !x.disabled)].length`
	noWrites := func(screen string) {
		t.Helper()
		var count int
		browser.Eval(writes, &count)
		if count != 0 {
			t.Errorf("%s shows an auditor %d controls that write", screen, count)
		}
	}
	var nav string
	browser.Eval(`document.querySelector('.console-nav').textContent`, &nav)
	for _, want := range []string{"Review queue", "Records", "Checklists", "Administration"} {
		if !strings.Contains(nav, want) {
			t.Errorf("an auditor's navigation %q lacks %q", nav, want)
		}
	}
	browser.Show("#/inspections/"+id, "the inspection, read-only", `document.querySelector('#inspection-attention') && document.querySelector('.console-decide, .banner')`)
	noWrites("the inspection")
	browser.Show("#/records/audit", "the audit chain verified", `document.querySelector('#audit-verdict .banner-ok') && document.querySelector('#audit-table tbody tr')`)
	var verdict string
	browser.Eval(`document.querySelector('#audit-verdict').textContent`, &verdict)
	if !strings.Contains(verdict, "intact") {
		t.Errorf("audit verdict %q", verdict)
	}
	both(t, browser, "console-records-audit")
	// The same in Chinese: names and times as before, the words translated.
	browser.Eval(`localStorage.setItem('patrolsync.lang', 'zh-CN'), true`, nil)
	browser.Reload("the audit log in Chinese", `document.querySelector('#audit-verdict .banner-ok')?.textContent.includes('审计链完整') &&
		document.querySelector('#audit-table tbody tr')`)
	browser.Screenshot("console-records-audit-zh")
	browser.Eval(`localStorage.setItem('patrolsync.lang', 'en'), true`, nil)
	browser.Reload("the console in English again", `document.querySelector('#audit-table tbody tr')`)
	browser.Show("#/records/inspections", "the inspection register", `document.querySelector('#records-table tr[data-inspection="`+id+`"]')`)
	noWrites("the register")
	// The register prints as a PDF from the server (an auditor files it).
	browser.Tap(`#records-pdf`)
	browser.Wait("the printed register downloaded", `document.querySelector('#toast')?.textContent === 'Export downloaded.'`)
	// The month's report: the submitted inspection counted at its site.
	browser.Show("#/records/reports", "the month's report", `document.querySelector('#periodic-title') &&
		document.querySelector('table[data-group="periodic_inspections"] tbody tr:not(.console-total) td:nth-child(2)')?.textContent === '1'`)
	noWrites("the reports")
	var title string
	browser.Eval(`document.querySelector('#periodic-title').textContent`, &title)
	if !strings.HasPrefix(title, "Monthly report ") {
		t.Errorf("report title %q", title)
	}
	browser.Run(chromedp.Evaluate[chromedp.Void](`document.querySelector('#toast')?.classList.remove('show')`))
	both(t, browser, "console-records-reports")
	// Which items failed, under the figures: the failed inspection's items at site A.
	browser.Wait("the failed items", `document.querySelector('#periodic-failed-items tbody tr td')?.textContent === 'console site A'`)
	browser.Eval(`document.querySelector('#periodic-failed-items').scrollIntoView(), true`, nil)
	browser.Screenshot("console-periodic-failed-items")
	browser.Eval(`document.querySelector('#toast')?.replaceChildren(), true`, nil)
	browser.Tap(`#periodic-pdf`)
	browser.Wait("the report's PDF downloaded", `document.querySelector('#toast')?.textContent === 'Export downloaded.'`)
	for _, screen := range []struct{ hash, what, ready string }{
		{"#/admin/users", "the users", `document.querySelector('#admin-users tbody tr')`},
		{"#/admin/devices", "the devices", `document.querySelector('#admin-devices tbody tr')`},
		{"#/admin/sites", "the sites", `document.querySelector('#admin-sites tbody tr')`},
		{"#/admin/checkpoints", "the checkpoints", `document.querySelector('#admin-checkpoint-site')`},
		{"#/templates/" + templateID, "the checklist editor", `document.querySelector('#template-preview [data-path]')`},
	} {
		browser.Show(screen.hash, screen.what, screen.ready)
		noWrites(screen.what)
	}
	var readOnly bool
	browser.Eval(`document.querySelector('#template-json').readOnly`, &readOnly)
	if !readOnly {
		t.Error("an auditor can type into the checklist editor")
	}
	// The server answers 403 to the writes the console does not offer.
	server.Patch("/v1/sites/"+tenant.Sites[0].ID, auditor.Token, map[string]any{"name": "renamed"}).Want(t, http.StatusForbidden).Problem(t)
	approve := server.Do(apitest.Request{Method: http.MethodPost, Path: "/v1/inspections/" + id + "/approve", Token: auditor.Token,
		Body: map[string]any{"signature": map[string]any{"strokes": [][][]float64{{{0, 0}, {4, 4}}}}}})
	approve.Want(t, http.StatusForbidden).Problem(t)
	// The outsider register names who came (seed 1, 外来人员登记簿): each
	// of the visitor, ID, reason and entry cells holds a value. (Submitted
	// last, so the register and report figures above count one inspection.)
	_, outsider := browsertest.SubmittedWith(t, server, tenant, "cu-outsider-register", func(a map[string]checklists.Answer) {
		a["visitor_name"] = checklists.Answer{Value: "张伟"}
		a["visitor_unit"] = checklists.Answer{Value: "Acme Lift Repair 电梯维修公司"}
		a["visitor_id_number"] = checklists.Answer{Value: "110101199003074511"}
		a["visit_reason"] = checklists.Answer{Value: "equipment"}
		delete(a, "visit_reason_other")
		a["entered_at"] = checklists.Answer{Value: "08:35"}
		a["left_at"] = checklists.Answer{Value: "09:50"}
	})
	browser.Show("#/records/outsiders", "the outsider register naming the visitor", `[...document.querySelector('#records-table tr[data-inspection="`+
		outsider+`"][data-visitor="张伟"]')?.cells ?? []].slice(1, 4).filter((c) => !["", "—"].includes(c.firstChild?.textContent ?? "")).length === 3`)
	var visitorRow string
	browser.Eval(`document.querySelector('#records-table tr[data-visitor="张伟"]').textContent`, &visitorRow)
	for _, want := range []string{"110101199003074511", "Equipment repair", "08:35", "09:50"} {
		if !strings.Contains(visitorRow, want) {
			t.Errorf("the visitor's line %q lacks %q", visitorRow, want)
		}
	}
	both(t, browser, "console-records-outsiders")
	noWrites("the outsider register")
	browser.NoErrors(t)
}

// An administrator deactivates a guard's lost phone from the console: the
// phone's token stops working at once. The administration screens are
// photographed with their controls.
func TestConsoleDeactivateDevice(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "console")
	server.Get("/v1/me", tenant.Guard.Token).Want(t, http.StatusOK)
	server.Patch("/v1/sites/"+tenant.Sites[0].ID, tenant.Admin.Token, map[string]any{
		"location": map[string]any{"lat": 31.2304, "lng": 121.4737, "radius_m": 150}}).Want(t, http.StatusOK)
	server.Post("/v1/routes", tenant.Admin.Token, map[string]any{"site_id": tenant.Sites[0].ID, "name": "Night walk 夜间巡更",
		"checkpoints": []map[string]any{{"name": "Vault door 金库门", "tag_code": "CP-VAULT-01"}, {"name": "Back gate 后门", "tag_code": "CP-GATE-02"}}}).
		Want(t, http.StatusCreated)

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Admin.Email)
	browser.Show("#/admin/users", "the users", `document.querySelector('#admin-users tr[data-user="`+tenant.Guard.User.ID+`"]')`)
	both(t, browser, "console-admin-users")
	// A regulator's account made from the form: an auditor, by name in the list.
	browser.Fill(`#admin-user-name`, "审计员 Wang Fang")
	browser.Fill(`#admin-user-email`, "wang.fang@regulator.test")
	browser.Fill(`#admin-user-password`, "long-enough-password")
	browser.Fill(`#admin-user-role`, "auditor")
	browser.Tap(`#admin-user-create`)
	browser.Wait("the new auditor listed", `document.querySelector('#admin-users')?.textContent.includes('审计员 Wang Fang')`)
	var users struct {
		Items []struct{ Name, Email, Role string }
	}
	server.Get("/v1/users", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &users)
	made := false
	for _, u := range users.Items {
		made = made || (u.Email == "wang.fang@regulator.test" && u.Role == "auditor" && u.Name == "审计员 Wang Fang")
	}
	if !made {
		t.Errorf("the server's users after the form: %+v", users.Items)
	}
	browser.Show("#/admin/sites", "the sites with a place", `document.querySelector('#admin-sites')?.textContent.includes('31.2304')`)
	both(t, browser, "console-admin-sites")
	// A new branch from the form, in its own zone.
	browser.Fill(`#admin-site-form .site-code`, "C")
	browser.Fill(`#admin-site-form .site-name`, "浦东支行 Pudong branch")
	browser.Fill(`#admin-site-form .site-timezone`, "Asia/Shanghai")
	browser.Tap(`#admin-site-form button[type="submit"]`)
	browser.Wait("the new site listed", `document.querySelector('#admin-sites')?.textContent.includes('浦东支行 Pudong branch')`)
	browser.Show("#/admin/checkpoints", "the checkpoints", `document.querySelector('#console-main')?.textContent.includes('CP-VAULT-01')`)
	both(t, browser, "console-admin-checkpoints")
	// A checkpoint added to the route from its form.
	browser.Fill(`.console-route form.console-form-inline label:nth-of-type(1) input`, "Safe room 保险室")
	browser.Fill(`.console-route form.console-form-inline label:nth-of-type(2) input`, "CP-SAFE-03")
	browser.Tap(`.console-route form.console-form-inline button[type="submit"]`)
	browser.Wait("the new checkpoint listed", `document.querySelector('#console-main')?.textContent.includes('CP-SAFE-03')`)
	var routes struct {
		Items []struct {
			Checkpoints []struct{ Name, TagCode string } `json:"checkpoints"`
		}
	}
	server.Get("/v1/routes?site_id="+tenant.Sites[0].ID, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &routes)
	if len(routes.Items) != 1 || len(routes.Items[0].Checkpoints) != 3 || routes.Items[0].Checkpoints[2].Name != "Safe room 保险室" {
		t.Errorf("the route after the form: %+v", routes.Items)
	}
	browser.Tap(`#admin-print-labels`)
	browser.Wait("the label sheet downloaded", `document.querySelector('#toast')?.textContent === 'Label sheet downloaded.'`)

	browser.Show("#/admin/devices/"+tenant.Guard.User.ID, "the guard's phone", `document.querySelector('#admin-devices .device-deactivate')`)
	var heading string
	browser.Eval(`document.querySelector('#admin-body h2').textContent`, &heading)
	if !strings.Contains(heading, tenant.Guard.User.Name) {
		t.Errorf("devices heading %q does not name the guard", heading)
	}
	both(t, browser, "console-admin-devices")
	browser.Tap(`#admin-devices .device-deactivate`)
	browser.Wait("the confirmation", `document.querySelector('#confirm-ok')`)
	browser.Tap(`#confirm-ok`)
	browser.Wait("the phone deactivated", `!document.querySelector('#admin-devices .device-deactivate') &&
		document.querySelector('#admin-devices')?.textContent.includes('Deactivated')`)
	server.Get("/v1/me", tenant.Guard.Token).Want(t, http.StatusUnauthorized)
	server.Post("/v1/auth/refresh", "", map[string]string{"refresh_token": tenant.Guard.Refresh, "device_id": tenant.Guard.DeviceID}).
		Want(t, http.StatusUnauthorized)
	browser.NoErrors(t)
}

// A tampered audit log is shown as such: an entry edited in the database
// behind the server's back makes the console's chain check say the chain is
// broken and name the entry, as an auditor needs to see it.
func TestConsoleShowsABrokenAuditChain(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "tamper")
	server.Patch("/v1/org", tenant.Admin.Token, map[string]any{"retention_days": 400}).Want(t, http.StatusOK)
	// The console's tests run on PostgreSQL.
	result, err := server.App.DB.SQL().ExecContext(browsertest.Until(t),
		`UPDATE audit_log SET details = '{"tampered":true}' WHERE org_id = $1 AND seq = 2`, tenant.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if changed, _ := result.RowsAffected(); changed != 1 {
		t.Fatalf("the tampering changed %d rows, want 1", changed)
	}

	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Admin.Email)
	browser.Show("#/records/audit", "the audit chain found broken", `document.querySelector('#audit-verdict .banner-error') &&
		document.querySelector('#audit-table tbody tr')`)
	var verdict string
	browser.Eval(`document.querySelector('#audit-verdict').textContent`, &verdict)
	if !strings.Contains(verdict, "broken") || !strings.Contains(verdict, "#2") || !strings.Contains(verdict, "altered") {
		t.Fatalf("the verdict on a tampered chain reads %q, want it broken at #2 (altered)", verdict)
	}
	browser.Screenshot("console-records-audit-broken")
	browser.NoErrors(t)
}
