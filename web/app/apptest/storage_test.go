package apptest

import (
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestStorageNotice: headless Chromium refuses persistent storage, and the
// guard is told so in the footer, above the tabs, in the language the guard switches
// to (the notice is kept as its string's key, not as text).
func TestStorageNotice(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.SQLite(t))
	b := newBrowser(t, 360, 640)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	b.Wait("the notice that storage is not persistent", `document.querySelector('#dismiss-storage') &&
		document.querySelector('.notices').textContent.includes('not protected from cleanup')`)
	checkLayout(t, b, "storage-notice-en")
	b.click("#lang-toggle")
	b.Wait("the notice in Chinese", `document.querySelector('.notices') &&
		document.querySelector('.notices').textContent.includes('离线数据可能被浏览器清理')`)
	b.click("#dismiss-storage")
	b.Wait("the notice dismissed", `!document.querySelector('#dismiss-storage')`)
}

// TestLowSpaceNotice: the browser refuses persistent storage and reports
// little room left (navigator.storage replaced before the app's code runs,
// as on a full phone). The guard is told that space runs low, in English
// and in Chinese, and the photos taken meanwhile are kept, not dropped.
func TestLowSpaceNotice(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.SQLite(t))
	b := newBrowser(t, 360, 640)
	if _, err := chromedp.Call(b.Context(), page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
		if (navigator.storage) {
			const quota = 2 * 1024 * 1024 * 1024;
			navigator.storage.persisted = async () => false;
			navigator.storage.persist = async () => false;
			navigator.storage.estimate = async () => ({ quota, usage: quota - 40 * 1024 * 1024 });
		}`}); err != nil {
		t.Fatal(err)
	}
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	b.Wait("the notice that space runs low", `document.querySelector('#dismiss-storage') &&
		document.querySelector('.notices').textContent.includes('Storage almost full: 40')`)
	checkLayout(t, b, "storage-low-en")
	shots(b, "storage-low-en")
	b.click("#lang-toggle")
	b.Wait("the notice in Chinese", `document.querySelector('.notices') &&
		document.querySelector('.notices').textContent.includes('存储空间即将用完')`)
	b.click("#lang-toggle")

	b.Offline(true)
	b.Eval(`location.hash = '#/templates', true`, nil)
	b.click(`[data-key="shift-check"]`)
	b.click("#next-section")
	b.upload(`[data-path="/scene_photos"] input[type=file]`, photoFiles(t))
	b.Wait("both photos kept on the phone", `new Promise((resolve) => {
		const open = indexedDB.open('patrolsync');
		open.onsuccess = () => {
			const all = open.result.transaction('media').objectStore('media').getAll();
			all.onsuccess = () => { open.result.close(); resolve(all.result.filter((medium) => medium.blob).length === 2); };
			all.onerror = () => { open.result.close(); resolve(false); };
		};
		open.onerror = () => resolve(false);
	})`)
	b.Wait("the notice still shown", `document.querySelector('.notices') &&
		document.querySelector('.notices').textContent.includes('Storage almost full')`)
}

// TestLateStorageNoticeMovesNothing: the storage notice comes after the
// first screen (the browser answers the request for persistent storage
// when it does) and must not move what is under a finger on its way. The
// browser's answer is held back here until the test has aimed at a button
// on today's screen; the notice then comes, in the footer, the button is
// where it was, and a tap at the spot aimed at before the notice opens
// what the button opens. On a phone and on a tablet.
func TestLateStorageNoticeMovesNothing(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.Postgres(t))
	b := newBrowser(t, 390, 844)
	if _, err := chromedp.Call(b.Context(), page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
		if (navigator.storage) {
			let answer;
			const answered = new Promise((resolve) => { answer = resolve; });
			window.answerPersist = (granted) => answer(granted);
			navigator.storage.persisted = async () => false;
			navigator.storage.persist = () => answered;
		}`}); err != nil {
		t.Fatal(err)
	}
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	for _, size := range []browsertest.Viewport{
		{Name: "phone", Width: 390, Height: 844, Scale: 2},
		{Name: "tablet", Width: 768, Height: 1024, Scale: 1},
	} {
		b.SetViewport(size)
		// A new document asks for persistent storage again, unanswered.
		b.Eval(`location.hash = '#/today', true`, nil)
		b.Reload("today's screen", `!!document.querySelector('#today-drills') && typeof window.answerPersist === 'function'`)
		var asked string
		b.Eval(`document.documentElement.dataset.storageNotice || ''`, &asked)
		if asked != "" {
			t.Fatalf("%s: the storage notice is %q before the browser answered", size.Name, asked)
		}
		x, y := b.aim("#today-drills")
		before := rect(b, "#today-drills")

		b.Eval(`window.answerPersist(false), true`, nil)
		b.Wait("the storage notice in the footer", `document.documentElement.dataset.storageNotice === 'shown' &&
			!!document.querySelector('.tabbar .notices #dismiss-storage')`)
		// The notice's redraw has run: the screen was drawn again under it.
		b.Wait("the redraw with the notice drawn", `!document.documentElement.dataset.redrawWaiting &&
			!!document.querySelector('#today-drills')`)
		if after := rect(b, "#today-drills"); after != before {
			t.Errorf("%s: the notice moved the button from %+v to %+v", size.Name, before, after)
		}
		checkLayout(t, b, "storage-notice-"+size.Name)
		shots(b, "storage-notice-"+size.Name+"-en")

		// The finger lands where it aimed before the notice came.
		b.Run(chromedp.MouseClickXY(x, y))
		b.Wait("the drills screen, tapped at the spot aimed at before the notice", `location.hash === '#/drills' && !!document.querySelector('#drills')`)
	}
	b.NoErrors(t)
}

// box is an element's place on screen in CSS pixels.
type box struct{ Left, Top, Width, Height float64 }

func rect(b *browser, selector string) box {
	b.t.Helper()
	var r box
	b.Eval(`(() => { const r = document.querySelector(`+jsString(selector)+`).getBoundingClientRect();
		return {Left: r.left, Top: r.top, Width: r.width, Height: r.height}; })()`, &r)
	return r
}
