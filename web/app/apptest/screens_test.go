package apptest

import (
	"fmt"
	"testing"

	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// checkLayout fails when the screen scrolls sideways at phone width or a
// control is smaller than a fingertip (44 px).
func checkLayout(t testing.TB, b *browser, screen string) {
	t.Helper()
	var problems []string
	b.Eval(`(() => {
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

// TestPhoneScreens walks the guard's screens at 360×640 (and each again at
// 768×1024) in English and Chinese, checks each fits (no sideways
// scrolling, 44 px targets) and, with TEST_SCREENSHOTS set, keeps a screenshot of each.
func TestPhoneScreens(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.SQLite(t))
	b := newBrowser(t, 360, 640)
	phone := browsertest.Viewport{Name: "360x640", Width: 360, Height: 640, Scale: 2}
	tablet := browsertest.Viewport{Name: "768x1024", Width: 768, Height: 1024, Scale: 1}
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	photos := photoFiles(t)
	b.click("#dismiss-storage")
	b.Wait("the notice gone", `!document.querySelector('#dismiss-storage')`)
	for index, lang := range []string{"en", "zh"} {
		if index > 0 {
			b.Eval(`location.hash = '#/today', true`, nil)
			// The hash change redraws the screen, topbar included: a press
			// on the old toggle that the redraw replaced between its down
			// and up was no click (clean run 4 stayed in English).
			b.Wait("today drawn", `document.querySelector('#tab-today[aria-current=page]') !== null`)
			b.click("#lang-toggle")
			b.Wait("Chinese", `document.documentElement.lang === 'zh-CN'`)
		}
		screen := func(name string) {
			t.Helper()
			b.Wait("the toast gone", `!document.querySelector('.toast') || getComputedStyle(document.querySelector('.toast')).opacity === '0'`)
			// The language switch redraws the screen after it sets lang: a
			// Chinese screenshot once showed the English screen still there.
			b.Wait("the screen drawn in "+lang, `document.querySelector('.topbar h1') &&
				/[\u4e00-\u9fff]/.test(document.querySelector('.topbar h1').textContent) === `+fmt.Sprint(lang == "zh"))
			checkLayout(t, b, name+"-"+lang)
			shots(b, name+"-"+lang)
			// The same screen on a tablet in portrait, as a post's shared
			// tablet shows it.
			b.SetViewport(tablet)
			b.Wait("the tablet's width", `window.innerWidth === 768`)
			checkLayout(t, b, name+"-tablet-"+lang)
			shots(b, name+"-tablet-"+lang)
			b.SetViewport(phone)
			b.Wait("the phone's width", `window.innerWidth === 360`)
		}
		b.Eval(`location.hash = '#/today', true`, nil)
		b.Wait("today", `document.querySelector('[data-round]')`)
		screen("today")

		b.Eval(`location.hash = '#/round/`+s.roundID+`', true`, nil)
		openScan(b)
		b.typeInto("#scan-code", tags[index])
		screen("scan")
		b.submitScan()
		b.Wait("the scan", fmt.Sprintf(`document.querySelectorAll('#checkpoints .checkpoint.done').length === %d`, index+1))
		screen("round")

		b.Offline(true)
		b.Eval(`location.hash = '#/templates', true`, nil)
		b.click(`[data-key="shift-check"]`)
		b.Wait("the form", `document.querySelector('[data-path="/door_locked"]')`)
		b.click(`[data-path="/door_locked"] [data-value="no"]`)
		b.Wait("the failure", `document.querySelector('[data-path="/door_locked"].is-failed')`)
		b.Eval(`window.scrollTo(0, 0), true`, nil)
		screen("inspection")
		b.click(`[data-path="/door_locked"] [data-value="yes"]`)
		b.Wait("the answer", `document.querySelector('[data-path="/door_locked"].is-ok')`)
		b.typeInto(`[data-path="/temperature"] input`, "21\t")
		b.Wait("the number", `document.querySelector('[data-path="/temperature"].is-ok')`)
		b.click("#next-section")
		b.Wait("the evidence section", `document.querySelector('[data-path="/scene_photos"] input[type=file]')`)
		b.upload(`[data-path="/scene_photos"] input[type=file]`, photos)
		b.Wait("two photos", `document.querySelectorAll('[data-path="/scene_photos"] .photo img').length === 2`)
		b.Eval(`document.querySelector('[data-path="/scene_photos"]').scrollIntoView({block: 'start'}), true`, nil)
		b.Wait("the photos in view", `document.querySelector('[data-path="/scene_photos"] .photo').getBoundingClientRect().top < window.innerHeight - 120`)
		screen("photo")
		b.draw(`[data-path="/guard_signature"] canvas`, [][][2]float64{
			{{20, 120}, {50, 50}, {80, 140}, {110, 60}, {140, 130}, {170, 70}},
			{{190, 100}, {230, 95}, {280, 80}},
		})
		b.click(`[data-path="/guard_signature"] .sign-save`)
		b.Wait("the signature", `document.querySelector('[data-path="/guard_signature"] img.signature-img')`)
		b.Eval(`document.querySelector('[data-path="/guard_signature"]').scrollIntoView({block: 'center'}), true`, nil)
		screen("signature")
		b.click("#submit-inspection")
		b.click("#confirm-ok")
		b.Wait("the sync screen", `document.querySelector('#sync-state[data-state="waiting"]')`)
		screen("sync-waiting")
		b.Offline(false)
		b.Wait("everything synced", `document.querySelector('#sync-state[data-state="synced"]')`)
		// The synced state heads the screen: show it, not the records below.
		b.Eval(`window.scrollTo(0, 0), true`, nil)
		b.Wait("the top of the sync screen", `window.scrollY === 0`)
		screen("sync-done")
	}
}
