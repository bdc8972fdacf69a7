package browsertest_test

import (
	"context"

	"testing"

	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The harness does what tests rely on: the network goes off and on, a
// restart on the same profile keeps the page's storage, and failing
// requests fail some requests and pass the others.
func TestHarness(t *testing.T) {
	server := browsertest.Server(t, testenv.SQLite(t))
	browser := browsertest.New(t, browsertest.SmallPhone)
	browser.Run(chromedp.Navigate(server.URL + "/app/manifest.webmanifest"))

	fetchHealth := `fetch('/healthz', {cache: 'no-store'}).then((r) => r.status, () => 0)`
	var status int
	browser.Eval(fetchHealth, &status)
	if status != 200 {
		t.Fatalf("online /healthz answered %d", status)
	}
	browser.Offline(true)
	browser.Eval(fetchHealth, &status)
	if status != 0 {
		t.Fatalf("offline /healthz answered %d, want a network error", status)
	}
	browser.Offline(false)
	browser.Eval(fetchHealth, &status)
	if status != 200 {
		t.Fatalf("back online /healthz answered %d", status)
	}

	browser.Eval(`new Promise((resolve, reject) => {
		const open = indexedDB.open('harness', 1);
		open.onupgradeneeded = () => open.result.createObjectStore('kept');
		open.onsuccess = () => {
			const tx = open.result.transaction('kept', 'readwrite');
			tx.objectStore('kept').put('outbox entry', 'one');
			tx.oncomplete = () => { open.result.close(); resolve(true); };
			tx.onerror = () => reject(tx.error);
		};
		open.onerror = () => reject(open.error);
	})`, nil)
	browser = browser.Restart()
	browser.Run(chromedp.Navigate(server.URL + "/app/manifest.webmanifest"))
	var kept string
	browser.Eval(`new Promise((resolve, reject) => {
		const open = indexedDB.open('harness', 1);
		open.onsuccess = () => {
			const get = open.result.transaction('kept').objectStore('kept').get('one');
			get.onsuccess = () => resolve(get.result || '');
			get.onerror = () => reject(get.error);
		};
		open.onerror = () => reject(open.error);
	})`, &kept)
	if kept != "outbox entry" {
		t.Fatalf("after a restart on the same profile IndexedDB holds %q", kept)
	}

	stop, failed := browser.FailRequests(0.5, "/healthz", 7)
	var statuses []int
	browser.Eval(`(async () => { const out = []; for (let i = 0; i < 20; i++) out.push(await `+fetchHealth+`); return out; })()`, &statuses)
	stop()
	ok, lost := 0, 0
	for _, status := range statuses {
		if status == 200 {
			ok++
		} else {
			lost++
		}
	}
	before, after := failed()
	if ok == 0 || lost == 0 || lost != before+after || before == 0 || after == 0 {
		t.Fatalf("with half the requests failing: %d answered, %d lost; the harness failed %d before the server and %d after", ok, lost, before, after)
	}
	browser.ThrottleCPU(4)
	browser.Wait("a page that answers", `document.readyState === 'complete'`)
	if shot := browser.Screenshot("harness"); shot == "" {
		t.Fatal("no screenshot")
	}
}

// A press is told landed only when it came down on the element it was
// aimed at: a button that moves between the aim and the press (a banner
// wrapping, a bar appearing) leaves the press on what took its place, and
// the caller aims again instead of waiting for what the tap should do.
func TestPressSaysWhereItLanded(t *testing.T) {
	server := browsertest.Server(t, testenv.SQLite(t))
	browser := browsertest.New(t, browsertest.Viewport{Name: "desktop", Width: 800, Height: 600, Scale: 1})
	browser.Run(chromedp.Navigate(server.URL + "/app/manifest.webmanifest"))
	browser.Eval(`document.body.innerHTML = '<div id="above" style="height:100px">text</div>' +
		'<button id="target" style="display:block;width:200px;height:60px">Go</button>';
		document.getElementById('target').addEventListener('click', () => { window.clicks = (window.clicks || 0) + 1; }), true`, nil)

	x, y, ok := browser.Aim("#target")
	if !ok {
		t.Fatal("the still button could not be aimed at")
	}
	if !browser.Press("#target", chromedp.MouseClickXY(x, y)) {
		t.Fatal("a press on the still button was told to have missed it")
	}
	x, y, _ = browser.Aim("#target")
	// The button moves down, out of the pointer's way, before the press.
	moveThenClick := chromedp.Steps(
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.getElementById('above').style.height = '300px', true`)(ctx, target)
			return err
		}),
		chromedp.MouseClickXY(x, y))
	if browser.Press("#target", moveThenClick) {
		t.Fatal("a press on the space the button had left was told to have landed on it")
	}
	var clicks int
	browser.Eval(`window.clicks || 0`, &clicks)
	if clicks != 1 {
		t.Fatalf("the button was clicked %d times, want 1 (the press that landed)", clicks)
	}
	browser.Tap("#target")
	browser.Eval(`window.clicks || 0`, &clicks)
	if clicks != 2 {
		t.Fatalf("after Tap the button was clicked %d times, want 2", clicks)
	}
}
