package apptest

import (
	"fmt"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/testenv"
)

// checkLayout fails when the screen scrolls sideways at phone width or a
// control is smaller than a fingertip (44 px).
func checkLayout(t testing.TB, b *browser, screen string) {
	t.Helper()
	var problems []string
	b.eval(`(() => {
		const out = [];
		if (document.documentElement.scrollWidth > window.innerWidth + 1) {
			out.push('scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + window.innerWidth);
		}
		for (const element of document.querySelectorAll('button, a[href], input, select, textarea, .file-button')) {
			const box = element.getBoundingClientRect();
			if (box.width === 0 || box.height === 0 || getComputedStyle(element).visibility === 'hidden') continue;
			if (element.closest('dialog') && !element.closest('dialog').open) continue;
			if (box.height < 44 || box.width < 44) out.push((element.id || element.className || element.tagName) + ' is ' + Math.round(box.width) + '×' + Math.round(box.height));
		}
		return out;
	})()`, &problems)
	if len(problems) > 0 {
		t.Errorf("%s: %v", screen, problems)
	}
}

// TestPhoneScreens walks the guard's screens at 360×640 in English and
// Chinese, checks each fits the phone (no sideways scrolling, 44 px
// targets) and, with TEST_SCREENSHOTS set, keeps a screenshot of each.
func TestPhoneScreens(t *testing.T) {
	s := setUp(t, testenv.SQLite(t))
	b := newBrowser(t, t.TempDir(), 360, 640)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	photos := photoFiles(t)
	b.click("#dismiss-storage")
	b.waitFor("the notice gone", `!document.querySelector('#dismiss-storage')`, 10*time.Second)
	for index, lang := range []string{"en", "zh"} {
		if index > 0 {
			b.eval(`location.hash = '#/today', true`, nil)
			b.click("#lang-toggle")
			b.waitFor("Chinese", `document.documentElement.lang === 'zh-CN'`, 10*time.Second)
		}
		screen := func(name string) {
			t.Helper()
			b.waitFor("the toast gone", `!document.querySelector('.toast') || getComputedStyle(document.querySelector('.toast')).opacity === '0'`, 10*time.Second)
			checkLayout(t, b, name+"-"+lang)
			shots(b, name+"-"+lang)
		}
		b.eval(`location.hash = '#/today', true`, nil)
		b.waitFor("today", `document.querySelector('[data-round]')`, 10*time.Second)
		screen("today")

		b.eval(`location.hash = '#/round/`+s.roundID+`', true`, nil)
		b.click("#scan-button")
		b.typeInto("#scan-code", tags[index])
		screen("scan")
		b.click("#scan-submit")
		b.waitFor("the scan", fmt.Sprintf(`document.querySelectorAll('#checkpoints .checkpoint.done').length === %d`, index+1), 10*time.Second)
		screen("round")

		b.offline(true)
		b.eval(`location.hash = '#/templates', true`, nil)
		b.click(`[data-key="shift-check"]`)
		b.waitFor("the form", `document.querySelector('[data-path="/door_locked"]')`, 30*time.Second)
		b.click(`[data-path="/door_locked"] [data-value="no"]`)
		b.waitFor("the failure", `document.querySelector('[data-path="/door_locked"].is-failed')`, 10*time.Second)
		b.eval(`window.scrollTo(0, 0), true`, nil)
		screen("inspection")
		b.click(`[data-path="/door_locked"] [data-value="yes"]`)
		b.waitFor("the answer", `document.querySelector('[data-path="/door_locked"].is-ok')`, 10*time.Second)
		b.typeInto(`[data-path="/temperature"] input`, "21\t")
		b.waitFor("the number", `document.querySelector('[data-path="/temperature"].is-ok')`, 10*time.Second)
		b.click("#next-section")
		b.waitFor("the evidence section", `document.querySelector('[data-path="/scene_photos"] input[type=file]')`, 10*time.Second)
		b.upload(`[data-path="/scene_photos"] input[type=file]`, photos)
		b.waitFor("two photos", `document.querySelectorAll('[data-path="/scene_photos"] .photo img').length === 2`, 30*time.Second)
		b.eval(`document.querySelector('[data-path="/scene_photos"]').scrollIntoView({block: 'start'}), true`, nil)
		b.waitFor("the photos in view", `document.querySelector('[data-path="/scene_photos"] .photo').getBoundingClientRect().top < window.innerHeight - 120`, 5*time.Second)
		screen("photo")
		b.draw(`[data-path="/guard_signature"] canvas`, [][][2]float64{
			{{20, 120}, {50, 50}, {80, 140}, {110, 60}, {140, 130}, {170, 70}},
			{{190, 100}, {230, 95}, {280, 80}},
		})
		b.click(`[data-path="/guard_signature"] .sign-save`)
		b.waitFor("the signature", `document.querySelector('[data-path="/guard_signature"] img.signature-img')`, 10*time.Second)
		b.eval(`document.querySelector('[data-path="/guard_signature"]').scrollIntoView({block: 'center'}), true`, nil)
		screen("signature")
		b.click("#submit-inspection")
		b.click("#confirm-ok")
		b.waitFor("the sync screen", `document.querySelector('#sync-state[data-state="waiting"]')`, 10*time.Second)
		screen("sync-waiting")
		b.offline(false)
		b.waitFor("everything synced", `document.querySelector('#sync-state[data-state="synced"]')`, 60*time.Second)
		screen("sync-done")
	}
}
