package apptest

import (
	"net/http"
	"testing"

	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestSignInHereAfterHandover: the outgoing guard walks a round and hands
// the shift over, offline, the incoming guard to sign later. "Sign in
// here" for the incoming guard is refused while offline (the work stays,
// the outgoing guard stays signed in); online it sends the outgoing
// guard's scans and handover under their own session, signs them out, and
// the incoming guard signs in on the same phone and finds the handover to
// sign. The server holds the scans and the handover once, as the outgoing
// guard's.
func TestSignInHereAfterHandover(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.Postgres(t))
	site := s.tenant.Sites[0].ID
	incoming := s.srv.NewGuard(s.tenant, "night-guard", site)
	b := newBrowser(t, 390, 844)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	dismissNotice(b)
	b.Wait("the notice gone", `!document.querySelector('#dismiss-storage')`)
	language(b, "en", `!!document.querySelector('#today-duty')`)

	b.Offline(true)
	walkRound(t, b, s.roundID)
	b.Eval(`location.hash = '#/today', true`, nil)
	b.click("#today-duty")
	b.click("#duty-handover")
	b.Wait("the site's people", `document.querySelector('#handover-incoming option[value="`+incoming.User.ID+`"]')`)
	b.typeInto("#handover-post", "Lobby post")
	b.Eval(`(() => { const s = document.querySelector('#handover-incoming'); s.value = `+jsString(incoming.User.ID)+`;
		s.dispatchEvent(new Event('change')); return true; })()`, nil)
	b.typeInto("#handover-equipment", "CCTV and alarms working")
	b.draw("#handover .pad canvas", [][][2]float64{{{20, 60}, {80, 20}, {140, 70}}})
	b.click("#handover-next")
	b.click("#handover-later")
	card := `document.querySelector('#take-over')`
	b.Wait("the phone offered to the incoming guard", card+` && `+card+`.textContent.includes('night-guard')`)

	b.click("#sign-in-here")
	said := `document.querySelector('#sign-in-here-message')`
	b.Wait("told the work cannot be sent offline", said+`.textContent.includes('No network: 4 of your changes are still on this phone')`)
	b.Wait("still signed in as the outgoing guard", `!!document.querySelector('#duty') && !document.querySelector('#login-email')`)
	wordShots(t, b, "take-over-offline", "en")
	language(b, "zh-CN", card+`.textContent.includes('可以接管这台手机')`)
	b.click("#sign-in-here")
	b.Wait("told in Chinese", said+`.textContent.includes('没有网络')`)
	wordShots(t, b, "take-over-offline", "zh")
	language(b, "en", card+`.textContent.includes('can take over this phone')`)
	if held := queued(b); len(held.Outbox) != 4 {
		t.Fatalf("offline, the phone holds %d of the outgoing guard's changes, want the 3 scans and the handover", len(held.Outbox))
	}

	b.Offline(false)
	b.click("#sign-in-here")
	banner := `document.querySelector('.login .banner-info')`
	b.Wait("the sign-in screen for the incoming guard", banner+` && `+banner+`.textContent.includes('night-guard, sign in with your own account')`)
	var email string
	b.Eval(`document.querySelector('#login-email').value`, &email)
	if email != "" {
		t.Fatalf("the sign-in screen offers the outgoing guard's email %q to the incoming guard", email)
	}
	wordShots(t, b, "take-over-sign-in", "en")
	b.click(".lang-switch [aria-pressed=false]")
	b.Wait("the sign-in screen in Chinese", banner+`.textContent.includes('请night-guard用自己的账号登录')`)
	wordShots(t, b, "take-over-sign-in", "zh")
	b.click(".lang-switch [aria-pressed=false]")

	// Everything of the outgoing guard's reached the server before the
	// sign-out, as theirs.
	supervisor := s.tenant.Supervisor.Token
	var round struct {
		Scans []struct {
			UserID string `json:"user_id"`
		}
	}
	s.srv.Get("/v1/rounds/"+s.roundID, supervisor).Want(t, http.StatusOK).JSON(t, &round)
	if len(round.Scans) != len(tags) {
		t.Fatalf("want the %d scans on the server, have %+v", len(tags), round.Scans)
	}
	for _, scan := range round.Scans {
		if scan.UserID != s.tenant.Guard.User.ID {
			t.Fatalf("a scan by %s, want the outgoing guard %s", scan.UserID, s.tenant.Guard.User.ID)
		}
	}
	var handovers struct {
		Items []struct {
			ID             string
			Status         string
			OutgoingUserID string `json:"outgoing_user_id"`
		}
	}
	s.srv.Get("/v1/handovers?site_id="+site, supervisor).Want(t, http.StatusOK).JSON(t, &handovers)
	if len(handovers.Items) != 1 || handovers.Items[0].OutgoingUserID != s.tenant.Guard.User.ID {
		t.Fatalf("want one handover by the outgoing guard, have %+v", handovers.Items)
	}

	signInAs(b, incoming.Email)
	b.Eval(`location.hash = '#/duty', true`, nil)
	b.Wait("the handover to sign, on the incoming guard's duty", `!!document.querySelector('#duty') && document.querySelector('#duty').textContent.includes('Lobby post') && !document.querySelector('#take-over')`)
	if held := queued(b); len(held.Outbox) != 0 {
		t.Fatalf("after the take-over the phone still holds %v", held.Outbox)
	}
	b.NoErrors(t)
}
