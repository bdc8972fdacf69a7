package apptest

import (
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestSessionEndedOffline: while the phone is offline its session is
// ended on the server (the refresh token is revoked too). Back online the
// app asks the guard to sign in again; the round scanned offline is still
// sent, once.
func TestSessionEndedOffline(t *testing.T) {
	testenv.Each(t, func(t *testing.T, databaseURL string) {
		s := setUp(t, databaseURL)
		b := newBrowser(t, t.TempDir(), 390, 844)
		login(t, b, s.srv.URL, s.tenant.Guard.Email)
		b.offline(true)
		walkRound(t, b, s.roundID)

		var refresh string
		b.eval(`new Promise((resolve) => {
			const open = indexedDB.open('patrolsync');
			open.onsuccess = () => {
				const get = open.result.transaction('kv').objectStore('kv').get('session');
				get.onsuccess = () => { open.result.close(); resolve(get.result.refresh); };
			};
		})`, &refresh)
		s.srv.Post("/v1/auth/logout", "", map[string]string{"refresh_token": refresh}).Want(t, http.StatusNoContent)

		b.offline(false)
		b.waitFor("the sign-in screen", `document.querySelector('#login-email') && document.querySelector('.banner-warn')`, 30*time.Second)
		shots(b, "signed-out")
		if relogins := waitSynced(t, b, s, 60*time.Second); relogins != 1 {
			t.Fatalf("signed in %d times, want 1", relogins)
		}
		var round struct {
			Scans []struct {
				TagCode string `json:"tag_code"`
			}
		}
		s.srv.Get("/v1/rounds/"+s.roundID, s.srv.Login(s.tenant.Supervisor.Email, apitest.Password, "check").AccessToken).
			Want(t, http.StatusOK).JSON(t, &round)
		if len(round.Scans) != len(tags) {
			t.Fatalf("want %d scans, have %+v", len(tags), round.Scans)
		}
	})
}
