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

// TestResyncAndSplitBatches: the two answers of docs/sync-protocol.md that
// the phone must act on by itself. The server takes request bodies of at
// most 1 KiB (PATROLSYNC_BODY_LIMIT), so the scans the guard walked offline
// do not fit one push: each 413 halves the batch until every part fits.
// Meanwhile an admin gave the guard a second site, so the pull cursor the
// phone holds was minted for a scope the guard no longer has: the server
// answers 410, the phone drops its replica (never its outbox) and pulls
// from the start, and then holds the new site. The server ends up with
// every scan, once.
func TestResyncAndSplitBatches(t *testing.T) {
	testenv.Each(t, func(t *testing.T, databaseURL string) {
		s := setUp(t, databaseURL, apitest.WithSetting("PATROLSYNC_BODY_LIMIT", "1024"))
		b := newBrowser(t, 390, 844)
		answers := watchAnswers(b, "/v1/sync/")
		login(t, b, s.srv.URL, s.tenant.Guard.Email)
		b.Offline(true)
		walkRound(t, b, s.roundID)

		second := s.tenant.Sites[1].ID
		s.srv.Patch("/v1/users/"+s.tenant.Guard.User.ID, s.tenant.Admin.Token,
			map[string]any{"site_ids": []string{s.tenant.Sites[0].ID, second}}).Want(t, http.StatusOK)
		b.Offline(false)
		waitSynced(t, b, s)

		if answers.count(http.StatusRequestEntityTooLarge) == 0 {
			t.Fatalf("no push was answered 413: the batch of %d scans fit in 1 KiB (answers %v)", len(tags), answers.all())
		}
		if answers.count(http.StatusGone) == 0 {
			t.Fatalf("no pull was answered 410 after the guard's sites changed (answers %v)", answers.all())
		}
		b.Wait("the new site in the replica after the resync", `new Promise((resolve) => {
			const open = indexedDB.open('patrolsync');
			open.onsuccess = () => {
				const get = open.result.transaction('replica').objectStore('replica').get(['site', `+jsString(second)+`]);
				get.onsuccess = () => { open.result.close(); resolve(!!get.result); };
				get.onerror = () => { open.result.close(); resolve(false); };
			};
			open.onerror = () => resolve(false);
		})`)

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
	})
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
