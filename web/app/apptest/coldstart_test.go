package apptest

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/internal/testenv"
)

// coldStartBudget is how long an offline cold start may take, to the
// first screen with the guard's rounds, with the CPU slowed four times.
const coldStartBudget = 1500 * time.Millisecond

// TestOfflineColdStart restarts Chromium with the network off and the CPU
// throttled 4×, opens the app and measures the time from navigation to
// today's rounds on screen (the app's patrolsync-usable mark). The best
// of five starts counts, so that other work on a shared machine does not
// decide the figure.
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
	if best > coldStartBudget {
		t.Fatalf("offline cold start took %s at best, over the %s budget", best, coldStartBudget)
	}
}
