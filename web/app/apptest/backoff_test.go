package apptest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestSyncBacksOffWithJitter: the guard walks a round offline; back online,
// the server answers the push 503 five times, the last with Retry-After: 1
// (docs/sync-protocol.md: "A 503 carries Retry-After"). The app keeps the
// scans, shows the guard that it waits and when it tries next, and retries
// after waits drawn with full jitter under a ceiling that doubles each time
// (the app's own log of each retry), the last after exactly the server's
// Retry-After; each try starts no sooner than its wait (the page's resource
// timing). When the server recovers the scans are sent in one push, once.
func TestSyncBacksOffWithJitter(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.SQLite(t))
	b := newBrowser(t, 390, 844)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	b.Eval(`performance.setResourceTimingBufferSize(100000), performance.clearResourceTimings(), true`, nil)
	b.Offline(true)
	walkRound(t, b, s.roundID)
	const refusals = 5
	passed := b.Gate("/v1/sync/push", func(n int) browsertest.Answer {
		switch {
		case n < refusals-1:
			return browsertest.Answer{Status: http.StatusServiceUnavailable}
		case n == refusals-1:
			return browsertest.Answer{Status: http.StatusServiceUnavailable, Headers: map[string]string{"Retry-After": "1"}}
		}
		return browsertest.Answer{}
	})
	b.Eval(`location.hash = '#/sync', true`, nil)
	b.Offline(false)
	b.Wait("the guard told the sync waits and when it tries next", `(() => {
		const hero = document.querySelector('#sync-state[data-state="waiting"] #sync-problem[data-problem="busy"]');
		return hero && hero.textContent.includes('The server is busy') && hero.textContent.includes('tries again at');
	})()`)
	shots(b, "sync-retrying-en")
	waitSynced(t, b, s)

	type retry struct{ attempt, wait, ceiling, retryAfter int }
	var retries []retry
	for _, line := range b.Console() {
		rest, ok := strings.CutPrefix(line, "console.info: sync retry ")
		if !ok {
			continue
		}
		var one retry
		if _, err := fmt.Sscanf(rest, "%d %d %d %d", &one.attempt, &one.wait, &one.ceiling, &one.retryAfter); err != nil {
			t.Fatalf("the app's retry log %q: %v", line, err)
		}
		retries = append(retries, one)
	}
	if len(retries) != refusals {
		t.Fatalf("want %d retries logged by the app, have %+v", refusals, retries)
	}
	for index, one := range retries {
		if one.attempt != index+1 {
			t.Fatalf("retry %d counts itself try %d: %+v", index+1, one.attempt, retries)
		}
		if index == refusals-1 {
			if one.retryAfter != 1000 || one.wait != 1000 {
				t.Fatalf("the last 503 said Retry-After: 1, the app waited %d ms (%+v)", one.wait, one)
			}
			continue
		}
		if one.retryAfter != -1 || one.wait < 0 || one.wait > one.ceiling {
			t.Fatalf("retry %d waited %d ms, outside the full jitter [0, %d]: %+v", one.attempt, one.wait, one.ceiling, retries)
		}
		if index > 0 && one.ceiling != 2*retries[index-1].ceiling {
			t.Fatalf("the backoff ceiling did not double from try %d to %d: %+v", index, index+1, retries)
		}
	}

	var starts []float64
	b.Eval(`performance.getEntriesByType('resource').filter((entry) => entry.name.includes('/v1/sync/push')).map((entry) => entry.startTime)`, &starts)
	if len(starts) != refusals+1 {
		t.Fatalf("want %d pushes in the page's resource timing (%d refused, one sent), have %v", refusals+1, refusals, starts)
	}
	for index, one := range retries {
		if gap := starts[index+1] - starts[index]; gap < float64(one.wait) {
			t.Fatalf("try %d started %.0f ms after the one before, sooner than its wait of %d ms", one.attempt+1, gap, one.wait)
		}
	}
	if sent := passed(); sent != 1 {
		t.Fatalf("the server saw %d pushes after it recovered, want the one", sent)
	}
	wantScansOnce(t, s)
	b.NoErrors(t)
}
