package apptest

import (
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestTapSurvivesBackgroundRedraw: a screen drawn again in the background
// (Today when the network goes or comes back, the sync screen on each retry
// of a failing sync), or a new screen arriving (a navigation still loading),
// while a finger is on a button must not lose the tap.
// Each tap is real input (DevTools' mouse and touch events): the press, the
// event that redraws the screen, the app holding that redraw for the touch,
// the release; the guard is then on the screen tapped, and the redraw held
// back has run.
func TestTapSurvivesBackgroundRedraw(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.Postgres(t))
	b := newBrowser(t, 390, 844)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	dismissNotice(b)
	b.Wait("the notice gone", `!document.querySelector('#dismiss-storage')`)

	// Today, a mouse: the network goes while the button is held.
	tapDuring(b, "#today-drills", false, func() { b.Offline(true) })
	b.Wait("the drills screen, offline", `location.hash === '#/drills' && !!document.querySelector('#drills') && !!document.querySelector('#offline-banner')`)

	// Today, a finger: the network comes back while it is held.
	b.Eval(`location.hash = '#/today', true`, nil)
	b.Wait("today's screen, offline", `!!document.querySelector('#today-duty') && !!document.querySelector('#offline-banner')`)
	tapDuring(b, "#today-duty", true, func() { b.Offline(false) })
	b.Wait("my duty, online", `location.hash === '#/duty' && !!document.querySelector('#duty') && !document.querySelector('#offline-banner')`)

	// The sync screen, redrawn on every retry of a sync the server refuses
	// (503), a mouse and then a finger on the tab bar.
	b.Offline(true)
	b.Eval(`location.hash = '#/today', true`, nil)
	walkRound(t, b, s.roundID)
	b.Gate("/v1/sync/push", func(int) browsertest.Answer { return browsertest.Answer{Status: http.StatusServiceUnavailable} })
	b.Eval(`location.hash = '#/sync', true`, nil)
	b.Offline(false)
	b.Wait("a failing sync", `!!document.querySelector('#sync-state[data-state="waiting"]')`)
	// The redraw under the press is caused here (the network goes), not
	// left to the next retry: after several retries under load the next
	// one can be further off than the wait budget.
	tapDuring(b, "#tab-today", false, func() { b.Offline(true) })
	b.Wait("today's screen, from the sync screen", `location.hash === '#/today' && !!document.querySelector('#today-drills')`)
	b.Offline(false)
	b.Eval(`location.hash = '#/sync', true`, nil)
	b.Wait("a failing sync", `!!document.querySelector('#sync-state[data-state="waiting"]')`)
	tapDuring(b, "#tab-findings", true, func() { b.Offline(true) })
	b.Wait("the findings screen, from the sync screen", `location.hash === '#/findings'`)
	b.Offline(false)

	// A navigation under a press: the guard opened My duty and, while it
	// loads, presses the old screen's language button. The new screen is
	// swapped in only after the release, so the press makes its click: the
	// duty screen comes up in the other language.
	b.Eval(`location.hash = '#/today', true`, nil)
	b.Wait("today's screen", `!!document.querySelector('#today-duty') && !document.documentElement.dataset.redrawWaiting`)
	var before string
	b.Eval(`document.documentElement.lang`, &before)
	tapDuring(b, "#lang-toggle", false, func() { b.Eval(`location.hash = '#/duty', true`, nil) })
	b.Wait("my duty, in the other language", `location.hash === '#/duty' && !!document.querySelector('#duty') &&
		document.documentElement.lang !== `+jsString(before))
	b.NoErrors(t)
}

// tapDuring presses selector (a finger when touch, else the mouse), runs
// during, waits until the app holds a redraw back for the press, and
// releases.
func tapDuring(b *browser, selector string, touch bool, during func()) {
	b.t.Helper()
	// A toast ("Scan recorded") above the tab bar would take the tap.
	b.Wait("the toast gone", `!document.querySelector('.toast') || getComputedStyle(document.querySelector('.toast')).opacity === '0'`)
	x, y := b.aim(selector)
	b.Eval(`window.pressed = new Promise((resolve) => addEventListener('pointerdown', resolve, {once: true, capture: true})), true`, nil)
	point := []*input.TouchPoint{{X: x, Y: y}}
	if touch {
		touchEvent(b, input.DispatchTouchEventParams{Type: input.DispatchTouchEventTypeTouchStart, TouchPoints: point})
	} else {
		b.Run(chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	}
	b.Wait("the press seen by the page", `window.pressed.then(() => true)`)
	during()
	b.Wait("a redraw held back for the press", `document.documentElement.dataset.redrawWaiting === 'true'`)
	if touch {
		touchEvent(b, input.DispatchTouchEventParams{Type: input.DispatchTouchEventTypeTouchEnd, TouchPoints: []*input.TouchPoint{}})
	} else {
		b.Run(chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	}
	b.Wait("the held redraw drawn", `!document.documentElement.dataset.redrawWaiting`)
}

func touchEvent(b *browser, event input.DispatchTouchEventParams) {
	b.t.Helper()
	if _, err := chromedp.Call(b.Context(), input.DispatchTouchEvent, event); err != nil {
		b.t.Fatalf("browser: touch %s: %v", event.Type, err)
	}
}
