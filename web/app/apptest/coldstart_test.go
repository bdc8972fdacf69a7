package apptest

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/internal/testenv"
)

// coldStartBudget is how long an offline cold start should take, to the
// first screen with the guard's rounds, with the CPU slowed four times.
// It is a figure for docs/benchmarks.md, not a pass mark: a timed
// assertion would fail by chance on a loaded machine.
const coldStartBudget = 1500 * time.Millisecond

// TestOfflineColdStart restarts Chromium with the network off and the CPU
// throttled 4×, opens the app and measures the time from navigation to
// today's rounds on screen (the app's patrolsync-usable mark). It fails
// when the app does not start offline; the time is logged as a figure
// (best of five, so other work on the machine does not decide it).
func TestOfflineColdStart(t *testing.T) {
	s := setUp(t, testenv.SQLite(t))
	b := newBrowser(t, t.TempDir(), 390, 844)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	b.offline(true)
	best := time.Duration(0)
	for run := range 5 {
		b.restart()
		if _, err := chromedp.Call(b.ctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 4}); err != nil {
			t.Fatal(err)
		}
		b.do(chromedp.Navigate(s.srv.URL + "/app/#/today"))
		b.waitFor("today's rounds", `document.querySelector('[data-round]')`, 30*time.Second)
		var usable float64
		b.eval(`performance.getEntriesByName('patrolsync-usable')[0].startTime`, &usable)
		took := time.Duration(usable * float64(time.Millisecond)).Round(time.Millisecond)
		t.Logf("offline cold start %d to today's rounds with 4× CPU throttling: %s", run+1, took)
		if run == 0 || took < best {
			best = took
		}
	}
	t.Logf("offline cold start, best of 5 with 4× CPU throttling: %s (budget %s)", best, coldStartBudget)
}
