package apptest

import (
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestStorageNotice: headless Chromium refuses persistent storage, and the
// guard is told so above the screen, in the language the guard switches
// to (the notice is kept as its string's key, not as text).
func TestStorageNotice(t *testing.T) {
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
