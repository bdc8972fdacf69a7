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

		s.srv.Post("/v1/auth/logout", "", map[string]string{"refresh_token": sessionRefresh(b)}).Want(t, http.StatusNoContent)

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

// sessionRefresh reads the refresh token the app keeps.
func sessionRefresh(b *browser) string {
	var refresh string
	b.eval(`new Promise((resolve) => {
		const open = indexedDB.open('patrolsync');
		open.onsuccess = () => {
			const get = open.result.transaction('kv').objectStore('kv').get('session');
			get.onsuccess = () => { open.result.close(); resolve(get.result.refresh); };
		};
	})`, &refresh)
	return refresh
}

// signInAs types another account into the sign-in screen.
func signInAs(b *browser, email string) {
	b.eval(`document.querySelector('#login-email').value = '', document.querySelector('#login-password').value = '', true`, nil)
	b.typeInto("#login-email", email)
	b.typeInto("#login-password", apitest.Password)
	b.click("#login-submit")
	b.waitFor("signed in as "+email, `!document.querySelector('#login-email')`, 40*time.Second)
}

// TestSecondGuardOnSamePhone: the first guard walks a round offline and
// their session ends; a second guard signs in on the same phone and
// syncs. The first guard's scans are not sent with the second guard's
// token: they wait on the phone (the sync screen says so) until the first
// guard signs in again, and then reach the server as the first guard's.
func TestSecondGuardOnSamePhone(t *testing.T) {
	testenv.Each(t, func(t *testing.T, databaseURL string) {
		s := setUp(t, databaseURL)
		second := s.srv.NewGuard(s.tenant, "second", s.tenant.Sites[0].ID)
		b := newBrowser(t, t.TempDir(), 390, 844)
		login(t, b, s.srv.URL, s.tenant.Guard.Email)
		b.offline(true)
		walkRound(t, b, s.roundID)
		s.srv.Post("/v1/auth/logout", "", map[string]string{"refresh_token": sessionRefresh(b)}).Want(t, http.StatusNoContent)
		b.offline(false)
		b.waitFor("the sign-in screen", `document.querySelector('#login-email') && document.querySelector('.banner-warn')`, 30*time.Second)

		signInAs(b, second.Email)
		b.eval(`location.hash = '#/sync', true`, nil)
		b.waitFor("the second guard synced, the first guard's scans waiting",
			`document.querySelector('#sync-state[data-state="synced"]') && document.querySelector('#others-waiting')`, 60*time.Second)
		supervisor := s.srv.Login(s.tenant.Supervisor.Email, apitest.Password, "check").AccessToken
		var round struct {
			Scans []struct {
				TagCode string `json:"tag_code"`
				UserID  string `json:"user_id"`
			}
		}
		s.srv.Get("/v1/rounds/"+s.roundID, supervisor).Want(t, http.StatusOK).JSON(t, &round)
		if len(round.Scans) != 0 {
			t.Fatalf("the first guard's scans were sent while the second guard was signed in: %+v", round.Scans)
		}
		shots(b, "sync-other-guard")

		// The second guard's session ends; the first guard signs in again.
		s.srv.Post("/v1/auth/logout", "", map[string]string{"refresh_token": sessionRefresh(b)}).Want(t, http.StatusNoContent)
		b.click("#sync-now:not([disabled])")
		b.waitFor("the sign-in screen", `document.querySelector('#login-email')`, 30*time.Second)
		signInAs(b, s.tenant.Guard.Email)
		waitSynced(t, b, s, 60*time.Second)
		s.srv.Get("/v1/rounds/"+s.roundID, supervisor).Want(t, http.StatusOK).JSON(t, &round)
		if len(round.Scans) != len(tags) {
			t.Fatalf("want %d scans, have %+v", len(tags), round.Scans)
		}
		for _, scan := range round.Scans {
			if scan.UserID != s.tenant.Guard.User.ID {
				t.Fatalf("scan %s by %s, want the first guard %s", scan.TagCode, scan.UserID, s.tenant.Guard.User.ID)
			}
		}
	})
}
