package apptest

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestSplitBatchesOnTooLarge: the server takes request bodies of at most
// 1 KiB (PATROLSYNC_BODY_LIMIT), so the scans the guard walked offline do
// not fit one push: each 413 halves the batch until every part fits (as
// docs/sync-protocol.md says), and the server ends up with every scan, once.
func TestSplitBatchesOnTooLarge(t *testing.T) {
	t.Parallel()
	databaseURL := testenv.Postgres(t) // one dialect per browser test (harness_test.go)
	s := setUp(t, databaseURL, apitest.WithSetting("PATROLSYNC_BODY_LIMIT", "1024"))
	b := newBrowser(t, 390, 844)
	answers := watchAnswers(b, "/v1/sync/push")
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	b.Offline(true)
	walkRound(t, b, s.roundID)
	b.Offline(false)
	waitSynced(t, b, s)
	if answers.count(http.StatusRequestEntityTooLarge) == 0 || answers.count(http.StatusOK) < 2 {
		t.Fatalf("want a push answered 413 and then smaller ones answered 200, have %v", answers.all())
	}
	wantScansOnce(t, s)
}

// answerLog counts the HTTP statuses the page received for URLs holding a
// substring, from DevTools' network events.
type answerLog struct {
	mu       sync.Mutex
	statuses []int64
}

func watchAnswers(b *browser, substring string) *answerLog {
	log := &answerLog{}
	received := chromedp.Events(b.Context(), network.ResponseReceived)
	go func() {
		for event, err := range received {
			if err != nil {
				return
			}
			if strings.Contains(event.Response.URL, substring) {
				log.mu.Lock()
				log.statuses = append(log.statuses, event.Response.Status)
				log.mu.Unlock()
			}
		}
	}()
	return log
}

func (log *answerLog) count(status int64) int {
	log.mu.Lock()
	defer log.mu.Unlock()
	count := 0
	for _, one := range log.statuses {
		if one == status {
			count++
		}
	}
	return count
}

func (log *answerLog) all() []int64 {
	log.mu.Lock()
	defer log.mu.Unlock()
	return append([]int64(nil), log.statuses...)
}

// wantScansOnce fails unless the server holds the round's scans exactly
// once each, in the order they were walked.
func wantScansOnce(t *testing.T, s *shift) {
	t.Helper()
	var round struct {
		Scans []struct {
			TagCode string `json:"tag_code"`
		}
	}
	s.srv.Get("/v1/rounds/"+s.roundID, s.tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &round)
	if len(round.Scans) != len(tags) {
		t.Fatalf("want the %d scans once each, have %+v", len(tags), round.Scans)
	}
	for index, scan := range round.Scans {
		if scan.TagCode != tags[index] {
			t.Fatalf("scan %d is %q, want %q", index, scan.TagCode, tags[index])
		}
	}
}
