package browsertest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/client"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// Console is the world of a console test: the server on a fresh
// PostgreSQL database with one organisation (two sites, an admin, a
// supervisor and a guard), shared by every web/console_*_test.go. Each
// test has its own server, database and Chromium, so the console tests run
// in parallel (t.Parallel), as the guard app's do.
func Console(t testing.TB, slug string, options ...apitest.Option) (*apitest.Env, *apitest.Tenant) {
	t.Helper()
	server := Server(t, testenv.Postgres(t), options...)
	return server, server.NewTenant(slug)
}

// Publish creates a checklist from its JSON document as the tenant's
// administrator and publishes version 1; it returns the checklist's id.
func Publish(t testing.TB, server *apitest.Env, tenant *apitest.Tenant, document string) string {
	t.Helper()
	var created struct{ ID string }
	server.Post("/v1/templates", tenant.Admin.Token, map[string]any{"document": json.RawMessage(document)}).
		Want(t, http.StatusCreated).JSON(t, &created)
	server.Post("/v1/templates/"+created.ID+"/publish", tenant.Admin.Token, nil).Want(t, http.StatusOK)
	return created.ID
}

// Until is a context for the reference client's calls in a test: it ends
// with the test's deadline (less the reserve for reporting), not at a
// guessed bound, so a loaded machine is waited for.
func Until(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if test, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if deadline, ok := test.Deadline(); ok {
			cancel()
			ctx, cancel = context.WithDeadline(context.Background(), deadline.Add(-deadlineReserve))
		}
	}
	t.Cleanup(cancel)
	return ctx
}

// GuardPhone is the reference client (the guard app's protocol) signed in as
// account with its own state directory, closed when the test ends.
func GuardPhone(t testing.TB, server *apitest.Env, account apitest.Account) *client.Client {
	t.Helper()
	ctx := Until(t)
	phone, err := client.Open(ctx, client.Options{Server: server.URL, StateDir: t.TempDir(), RequestTimeout: 10 * time.Second, MaxAttempts: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { phone.Close() })
	if _, err := phone.Login(ctx, account.Email, apitest.Password); err != nil {
		t.Fatal(err)
	}
	return phone
}

// Submitted fills and submits an inspection of the checklist key at the
// tenant's first site on the guard's reference client, with failing sample
// answers, and syncs until the server holds it submitted with every photo
// stored. It returns the phone and the inspection's id.
func Submitted(t testing.TB, server *apitest.Env, tenant *apitest.Tenant, key string) (*client.Client, string) {
	t.Helper()
	return SubmittedWith(t, server, tenant, key, nil)
}

// SubmittedWith is Submitted with some sample answers changed by edit
// first (a register's screen shows real names rather than samples).
func SubmittedWith(t testing.TB, server *apitest.Env, tenant *apitest.Tenant, key string, edit func(map[string]checklists.Answer)) (*client.Client, string) {
	t.Helper()
	ctx := Until(t)
	phone := GuardPhone(t, server, tenant.Guard)
	if _, err := phone.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	version, err := phone.Template(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	template, err := version.Parse()
	if err != nil {
		t.Fatal(err)
	}
	sample := checklists.SampleAnswers(template, false)
	if edit != nil {
		edit(sample.Answers)
	}
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
	SyncUntil(t, server, tenant, phone, id, func(status string, pending bool) bool { return status == "submitted" && !pending })
	return phone, id
}

// SyncUntil syncs the phone until the server's inspection is in the wanted
// state: each round is a sync (the phone's event) and a read of the
// server, until the test's deadline.
func SyncUntil(t testing.TB, server *apitest.Env, tenant *apitest.Tenant, phone *client.Client, id string,
	done func(status string, mediaPending bool) bool) {
	t.Helper()
	ctx := Until(t)
	for {
		_, _, syncErr := phone.Sync(ctx)
		var state struct {
			Status       string `json:"status"`
			MediaPending bool   `json:"media_pending"`
		}
		if response := server.Get("/v1/inspections/"+id, tenant.Admin.Token); response.Status == http.StatusOK {
			response.JSON(t, &state)
			if done(state.Status, state.MediaPending) {
				return
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("the inspection never reached the wanted state (last sync error %v, state %+v)", syncErr, state)
		}
	}
}

// js is s as a JavaScript string literal.
func js(s string) string {
	quoted, _ := json.Marshal(s)
	return string(quoted)
}

// Go loads url in the tab and waits (Browser.Wait) until condition holds
// on the new document.
func (b *Browser) Go(url, what, condition string) {
	b.t.Helper()
	b.Eval(`window.__browsertestLeaving = true; location.assign(`+js(url)+`), true`, nil)
	b.Wait(what, `!window.__browsertestLeaving && (`+condition+`)`)
}

// visible is the condition that selector's element is shown with a size.
func visible(selector string) string {
	return `(() => { const e = document.querySelector(` + js(selector) + `); if (!e) return false;
		const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; })()`
}

// Tap waits until selector's element is shown and touches its middle on
// a touch viewport (a tablet, a phone), or clicks it with the mouse on a
// desktop: the page's own pointer, touch and click events.
//
// It aims as a person does, at where the element is on screen now: the
// element is scrolled to the middle, must hold still for a frame and be
// the one hit at its middle (not covered by a bar or a toast), and is
// aimed at again when it moved or was drawn anew. chromedp's node-based
// Tap and Click hold on to a DOM node, and a screen that redraws the node
// (a step's form after a checkbox) left them waiting to their timeout.
func (b *Browser) Tap(selector string) {
	b.t.Helper()
	for range 20 {
		b.Wait(selector+" to tap", visible(selector))
		x, y, ok := b.Aim(selector)
		if !ok {
			continue
		}
		tap := chromedp.MouseClickXY(x, y)
		if b.viewport.Mobile {
			tap = chromedp.TapXY(x, y)
		}
		if b.Press(selector, tap) {
			return
		}
	}
	b.t.Fatalf("tap %s: the element moved or was covered each time it was about to be tapped", selector)
}

// Press runs tap, a touch or click at the point Aim answered for
// selector, and says whether the press landed on selector's element. The
// screen can still move between the aim and the press, which are two
// DevTools round trips apart (a loaded machine makes the gap long): a
// press that came down on something else is reported, so that the caller
// aims again, rather than left to a wait for what the tap should have
// done, which waits to the test's deadline. A press the page never saw
// (a navigation under it) counts as landed, as before this check.
func (b *Browser) Press(selector string, tap chromedp.Action[chromedp.Void]) (landed bool) {
	b.t.Helper()
	b.Eval(`(() => {
		const selector = `+js(selector)+`;
		const where = (target) => !(target instanceof Element) ? String(target) : target.closest(selector) ? 'on' :
			target.tagName.toLowerCase() + (target.id ? '#' + target.id : '') +
			(typeof target.className === 'string' && target.className ? '.' + target.className.trim().split(/\s+/).join('.') : '');
		window.__browsertestPress = '';
		window.__browsertestClick = '';
		addEventListener('pointerdown', (event) => { window.__browsertestPress = where(event.target); }, { capture: true, once: true });
		addEventListener('click', (event) => { window.__browsertestClick = where(event.target); }, { capture: true, once: true });
		return true;
	})()`, nil)
	b.Run(tap)
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	var seen struct{ Press, Click string }
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](`({Press: window.__browsertestPress || '', Click: window.__browsertestClick || ''})`))
	if err != nil || json.Unmarshal(raw, &seen) != nil || seen.Press == "" || seen.Press == "on" {
		// The press came down on the element. A click elsewhere means the
		// screen moved under the finger: said for the failure it may cause.
		switch {
		case err == nil && seen.Press == "":
			// The listeners above are gone or never heard the press: the
			// page was replaced (a reload, a navigation) around the tap.
			b.t.Logf("tap %s: the page heard no press at all (was it reloaded?)", selector)
		case err == nil && seen.Press == "on" && seen.Click == "":
			// The pressed element left the page before the release, so
			// the browser made no click: a redraw under the finger.
			b.t.Logf("tap %s: pressed on it, but no click came: the pressed element may have left the page before the release", selector)
		case err == nil && seen.Press == "on" && seen.Click != "on":
			b.t.Logf("tap %s: pressed on it, but the click went to %s (the screen moved under the finger)", selector, seen.Click)
		}
		return true
	}
	b.t.Logf("tap %s: the press landed on %s (the screen moved after the aim); aiming again", selector, seen.Press)
	return false
}

// Aim scrolls selector's element to the middle of the screen and answers
// its middle, ok only when it held still for a frame and is the element a
// touch there hits (not covered by a bar, a toast or a dialog settling).
func (b *Browser) Aim(selector string) (x, y float64, ok bool) {
	b.t.Helper()
	var at struct {
		Found bool
		X, Y  float64
	}
	b.Eval(`(async () => {
		const e = document.querySelector(`+js(selector)+`);
		if (!e) return {Found: false};
		e.scrollIntoView({block: 'center'});
		const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
		await frame();
		const r = e.getBoundingClientRect();
		await frame();
		const again = e.getBoundingClientRect();
		const X = r.left + r.width / 2, Y = r.top + r.height / 2;
		const hit = document.elementFromPoint(X, Y);
		const still = r.left === again.left && r.top === again.top && r.width === again.width && r.height === again.height;
		return {Found: e.isConnected && still && r.width > 0 && r.height > 0 && !!hit && (hit === e || e.contains(hit)), X, Y};
	})()`, &at)
	return at.X, at.Y, at.Found
}

// Fill waits until selector's field is there and sets its value (a
// select's option value, an input's text).
func (b *Browser) Fill(selector, value string) {
	b.t.Helper()
	b.Wait(selector+" to fill", `document.querySelector(`+js(selector)+`)`)
	b.Run(chromedp.SetValue(chromedp.CSS(selector), value))
}

// OpenConsole opens the console's sign-in page at url in English.
func (b *Browser) OpenConsole(url string) {
	b.t.Helper()
	b.Go(url+"/console/", "the console's sign-in page", `document.querySelector('#console-email')`)
	b.Eval(`localStorage.setItem('patrolsync.lang', 'en'), true`, nil)
	b.Reload("the sign-in page in English", `document.documentElement.lang === 'en' && document.querySelector('#console-email')`)
}

// SignInConsole opens the console at url in English and signs in as
// email with the test password.
func (b *Browser) SignInConsole(url, email string) {
	b.t.Helper()
	b.OpenConsole(url)
	b.Fill(`#console-email`, email)
	b.Fill(`#console-password`, apitest.Password)
	b.Tap(`#console-submit`)
	b.Wait("the console after signing in", `document.querySelector('#console-who')`)
}

// Nav goes to a screen through the console's top bar as a person does:
// its link, opening the menu that holds it first.
func (b *Browser) Nav(hash string) {
	b.t.Helper()
	link := `.console-nav a[href="` + hash + `"]`
	b.Wait("the link to "+hash+" in the top bar", `document.querySelector(`+js(link)+`)`)
	var inMenu bool
	b.Eval(`!!document.querySelector(`+js(link)+`).closest('details.console-menu:not([open])')`, &inMenu)
	if inMenu {
		b.Tap(`.console-nav details.console-menu:has(a[href="` + hash + `"]) > summary`)
	}
	b.Tap(link)
	// The screen is drawn when the bar drawn with it lights the link.
	b.Wait("the screen "+hash, `location.hash === `+js(hash)+` && document.querySelector(`+js(link+`[aria-current="page"]`)+`)`)
}

// Show goes to a console screen by its hash and waits until condition
// (what, in words, for the failure) holds.
func (b *Browser) Show(hash, what, condition string) {
	b.t.Helper()
	b.Eval(`location.hash = `+js(hash)+`, true`, nil)
	b.Wait(what, condition)
}

// FitsWidth fails t when the page is wider than the window (it would
// scroll sideways) at the current viewport.
func (b *Browser) FitsWidth(t testing.TB, what string) {
	t.Helper()
	var size struct{ Scroll, Inner int }
	b.Eval(`({Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth})`, &size)
	if size.Scroll > size.Inner {
		t.Errorf("%s at %s: the page is %d px wide in a %d px window (it scrolls sideways)", what, b.viewport.Name, size.Scroll, size.Inner)
	}
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
