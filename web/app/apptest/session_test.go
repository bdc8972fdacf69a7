package apptest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestSessionEndedOffline: while the phone is offline its session is
// ended on the server (the refresh token is revoked too). Back online the
// app asks the guard to sign in again; the round scanned offline is still
// sent, once.
func TestSessionEndedOffline(t *testing.T) {
	t.Parallel()
	databaseURL := testenv.SQLite(t) // one dialect per browser test (harness_test.go)
	s := setUp(t, databaseURL)
	b := newBrowser(t, 390, 844)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	b.Offline(true)
	walkRound(t, b, s.roundID)

	s.srv.Post("/v1/auth/logout", "", map[string]string{"refresh_token": sessionRefresh(b)}).Want(t, http.StatusNoContent)

	b.Offline(false)
	b.Wait("the sign-in screen", `document.querySelector('#login-email') && document.querySelector('.banner-warn')`)
	shots(b, "signed-out")
	if relogins := waitSynced(t, b, s); relogins != 1 {
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
}

// sessionRefresh reads the refresh token the app keeps.
func sessionRefresh(b *browser) string {
	var refresh string
	b.Eval(`new Promise((resolve) => {
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
	b.Eval(`document.querySelector('#login-email').value = '', document.querySelector('#login-password').value = '', true`, nil)
	b.typeInto("#login-email", email)
	b.typeInto("#login-password", apitest.Password)
	b.click("#login-submit")
	b.Wait("signed in as "+email, `!document.querySelector('#login-email')`)
}

// TestSecondGuardOnSamePhone: the first guard walks a round offline and
// their session ends; a second guard signs in on the same phone and
// syncs. The first guard's scans are not sent with the second guard's
// token: they wait on the phone (the sync screen says so) until the first
// guard signs in again, and then reach the server as the first guard's.
func TestSecondGuardOnSamePhone(t *testing.T) {
	t.Parallel()
	databaseURL := testenv.Postgres(t) // one dialect per browser test (harness_test.go)
	s := setUp(t, databaseURL)
	second := s.srv.NewGuard(s.tenant, "second", s.tenant.Sites[0].ID)
	b := newBrowser(t, 390, 844)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	b.Offline(true)
	walkRound(t, b, s.roundID)
	s.srv.Post("/v1/auth/logout", "", map[string]string{"refresh_token": sessionRefresh(b)}).Want(t, http.StatusNoContent)
	b.Offline(false)
	b.Wait("the sign-in screen", `document.querySelector('#login-email') && document.querySelector('.banner-warn')`)

	signInAs(b, second.Email)
	b.Eval(`location.hash = '#/sync', true`, nil)
	b.Wait("the second guard synced, the first guard's scans waiting",
		`document.querySelector('#sync-state[data-state="synced"]') && document.querySelector('#others-waiting')`)
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
	if strings.Contains(databaseURL, "sqlite") {
		otherGuardShots(t, b)
	}

	// The second guard's session ends; the first guard signs in again.
	s.srv.Post("/v1/auth/logout", "", map[string]string{"refresh_token": sessionRefresh(b)}).Want(t, http.StatusNoContent)
	b.click("#sync-now:not([disabled])")
	b.Wait("the sign-in screen", `document.querySelector('#login-email')`)
	signInAs(b, s.tenant.Guard.Email)
	waitSynced(t, b, s)
	s.srv.Get("/v1/rounds/"+s.roundID, supervisor).Want(t, http.StatusOK).JSON(t, &round)
	if len(round.Scans) != len(tags) {
		t.Fatalf("want %d scans, have %+v", len(tags), round.Scans)
	}
	for _, scan := range round.Scans {
		if scan.UserID != s.tenant.Guard.User.ID {
			t.Fatalf("scan %s by %s, want the first guard %s", scan.TagCode, scan.UserID, s.tenant.Guard.User.ID)
		}
	}
}

// otherGuardShots looks at the "another guard's work waiting" banner at
// 360×640 in English and Chinese (no sideways scrolling, 44 px targets) and
// keeps the screenshots, then puts the window and language back.
func otherGuardShots(t testing.TB, b *browser) {
	t.Helper()
	b.SetViewport(browsertest.Viewport{Name: "360x640", Width: 360, Height: 640, Scale: 2})
	dismissNotice(b)
	var lang string
	b.Eval(`document.documentElement.lang`, &lang)
	for range 2 {
		b.Eval(`document.querySelector('#others-waiting').scrollIntoView({block: 'center'}), true`, nil)
		name := "sync-other-guard-en"
		if lang == "zh-CN" {
			name = "sync-other-guard-zh"
		}
		checkLayout(t, b, name)
		shots(b, name)
		b.click("#lang-toggle")
		want := map[string]string{"zh-CN": "en", "en": "zh-CN"}[lang]
		b.Wait("the language switched to "+want, `document.documentElement.lang === `+jsString(want)+` && document.querySelector('#others-waiting')`)
		lang = want
	}
	b.SetViewport(browsertest.Viewport{Name: "390x844", Width: 390, Height: 844, Scale: 2})
}
