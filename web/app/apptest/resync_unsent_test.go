package apptest

import (
	"net/http"
	"slices"
	"testing"

	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestResyncKeepsUnsentOutbox: the app pushes before it pulls, so an
// outbox entry is unsent when a 410 comes only if the guard acted while
// the pull was on its way. Here an admin gives the guard a second site
// (the phone's pull cursor no longer fits the guard's scope), the guard
// syncs with nothing to send, and the pull is held back (a slow link)
// while the guard scans a checkpoint. The pull then gets 410 Gone: the app
// drops its replica and pulls from the start, keeping the outbox, and
// afterwards sends the scan, once.
func TestResyncKeepsUnsentOutbox(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.SQLite(t))
	b := newBrowser(t, 390, 844)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	exchanges := watchSync(b)
	s.srv.Patch("/v1/users/"+s.tenant.Guard.User.ID, s.tenant.Admin.Token,
		map[string]any{"site_ids": []string{s.tenant.Sites[0].ID, s.tenant.Sites[1].ID}}).Want(t, http.StatusOK)

	held, release := make(chan struct{}), make(chan struct{})
	b.Gate("/v1/sync/pull", func(n int) browsertest.Answer {
		if n == 0 {
			close(held)
			return browsertest.Answer{After: release}
		}
		return browsertest.Answer{}
	})
	b.Eval(`location.hash = '#/sync', true`, nil)
	b.click("#sync-now")
	select {
	case <-held:
	case <-browsertest.Until(t).Done():
		t.Fatal("the sync never pulled")
	}

	b.Eval(`location.hash = '#/round/`+s.roundID+`', true`, nil)
	openScan(b)
	b.typeInto("#scan-code", tags[0])
	b.submitScan()
	b.Wait("the scan", `document.querySelectorAll('#checkpoints .checkpoint.done').length === 1`)
	var unsent int
	b.Eval(outboxCount, &unsent)
	if unsent != 1 {
		t.Fatalf("want the scan unsent in the outbox while the pull is on its way, have %d entries", unsent)
	}
	close(release)

	waitSynced(t, b, s)
	log := exchanges.all()
	gone, pushed := slices.Index(log, "pull 410"), slices.Index(log, "push 200")
	if gone == -1 || pushed < gone {
		t.Fatalf("want the pull answered 410 and the scan pushed after it, have %v", log)
	}
	var round struct {
		Scans []struct {
			TagCode string `json:"tag_code"`
		}
	}
	s.srv.Get("/v1/rounds/"+s.roundID, s.tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &round)
	if len(round.Scans) != 1 || round.Scans[0].TagCode != tags[0] {
		t.Fatalf("want the scan %s once on the server, have %+v", tags[0], round.Scans)
	}
}
