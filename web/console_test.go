package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/browsertest"
)

// A supervisor signs in to the console on a tablet, in either orientation:
// a wrong password is refused in words, the right one opens the review
// queue with who is signed in, and signing out returns to the sign-in page.
func TestConsoleSignIn(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "console")
	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.OpenConsole(server.URL)
	browser.Screenshot("console-sign-in-tablet")

	signIn := func(password string) {
		browser.Fill(`#console-email`, tenant.Supervisor.Email)
		browser.Fill(`#console-password`, password)
		browser.Tap(`#console-submit`)
	}
	signIn("not the password")
	browser.Wait("the refusal", `document.querySelector('#console-message')?.textContent.includes('wrong')`)

	signIn(apitest.Password)
	browser.Wait("the review queue", `document.querySelector('#queue-filters')`)
	var account string
	browser.Eval(`document.querySelector('#console-who').textContent`, &account)
	for _, want := range []string{tenant.Supervisor.User.Name, "Org console", "Supervisor"} {
		if !strings.Contains(account, want) {
			t.Errorf("top bar %q lacks %q", account, want)
		}
	}
	browser.SetViewport(browsertest.TabletPortrait)
	var overflow bool
	browser.Eval(`document.documentElement.scrollWidth > document.documentElement.clientWidth`, &overflow)
	if overflow {
		t.Error("the console scrolls sideways at 768 px")
	}
	browser.Screenshot("console-queue-tablet-portrait")

	browser.Tap(`#console-sign-out`)
	browser.Wait("the sign-in page again", `document.querySelector('#console-email')`)
	for _, line := range browser.Console() {
		if strings.HasPrefix(line, "exception:") || strings.Contains(line, "Content Security Policy") {
			t.Errorf("browser: %s", line)
		}
	}
}

// An administrator, who has every screen, moves around the console by
// touch on a tablet held either way and by mouse on a desktop: the top bar
// holds every screen (the rarer ones in menus) and no screen, nor an open
// menu, makes the page wider than the window.
func TestConsoleTopBarFits(t *testing.T) {
	t.Parallel()
	server, tenant := browsertest.Console(t, "console")
	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.SignInConsole(server.URL, tenant.Admin.Email)
	// A screen is ready when its heading is there and nothing is loading.
	const ready = `document.querySelector('#console-main h1') && !document.querySelector('#console-main .state-loading')`
	screens := []string{"#/", "#/findings", "#/rounds", "#/schedules", "#/incidents", "#/drills", "#/records",
		"#/roster", "#/handovers", "#/daily", "#/templates", "#/admin"}
	for _, viewport := range []browsertest.Viewport{browsertest.TabletLandscape, browsertest.TabletPortrait, browsertest.Desktop} {
		browser.SetViewport(viewport)
		for _, hash := range screens {
			browser.Nav(hash)
			browser.Wait("the screen "+hash, ready)
			browser.FitsWidth(t, hash)
		}
		// Each menu opened stays inside the window, and one menu at a time is open.
		var groups []string
		browser.Eval(`[...document.querySelectorAll('.console-nav details.console-menu')].map((d) => d.dataset.group)`, &groups)
		if len(groups) != 3 {
			t.Errorf("an administrator's top bar has menus %v, want operations, duties and setup", groups)
		}
		for _, group := range groups {
			browser.Tap(`.console-nav details[data-group="` + group + `"] > summary`)
			browser.Wait("the "+group+" menu open", `document.querySelector('.console-nav details[data-group="`+group+`"]').open`)
			browser.FitsWidth(t, "the "+group+" menu")
			var open, outside int
			browser.Eval(`document.querySelectorAll('details.console-menu[open]').length`, &open)
			browser.Eval(`[...document.querySelectorAll('details.console-menu[open] .console-menu-list a')]
				.filter((a) => { const r = a.getBoundingClientRect(); return r.left < 0 || r.right > innerWidth || r.height < 44; }).length`, &outside)
			if open != 1 || outside != 0 {
				t.Errorf("at %s with the %s menu open: %d menus open, %d links outside the window or under 44 px", viewport.Name, group, open, outside)
			}
			if viewport == browsertest.TabletLandscape && group == "operations" {
				browser.Screenshot("console-menu-open")
			}
		}
		// A tap elsewhere (the page's bottom-left corner, clear of every menu) closes it and goes nowhere.
		corner := []float64{8, float64(viewport.Height) - 8}
		if viewport.Mobile {
			browser.Run(chromedp.TapXY(corner[0], corner[1]))
		} else {
			browser.Run(chromedp.MouseClickXY(corner[0], corner[1]))
		}
		browser.Wait("the menus closed", `!document.querySelector('details.console-menu[open]')`)
		var hash string
		browser.Eval(`location.hash`, &hash)
		if hash != "#/admin" {
			t.Errorf("at %s the tap beside the menu went to %s", viewport.Name, hash)
		}
		var rows int
		browser.Eval(`(() => { const links = [...document.querySelectorAll('.console-nav > a, .console-nav > details > summary')];
			return new Set(links.map((e) => Math.round(e.getBoundingClientRect().top))).size; })()`, &rows)
		var navScrolls bool
		browser.Eval(`(() => { const nav = document.querySelector('.console-nav'); return nav.scrollWidth > nav.clientWidth; })()`, &navScrolls)
		if rows != 1 || navScrolls {
			t.Errorf("at %s the top bar's links take %d rows (scrolling inside the bar: %v)", viewport.Name, rows, navScrolls)
		}
		browser.Screenshot("console-top-bar-" + viewport.Name)
	}
	// The same bar in Chinese at 768 px.
	browser.SetViewport(browsertest.TabletPortrait)
	browser.Eval(`localStorage.setItem('patrolsync.lang', 'zh-CN'), true`, nil)
	browser.Reload("the console in Chinese", `document.documentElement.lang === 'zh-CN' && document.querySelector('.console-nav details')`)
	browser.FitsWidth(t, "the Chinese top bar")
	browser.NoErrors(t)
}
