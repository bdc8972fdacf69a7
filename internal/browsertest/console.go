package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// Console is the world of a console test: the server on a fresh
// PostgreSQL database with one organisation (two sites, an admin, a
// supervisor and a guard), shared by every web/console_*_test.go.
func Console(t testing.TB, slug string, options ...apitest.Option) (*apitest.Env, *apitest.Tenant) {
	t.Helper()
	server := Server(t, testenv.Postgres(t), options...)
	return server, server.NewTenant(slug)
}

// SignInConsole opens the console at url in English and signs in as
// email with the test password.
func (b *Browser) SignInConsole(url, email string) {
	b.Run(
		chromedp.Navigate(url+"/console/"),
		chromedp.WaitVisible(chromedp.CSS(`#console-email`)),
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem('patrolsync.lang', 'en')`),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#console-email`)),
		chromedp.SetValue(chromedp.CSS(`#console-email`), email),
		chromedp.SetValue(chromedp.CSS(`#console-password`), apitest.Password),
		chromedp.Click(chromedp.CSS(`#console-submit`)),
	)
	b.Wait("the console after signing in", `document.querySelector('#console-who')`)
}

// Show goes to a console screen by its hash and waits until condition
// (what, in words, for the failure) holds.
func (b *Browser) Show(hash, what, condition string) {
	b.Run(chromedp.Evaluate[chromedp.Void](`location.hash = '` + hash + `'`))
	b.Wait(what, condition)
}

// NoErrors fails t on uncaught exceptions and content the page's
// Content-Security-Policy refused.
func (b *Browser) NoErrors(t *testing.T) {
	t.Helper()
	for _, line := range b.Console() {
		if strings.HasPrefix(line, "exception:") || strings.Contains(line, "Content Security Policy") {
			t.Errorf("browser: %s", line)
		}
	}
}
