package apptest

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestSyncProblemsInPlainWords: what holds sync up is told to the guard in
// their language, with what happens next, never as the server's title
// ("Service Unavailable"): offline (kept, sent when the network returns),
// the server busy (tries again at a time), a record the server refused
// (which one, and what to do), and signed out (sign in again; how much
// waits). Each at phone and tablet size, in English and Chinese.
func TestSyncProblemsInPlainWords(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.SQLite(t))
	b := newBrowser(t, 390, 844)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	dismissNotice(b)
	b.Wait("the notice gone", `!document.querySelector('#dismiss-storage')`)
	problem := func(kind, en, zh string) {
		t.Helper()
		hero := `document.querySelector('#sync-problem[data-problem="` + kind + `"]')`
		language(b, "en", hero+` && `+hero+`.textContent.includes(`+jsString(en)+`)`)
		wordShots(t, b, "sync-"+kind, "en")
		language(b, "zh-CN", hero+` && `+hero+`.textContent.includes(`+jsString(zh)+`)`)
		wordShots(t, b, "sync-"+kind, "zh")
		language(b, "en", hero)
	}

	b.Offline(true)
	walkRound(t, b, s.roundID)
	b.click("#tab-sync")
	problem("offline", "You are offline. Everything waiting stays on this phone", "当前离线")

	var busy atomic.Bool
	busy.Store(true)
	b.Gate("/v1/sync/push", func(int) browsertest.Answer {
		if busy.Load() {
			return browsertest.Answer{Status: http.StatusServiceUnavailable, Headers: map[string]string{"Retry-After": "120"}}
		}
		return browsertest.Answer{}
	})
	b.Offline(false)
	problem("busy", "The server is busy. Nothing is lost: the phone tries again at", "服务器繁忙")
	var text string
	b.Eval(`document.querySelector('#sync-state').textContent`, &text)
	for _, said := range []string{"Service Unavailable", "503", "HTTP"} {
		if strings.Contains(text, said) {
			t.Fatalf("the sync screen shows the server's words %q: %q", said, text)
		}
	}
	busy.Store(false)
	b.click("#sync-now:not([disabled])")
	b.Wait("the round sent", `!!document.querySelector('#sync-state[data-state="synced"]')`)

	// A record the server refuses: an incident reported offline at a site
	// closed meanwhile.
	b.Offline(true)
	b.click("#tab-incident")
	b.click(`#incident-level [data-value="general"]`)
	b.typeInto("#incident-place", "Lobby")
	b.typeInto("#incident-description", "Side door found open")
	b.click("#incident-send")
	b.Wait("the incident waiting", `!!document.querySelector('#sync-records [data-kind="incident"][data-state="waiting"]')`)
	site := s.tenant.Sites[0].ID
	s.srv.Patch("/v1/sites/"+site, s.tenant.Admin.Token, map[string]any{"active": false}).Want(t, http.StatusOK)
	b.Offline(false)
	rejected := `document.querySelector('#sync-records [data-kind="incident"][data-state="rejected"]')`
	b.Wait("the incident refused, named by its place", rejected+` && `+rejected+`.querySelector('[data-pointer="/payload/site_id"]') &&
		`+rejected+`.textContent.includes('Incident · Lobby')`)
	language(b, "en", rejected+`.textContent.includes('The server did not accept this record')`)
	wordShots(t, b, "sync-rejected", "en")
	language(b, "zh-CN", rejected+`.textContent.includes('服务器未接受此记录')`)
	wordShots(t, b, "sync-rejected", "zh")
	language(b, "en", rejected)
	s.srv.Patch("/v1/sites/"+site, s.tenant.Admin.Token, map[string]any{"active": true}).Want(t, http.StatusOK)

	// Signed out with an incident waiting: the sign-in screen says how much
	// waits for the sign-in.
	b.Offline(true)
	b.click("#tab-incident")
	b.click(`#incident-level [data-value="general"]`)
	b.typeInto("#incident-description", "Side door found open again")
	b.click("#incident-send")
	b.Wait("the second incident waiting", `!!document.querySelector('#sync-records [data-kind="incident"][data-state="waiting"]')`)
	s.srv.Post("/v1/auth/logout", "", map[string]string{"refresh_token": sessionRefresh(b)}).Want(t, http.StatusNoContent)
	b.Offline(false)
	notice := `document.querySelector('.login .banner-warn')`
	b.Wait("the sign-in screen", notice+` && `+notice+`.textContent.includes('You are signed out. 1 change(s) wait on this phone')`)
	wordShots(t, b, "sync-signed-out", "en")
	b.click(".lang-switch [aria-pressed=false]")
	b.Wait("the sign-in screen in Chinese", notice+` && `+notice+`.textContent.includes('本机有 1 项内容待发送')`)
	wordShots(t, b, "sync-signed-out", "zh")
	b.NoErrors(t)
}

// wordShots checks the screen's layout and takes it at phone and tablet
// size.
func wordShots(t *testing.T, b *browser, name, lang string) {
	t.Helper()
	checkLayout(t, b, name+"-"+lang)
	shots(b, name+"-"+lang)
	b.SetViewport(browsertest.Viewport{Name: "768x1024", Width: 768, Height: 1024, Scale: 1})
	b.Wait("the tablet's width", `window.innerWidth === 768`)
	checkLayout(t, b, name+"-tablet-"+lang)
	shots(b, name+"-tablet-"+lang)
	b.SetViewport(browsertest.Viewport{Name: "390x844", Width: 390, Height: 844, Scale: 2})
	b.Wait("the phone's width", `window.innerWidth === 390`)
}
