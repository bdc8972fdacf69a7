package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A supervisor signs in to the console on a tablet, in either orientation:
// a wrong password is refused in words, the right one opens the review
// queue with who is signed in, and signing out returns to the sign-in page.
func TestConsoleSignIn(t *testing.T) {
	server := browsertest.Server(t, testenv.Postgres(t))
	tenant := server.NewTenant("console")
	browser := browsertest.New(t, browsertest.TabletLandscape)
	browser.Run(
		chromedp.Navigate(server.URL+"/console/"),
		chromedp.WaitVisible(chromedp.CSS(`#console-email`)),
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem('patrolsync.lang', 'en')`),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#console-email`)),
	)
	browser.Screenshot("console-sign-in-tablet")

	signIn := func(password string) {
		browser.Run(
			chromedp.SetValue(chromedp.CSS(`#console-email`), tenant.Supervisor.Email),
			chromedp.SetValue(chromedp.CSS(`#console-password`), password),
			chromedp.Click(chromedp.CSS(`#console-submit`)),
		)
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

	browser.Run(chromedp.Click(chromedp.CSS(`#console-sign-out`)))
	browser.Wait("the sign-in page again", `document.querySelector('#console-email')`)
	for _, line := range browser.Console() {
		if strings.HasPrefix(line, "exception:") || strings.Contains(line, "Content Security Policy") {
			t.Errorf("browser: %s", line)
		}
	}
}
