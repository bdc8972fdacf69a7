package apptest

import (
	"net/http"
	"testing"

	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestResyncOnGone: the guard walks a round and starts a checklist
// offline; meanwhile an admin gives the guard a second site, so the pull
// cursor the phone holds was minted for a scope the guard no longer has.
// Back online, the pull is answered 410 Gone: the phone drops its replica
// and pulls from the start (docs/sync-protocol.md, "410 Gone"), keeping
// what is only on the phone. Afterwards the replica holds the new site, the
// server holds every scan once, and the unfinished checklist is still on
// the phone with its answer.
func TestResyncOnGone(t *testing.T) {
	t.Parallel()
	databaseURL := testenv.SQLite(t) // one dialect per browser test (harness_test.go)
	s := setUp(t, databaseURL)
	b := newBrowser(t, 390, 844)
	pulls := watchAnswers(b, "/v1/sync/pull")
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	second := s.tenant.Sites[1]
	inReplica := `new Promise((resolve) => {
		const open = indexedDB.open('patrolsync');
		open.onsuccess = () => {
			const get = open.result.transaction('replica').objectStore('replica').get(['site', ` + jsString(second.ID) + `]);
			get.onsuccess = () => { open.result.close(); resolve(!!get.result); };
			get.onerror = () => { open.result.close(); resolve(false); };
		};
		open.onerror = () => resolve(false);
	})`
	var before bool
	b.Eval(inReplica, &before)
	if before {
		t.Fatalf("the guard's replica holds site %s before the guard was given it", second.Name)
	}

	b.Offline(true)
	walkRound(t, b, s.roundID)
	b.Eval(`location.hash = '#/templates', true`, nil)
	b.click(`[data-key="shift-check"]`)
	b.click(`[data-path="/door_locked"] [data-value="yes"]`)
	b.Wait("the answer", `document.querySelector('[data-path="/door_locked"] [data-value="yes"][aria-pressed="true"]')`)
	drafted := `new Promise((resolve) => {
		const open = indexedDB.open('patrolsync');
		open.onsuccess = () => {
			const all = open.result.transaction('drafts').objectStore('drafts').getAll();
			all.onsuccess = () => { open.result.close(); resolve(all.result.some((draft) => JSON.stringify(draft).includes('door_locked'))); };
			all.onerror = () => { open.result.close(); resolve(false); };
		};
		open.onerror = () => resolve(false);
	})`
	b.Wait("the unfinished checklist kept as a draft", drafted)

	s.srv.Patch("/v1/users/"+s.tenant.Guard.User.ID, s.tenant.Admin.Token,
		map[string]any{"site_ids": []string{s.tenant.Sites[0].ID, second.ID}}).Want(t, http.StatusOK)
	b.Offline(false)
	waitSynced(t, b, s)
	b.Wait("the new site in the replica after the resync", inReplica)
	if pulls.count(http.StatusGone) == 0 {
		t.Fatalf("no pull was answered 410 after the guard's sites changed (pulls answered %v)", pulls.all())
	}
	var kept bool
	b.Eval(drafted, &kept)
	if !kept {
		t.Fatal("the resync dropped the unfinished checklist")
	}

	wantScansOnce(t, s)
}
