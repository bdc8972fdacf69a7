package apptest

import (
	"testing"

	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestLibraryFormsOnThePhone opens the library templates whose rules come
// from the seeds (issue 16 item 7) in the guard's form at 360×640: the
// outside inspectors, the escorts and the pre-shift pairs are repeats of
// named people with an ID number and their own signature (a name field
// beside the pad: an external signature), the night round scans the
// route checkpoint's tag, arrival times are asked for, and the drill
// record (emergency-drill-quarterly) opens as any inspection. Each fits the
// phone; with TEST_SCREENSHOTS set, a screenshot of each is kept.
func TestLibraryFormsOnThePhone(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.SQLite(t))
	b := newBrowser(t, 360, 640)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	dismissNotice(b)
	for _, form := range []struct{ key, target, ready string }{
		{"cu-outside-inspector-register", "/inspectors", `[data-path="/inspectors/0/id_number"] input`},
		{"cu-closing-handover", "/escorts", `[data-path="/escorts/0/signature"] canvas`},
		{"cu-opening-check", "/arrived_at", `[data-path="/arrived_at"] .now-button`},
		{"workshop-preshift-mutual-protection", "/pairs", `[data-path="/pairs/0/member_b_sig"] canvas`},
		{"night-patrol-round", "/checkpoint_scan", `[data-path="/checkpoint_scan"] .scan-item`},
		{"emergency-drill-quarterly", "/drill_types", `[data-path="/drill_types"] [data-value="network"]`},
	} {
		t.Run(form.key, func(t *testing.T) {
			b.Eval(`location.hash = '#/templates', true`, nil)
			b.click(`[data-key="` + form.key + `"]`)
			target := `document.querySelector('[data-path="` + form.target + `"]')`
			b.Wait("the form", `document.querySelector('#next-section') || `+target)
			for range 8 {
				var here bool
				b.Eval(`!!`+target, &here)
				if here {
					break
				}
				var section string
				b.Eval(`document.querySelector('.section').id`, &section)
				b.click("#next-section")
				b.Wait("the next section", `document.querySelector('.section') && document.querySelector('.section').id !== '`+section+`'`)
			}
			b.Wait(form.target, target)
			var repeat bool
			b.Eval(`!!document.querySelector('[data-path="`+form.target+`"] .add-repeat')`, &repeat)
			if repeat {
				b.click(`[data-path="` + form.target + `"] .add-repeat`)
			}
			b.Wait("its first field", `document.querySelector('`+jsQuote(form.ready)+`')`)
			b.Eval(target+`.scrollIntoView({block: 'start'}), true`, nil)
			checkLayout(t, b, form.key)
			shots(b, "library-"+form.key)
		})
	}
}

// jsQuote escapes a CSS selector for a single-quoted JavaScript string.
func jsQuote(selector string) string {
	out := []byte{}
	for i := 0; i < len(selector); i++ {
		if selector[i] == '\'' || selector[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, selector[i])
	}
	return string(out)
}
