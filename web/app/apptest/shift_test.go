package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// shiftTemplate is what the guard fills in during the shift: a yes/no
// check, a number, two photos and the guard's signature.
const shiftTemplate = `{
  "key": "shift-check",
  "title": {"zh-CN": "夜班检查", "en": "Night shift check"},
  "pass_threshold": 80,
  "sections": [
    {"key": "doors", "title": {"zh-CN": "门窗", "en": "Doors"}, "items": [
      {"key": "door_locked", "type": "yes_no", "label": {"zh-CN": "金库门已上锁？", "en": "Vault door locked?"},
       "required": true, "critical": true, "finding": {"severity": "critical", "due_hours": 1}},
      {"key": "temperature", "type": "number", "label": {"zh-CN": "机房温度", "en": "Server room temperature"},
       "unit": "°C", "min": 10, "max": 30, "required": true}
    ]},
    {"key": "evidence", "title": {"zh-CN": "证据", "en": "Evidence"}, "items": [
      {"key": "scene_photos", "type": "photo", "label": {"zh-CN": "现场照片", "en": "Photos of the scene"},
       "required": true, "min_count": 2, "max_count": 4},
      {"key": "guard_signature", "type": "signature", "label": {"zh-CN": "保安签名", "en": "Guard's signature"},
       "required": true, "signer_role": "guard"}
    ]}
  ]
}`

var tags = []string{"GATE-01", "VAULT-02", "PARK-03"}

// shift is one organisation set up for a night: the guard's checklist
// and a round over three checkpoints due now.
type shift struct {
	srv        *server
	tenant     *apitest.Tenant
	templateID string
	roundID    string
}

func setUp(t testing.TB, databaseURL string, opts ...apitest.Option) *shift {
	t.Helper()
	srv := startServer(t, databaseURL, opts...)
	tenant := srv.NewTenant("night")
	admin := tenant.Admin.Token
	var created struct{ ID string }
	srv.Post("/v1/templates", admin, map[string]any{"document": json.RawMessage(shiftTemplate)}).Want(t, http.StatusCreated).JSON(t, &created)
	srv.Post("/v1/templates/"+created.ID+"/publish", admin, nil).Want(t, http.StatusOK)
	site := tenant.Sites[0].ID
	points := []map[string]any{}
	for index, tag := range tags {
		points = append(points, map[string]any{"name": fmt.Sprintf("Checkpoint %d", index+1), "tag_code": tag})
	}
	var route struct{ ID string }
	srv.Post("/v1/routes", admin, map[string]any{"site_id": site, "name": "Perimeter", "ordered": true, "checkpoints": points}).
		Want(t, http.StatusCreated).JSON(t, &route)
	srv.Post("/v1/schedules", admin, map[string]any{"site_id": site, "kind": "round", "name": "Hourly round", "route_id": route.ID,
		"rrule": "FREQ=HOURLY", "dtstart": time.Now().Add(-48*time.Hour).In(shanghai(t)).Format("2006-01-02") + "T00:00:00",
		"tolerance_minutes": 90, "assignee_id": tenant.Guard.User.ID}).Want(t, http.StatusCreated)
	if _, err := srv.App.Rounds.Materialize(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	var rounds struct {
		Items []struct {
			ID          string
			WindowStart time.Time `json:"window_start"`
			WindowEnd   time.Time `json:"window_end"`
		}
	}
	now := time.Now()
	window := "from=" + now.Add(-2*time.Hour).UTC().Format(time.RFC3339) + "&to=" + now.Add(time.Hour).UTC().Format(time.RFC3339)
	srv.Get("/v1/rounds?limit=100&"+window, admin).Want(t, http.StatusOK).JSON(t, &rounds)
	roundID := ""
	for _, round := range rounds.Items {
		if !round.WindowStart.After(now) && round.WindowEnd.After(now.Add(2*time.Minute)) {
			roundID = round.ID
		}
	}
	if roundID == "" {
		t.Fatalf("no round open now among %d", len(rounds.Items))
	}
	return &shift{srv: srv, tenant: tenant, templateID: created.ID, roundID: roundID}
}

func shanghai(t testing.TB) *time.Location {
	zone, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return zone
}

// photoFiles writes two large camera-like JPEGs the app must downscale.
func photoFiles(t testing.TB) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for index := range 2 {
		img := image.NewRGBA(image.Rect(0, 0, 3000, 2000))
		for y := 0; y < 2000; y++ {
			for x := 0; x < 3000; x++ {
				img.Set(x, y, color.RGBA{uint8(x / 12), uint8(y / 8), uint8(80 * index), 255})
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("camera-%d.jpg", index))
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

// shots keeps a screenshot as app-<name>.png in TEST_SCREENSHOTS, when set
// (docs/screenshots holds the ones the README shows).
func shots(b *browser, name string) {
	if dir := os.Getenv("TEST_SCREENSHOTS"); dir != "" {
		b.Wait("the toast gone", `!document.querySelector('.toast') || getComputedStyle(document.querySelector('.toast')).opacity === '0'`)
		b.Screenshot("app-" + name)
	}
}

// dismissNotice waits until the app has checked its storage (headless
// Chromium refuses persistent storage, and the notice comes after the
// first screen) and taps Dismiss on the notice if it came. The notice moves
// nothing (it is in the footer: TestLateStorageNoticeMovesNothing), but it
// covers the foot of the screen and its screenshots.
func dismissNotice(b *browser) {
	b.Wait("the storage checked", `['none', 'shown', 'dismissed'].includes(document.documentElement.dataset.storageNotice)`)
	var shown bool
	b.Eval(`document.documentElement.dataset.storageNotice === 'shown'`, &shown)
	if shown {
		b.click("#dismiss-storage")
		b.Wait("the storage notice gone", `!document.querySelector('#dismiss-storage')`)
	}
}

func login(t testing.TB, b *browser, base, email string) {
	t.Helper()
	b.Open(base + "/app/")
	b.typeInto("#login-email", email)
	b.typeInto("#login-password", apitest.Password)
	b.click("#login-submit")
	b.Wait("the first sync", `document.querySelector('#tab-sync') && document.querySelector('[data-round]')`)
	b.Wait("the service worker", `navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)`)
}

// walkRound scans the three checkpoints by their typed codes.
func walkRound(t testing.TB, b *browser, roundID string) {
	t.Helper()
	b.Eval(`location.hash = '#/round/`+roundID+`', true`, nil)
	for index, tag := range tags {
		openScan(b)
		b.typeInto("#scan-code", tag)
		b.submitScan()
		b.Wait("scan "+tag, fmt.Sprintf(`document.querySelectorAll('#checkpoints .checkpoint.done').length === %d`, index+1))
	}
	// The scan dialog once called a function evidence.js did not have: the
	// typed code still worked, but the camera never started.
	for _, line := range b.Console() {
		if strings.HasPrefix(line, "exception:") {
			t.Fatalf("the page threw while scanning: %s", line)
		}
	}
}

// submitScan sends the typed code with the keyboard's Enter, as a guard's
// thumb on the on-screen keyboard does (the Record button is tapped in the
// tests of the dialog itself).
func (b *browser) submitScan() {
	b.t.Helper()
	b.Run(chromedp.SendKeys(chromedp.CSS("#scan-code"), "\r"))
}

// openScan opens the scan dialog and waits until it has settled: the
// camera starts or, as in headless Chromium, fails and the dialog says so
// above the typed code, which moves the Record button down. A tap aimed
// before that lands beside the button and nothing is recorded.
func openScan(b *browser) {
	b.t.Helper()
	b.click("#scan-button")
	b.Wait("the scan dialog settled", `(() => {
		const dialog = document.querySelector('dialog[open]');
		if (!dialog) return false;
		const status = dialog.querySelector('p[aria-live]');
		const video = dialog.querySelector('video');
		return (status && status.textContent.trim() !== '') || (video && video.readyState >= 2);
	})()`)
}

// fillInspection answers the shift checklist with two photos and a
// signature, then submits it.
func fillInspection(t testing.TB, b *browser, photos []string) {
	t.Helper()
	b.Eval(`location.hash = '#/templates', true`, nil)
	b.click(`[data-key="shift-check"]`)
	b.Wait("the form", `document.querySelector('[data-path="/door_locked"]')`)
	b.click(`[data-path="/door_locked"] [data-value="yes"]`)
	b.Wait("the answer", `document.querySelector('[data-path="/door_locked"] [data-value="yes"][aria-pressed="true"]')`)
	b.typeInto(`[data-path="/temperature"] input`, "21\t")
	b.Wait("the number", `document.querySelector('[data-path="/temperature"].is-ok')`)
	b.click("#next-section")
	b.Wait("the evidence section", `document.querySelector('[data-path="/scene_photos"] input[type=file]')`)
	b.upload(`[data-path="/scene_photos"] input[type=file]`, photos)
	b.Wait("two photos", `document.querySelectorAll('[data-path="/scene_photos"] .photo img').length === 2`)
	b.draw(`[data-path="/guard_signature"] canvas`, [][][2]float64{
		{{20, 120}, {60, 60}, {100, 130}, {140, 50}, {180, 120}},
		{{200, 90}, {260, 90}, {300, 70}},
	})
	b.click(`[data-path="/guard_signature"] .sign-save`)
	b.Wait("the signature", `document.querySelector('[data-path="/guard_signature"] img.signature-img')`)
	shots(b, "inspection-signed")
	b.click("#submit-inspection")
	b.click("#confirm-ok")
	b.Wait("the sync screen", `document.querySelector('#sync-state')`)
}

// checkServer asserts the server holds exactly one submitted inspection
// with both photos and the signature stored and linked, and the scans.
func checkServer(t testing.TB, s *shift) {
	t.Helper()
	supervisor := s.srv.Login(s.tenant.Supervisor.Email, apitest.Password, "check-"+s.tenant.Supervisor.DeviceID).AccessToken
	var list struct {
		Items []struct {
			ID     string
			Status string
		}
	}
	s.srv.Get("/v1/inspections?template_id="+s.templateID+"&limit=50", supervisor).Want(t, http.StatusOK).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].Status != "submitted" {
		t.Fatalf("want exactly one submitted inspection, have %+v", list.Items)
	}
	var detail struct {
		Answers      map[string]json.RawMessage
		MediaPending bool `json:"media_pending"`
		Outcome      string
	}
	s.srv.Get("/v1/inspections/"+list.Items[0].ID, supervisor).Want(t, http.StatusOK).JSON(t, &detail)
	var photos struct{ Value []string }
	var signature struct {
		Value struct {
			MediaID      string `json:"media_id"`
			SignerUserID string `json:"signer_user_id"`
		}
	}
	json.Unmarshal(detail.Answers["scene_photos"], &photos)
	json.Unmarshal(detail.Answers["guard_signature"], &signature)
	if len(photos.Value) != 2 || signature.Value.MediaID == "" || signature.Value.SignerUserID != s.tenant.Guard.User.ID {
		t.Fatalf("answers: photos %v, signature %+v", photos.Value, signature.Value)
	}
	if detail.MediaPending || detail.Outcome != "pass" {
		t.Fatalf("media_pending %v, outcome %q", detail.MediaPending, detail.Outcome)
	}
	for _, id := range append(photos.Value, signature.Value.MediaID) {
		response := s.srv.Get("/v1/media/"+id, supervisor)
		if response.Status != http.StatusFound {
			t.Fatalf("media %s: %d %s", id, response.Status, response.Body)
		}
	}
	var round struct {
		Scans []struct {
			CheckpointID *string `json:"checkpoint_id"`
			TagCode      string  `json:"tag_code"`
			Flags        []string
		}
		Status string
	}
	s.srv.Get("/v1/rounds/"+s.roundID, supervisor).Want(t, http.StatusOK).JSON(t, &round)
	if len(round.Scans) != len(tags) {
		t.Fatalf("want %d scans, have %+v", len(tags), round.Scans)
	}
	for index, scan := range round.Scans {
		if scan.TagCode != tags[index] || scan.CheckpointID == nil {
			t.Fatalf("scan %d: %+v", index, scan)
		}
	}
}

// waitSynced waits for the sync screen's "everything is synced". When the
// session ended meanwhile, the guard signs in again, as the app asks, and
// nothing waiting on the phone may be lost; it returns how many times.
func waitSynced(t testing.TB, b *browser, s *shift) (relogins int) {
	t.Helper()
	for {
		b.Wait("everything synced (or the sign-in screen)", `(() => {
			if (document.querySelector('#login-email') || document.querySelector('#sync-state[data-state="synced"]')) return true;
			if (!document.querySelector('#sync-state')) location.hash = '#/sync';
			return false;
		})()`)
		var signIn bool
		b.Eval(`!!document.querySelector('#login-email')`, &signIn)
		if !signIn {
			return relogins
		}
		relogins++
		b.Eval(`document.querySelector('#login-password').value = '', true`, nil)
		b.typeInto("#login-password", apitest.Password)
		b.click("#login-submit")
		b.Wait("the sign-in answer", `!document.querySelector('#login-email') || document.querySelector('.login .banner-error')`)
	}
}

// flapping makes the phone's link come back each time a sync has failed on
// a lost request and the app has scheduled its next try: the browser fires
// 'online' (as Offline(false) does), and the app, as it does whenever the
// network returns, tries again at once with its backoff reset. Without it
// the app's own waits drive the flaky shift: on a network that loses three
// requests in ten nearly every sync fails somewhere, so the backoff's
// ceiling climbs to its minute and the test spent two to seven minutes
// waiting (its full-jitter draws) for nothing it asserts. The retries still
// go through the same sync and the same lost requests; the backoff itself
// is TestSyncBacksOffWithJitter's. It watches the page's DOM (the sync
// screen's problem line appears with the next try's time), no timer; a
// failed sync it misses is retried by the app's own backoff as before.
func flapping(b *browser) {
	b.t.Helper()
	b.Eval(`(() => {
		const retrying = '#sync-problem[data-problem="unreachable"], #sync-problem[data-problem="busy"]';
		// Once per failed sync: the 'online' redraws the screen with the
		// problem line still there, and that redraw must not fire again.
		let armed = true;
		const observer = new MutationObserver(() => {
			if (!document.querySelector(retrying)) {
				armed = true;
			} else if (armed && navigator.onLine) {
				armed = false;
				window.dispatchEvent(new Event('online'));
			}
		});
		observer.observe(document, { subtree: true, childList: true, attributes: true });
		return true;
	})()`, nil)
}

// TestGuardShift is a whole night offline: sign in online, lose the
// network, walk the round, fill the checklist with two photos and a
// signature, reload, restart the browser, and sync when the network is back.
func TestGuardShift(t *testing.T) {
	t.Parallel()
	databaseURL := testenv.SQLite(t) // one dialect per browser test (harness_test.go)
	runShift(t, databaseURL, 0)
}

// TestGuardShiftFlakyNetwork is the same night with 30 % of the API
// requests failing during sync through DevTools' request interception
// (browsertest.FailRequests): half of them never reach the server, half
// are applied by it and their answer is lost; after each failed sync the
// link flaps back (flapping) and the app tries again at once. Everything
// still arrives exactly once.
func TestGuardShiftFlakyNetwork(t *testing.T) {
	t.Parallel()
	databaseURL := testenv.Postgres(t) // one dialect per browser test (harness_test.go)
	runShift(t, databaseURL, 0.3)
}

func runShift(t testing.TB, databaseURL string, failing float64) {
	// Access tokens live a few seconds: the one from sign-in has expired
	// by the time the phone is back online, and must be refreshed then.
	// (Not fewer: a token shorter than the sync's backoff between tries
	// would expire before each try, which no phone sees.)
	s := setUp(t, databaseURL, apitest.WithSetting("PATROLSYNC_ACCESS_TTL", "15s"))
	// A whole shift through a network that drops 30 % of requests sends
	// each request about one and a half times: on a loaded machine it
	// gets twice the default budget.
	b := newBrowser(t, 390, 844, browsertest.Budget(2*browsertest.DefaultBudget))
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	b.Offline(true)
	walkRound(t, b, s.roundID)
	fillInspection(t, b, photoFiles(t))
	waiting := `document.querySelector('#sync-state') && document.querySelector('#sync-state').dataset.state !== 'synced' &&
		document.querySelectorAll('#sync-records [data-state="waiting"]').length === 4`
	b.Wait("four records waiting", waiting)

	b.Reload("the reloaded page", "")
	b.Wait("the app after an offline reload", waiting)
	b.Restart()
	b.Open(s.srv.URL + "/app/#/sync")
	b.Wait("the app after a browser restart", waiting)

	b.Wait("the access token expired offline", `new Promise((resolve) => {
		const open = indexedDB.open('patrolsync');
		open.onsuccess = () => {
			const get = open.result.transaction('kv').objectStore('kv').get('session');
			get.onsuccess = () => {
				const claims = JSON.parse(atob(get.result.access.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
				open.result.close();
				resolve(claims.exp * 1000 < Date.now());
			};
		};
	})`)
	var stop func()
	var failed func() (int, int)
	if failing > 0 {
		stop, failed = b.FailRequests(failing, "/v1/", 3)
		flapping(b)
	}
	b.Offline(false)
	relogins := waitSynced(t, b, s)
	if failing > 0 {
		stop()
	}
	// A refresh whose answer was lost is retried with the spent token,
	// which the server accepts from the same device within its grace
	// window: a bad network never signs the guard out.
	if relogins > 0 {
		t.Fatalf("signed in again %d time(s): a lost refresh answer ended the session", relogins)
	}
	if failing > 0 {
		before, after := failed()
		if before == 0 || after == 0 {
			t.Fatalf("lost %d requests before and %d after the server acted: the flaky network was not exercised", before, after)
		}
		t.Logf("lost %d requests before and %d after the server acted", before, after)
	}
	checkServer(t, s)
	if failing == 0 && strings.Contains(databaseURL, "sqlite") {
		shots(b, "sync-done")
	}
}
