package apptest

import (
	"testing"

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
