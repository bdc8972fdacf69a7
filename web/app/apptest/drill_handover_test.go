package apptest

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestDrillRecordedOnThePhone: this quarter's robbery drill is scheduled
// at the guard's site. The guard opens Drills, reads its window in the
// site's time zone (Asia/Shanghai: the quarter starts on the 1st there,
// the day before in UTC), and offline records it with the plan's drill
// template through the ordinary inspection flow; back online the drill
// is held by that one inspection, exactly once, as the console reads it.
func TestDrillRecordedOnThePhone(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.Postgres(t))
	site := s.tenant.Sites[0].ID
	var plan struct{ ID string }
	s.srv.Post("/v1/plans", s.tenant.Admin.Token, map[string]any{"site_id": site, "category": "robbery", "title": "防抢劫应急预案",
		"body": map[string]any{"team": []any{map[string]any{"role": "commander", "user_id": s.tenant.Supervisor.User.ID}},
			"steps": []any{map[string]any{"text": map[string]string{"zh-CN": "按下110报警器", "en": "Press the 110 alarm"}, "role": "communication"}}}}).
		Want(t, http.StatusCreated).JSON(t, &plan)
	zone := shanghai(t)
	var drills struct {
		Items []struct {
			ID      string
			OpensAt time.Time `json:"opens_at"`
			Due     time.Time `json:"due_at"`
		}
	}
	s.srv.Post("/v1/plans/"+plan.ID+"/drills", s.tenant.Supervisor.Token, map[string]any{"cadence": "quarterly",
		"year": time.Now().In(zone).Year()}).Want(t, http.StatusCreated).JSON(t, &drills)
	drillID, window := "", ""
	for _, d := range drills.Items {
		if now := time.Now(); !now.Before(d.OpensAt) && now.Before(d.Due) {
			drillID = d.ID
			window = d.OpensAt.In(zone).Format("Jan 2, 2006") + " – " + d.Due.Add(-time.Second).In(zone).Format("Jan 2, 2006")
		}
	}

	b := newBrowser(t, 360, 640)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	dismissNotice(b)
	language(b, "en", `!!document.querySelector('#today-drills')`)
	b.click("#today-drills")
	row := `document.querySelector('[data-drill="` + drillID + `"]')`
	b.Wait("this quarter's drill, open", row+` && `+row+`.dataset.phase === 'open'`)
	var text string
	b.Eval(row+`.textContent`, &text)
	if !strings.Contains(text, window) || !strings.Contains(text, "防抢劫应急预案") {
		t.Fatalf("the drill reads %q, want its window %q in the site's zone", text, window)
	}
	checkLayout(t, b, "drills")
	shots(b, "drills-en")
	language(b, "zh-CN", row+`.textContent.includes('本期进行中')`)
	checkLayout(t, b, "drills zh")
	shots(b, "drills-zh")
	language(b, "en", row+`.textContent.includes('Open now')`)

	b.Offline(true)
	b.click("#drill-record-" + drillID)
	b.Wait("the drill checklist", `document.querySelector('[data-path="/drill_types"]')`)
	answer := func(path, value string) {
		b.click(`[data-path="` + path + `"] [data-value="` + value + `"]`)
		b.Wait(path, `document.querySelector('[data-path="`+path+`"] [data-value="`+value+`"][aria-pressed="true"]')`)
	}
	answer("/drill_types", "robbery")
	b.click(`[data-path="/drill_date"] .now-button`)
	b.Wait("the date", `document.querySelector('[data-path="/drill_date"].is-ok')`)
	b.typeInto(`[data-path="/scenario"] textarea`, "Two armed men at the counter\t")
	for _, path := range []string{"/leading_group_set", "/staff_pre_trained", "/equipment_ready"} {
		answer(path, "yes")
	}
	b.click("#next-section")
	b.Wait("the run section", `document.querySelector('[data-path="/participants"] input')`)
	b.typeInto(`[data-path="/participants"] input`, "6\t")
	for _, path := range []string{"/alarm_raised", "/roles_followed", "/scene_protected"} {
		answer(path, "yes")
	}
	b.upload(`[data-path="/drill_photos"] input[type=file]`, photoFiles(t)[:1])
	b.Wait("the photo", `document.querySelectorAll('[data-path="/drill_photos"] .photo img').length === 1`)
	b.click("#next-section")
	b.Wait("the review section", `document.querySelector('[data-path="/drill_effect"]')`)
	answer("/drill_effect", "good")
	b.typeInto(`[data-path="/problems_found"] textarea`, "The back door alarm rang late\t")
	b.typeInto(`[data-path="/improvements"] textarea`, "Test the back door alarm weekly\t")
	answer("/archived_reported", "yes")
	b.click("#next-section")
	for _, path := range []string{"/organiser_sig", "/approver_sig"} {
		b.typeInto(`[data-path="`+path+`"] input[type=text]`, "王主任")
		b.draw(`[data-path="`+path+`"] canvas`, [][][2]float64{{{20, 100}, {80, 40}, {140, 110}, {200, 50}}})
		b.click(`[data-path="` + path + `"] .sign-save`)
		b.Wait(path, `document.querySelector('[data-path="`+path+`"] img.signature-img')`)
	}
	b.click("#submit-inspection")
	b.click("#confirm-ok")
	b.Wait("the sync screen", `document.querySelector('#sync-state')`)
	b.Eval(`location.hash = '#/drills', true`, nil)
	b.Wait("the drill recorded on the phone", row+` && !document.querySelector('#drill-record-`+drillID+`')`)
	b.Offline(false)
	waitSynced(t, b, s)

	var held struct {
		Status       string
		InspectionID *string `json:"inspection_id"`
	}
	s.srv.Get("/v1/drills/"+drillID, s.tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &held)
	var list struct{ Items []struct{ ID string } }
	s.srv.Get("/v1/drills?status=held", s.tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &list)
	var templates struct{ Items []struct{ ID, Key string } }
	s.srv.Get("/v1/templates?limit=100", s.tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &templates)
	templateID := ""
	for _, tpl := range templates.Items {
		if tpl.Key == "emergency-drill-quarterly" {
			templateID = tpl.ID
		}
	}
	var inspections struct{ Items []struct{ ID string } }
	s.srv.Get("/v1/inspections?template_id="+templateID, s.tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &inspections)
	if held.Status != "held" || held.InspectionID == nil || len(list.Items) != 1 || len(inspections.Items) != 1 ||
		*held.InspectionID != inspections.Items[0].ID {
		t.Fatalf("after sync the drill is %+v, %d drills held, %d drill inspections: want it held once by the one inspection",
			held, len(list.Items), len(inspections.Items))
	}
}

// TestShiftHandoverOnOnePhone: offline, the outgoing guard starts a shift
// handover on their phone, picking the incoming guard from the site's
// people the phone pulled; the incoming guard signs on the same phone,
// and their own phone (offline too, signed in as them with their key)
// reads the handover by QR, signs it and shows the proof, which the
// outgoing phone reads back. Back online the handover is completed, with
// both signatures, exactly once.
func TestShiftHandoverOnOnePhone(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.Postgres(t))
	site := s.tenant.Sites[0].ID
	incoming := s.srv.NewGuard(s.tenant, "night-guard", site)
	s.srv.NewGuard(s.tenant, "guard-site-b", s.tenant.Sites[1].ID)
	files := t.TempDir()

	out := newBrowser(t, 360, 640)
	login(t, out, s.srv.URL, s.tenant.Guard.Email)
	dismissNotice(out)
	theirs := newBrowser(t, 360, 640)
	theirs.Open(s.srv.URL + "/app/")
	theirs.Wait("the sign-in screen", `!!document.querySelector('#login-email')`)
	signInAs(theirs, incoming.Email)
	waitKey(t, theirs, s, incoming.User.ID, incoming.Token)
	language(out, "en", `!!document.querySelector('#today-duty')`)
	language(theirs, "en", `!!document.querySelector('#countersign-colleague')`)
	out.Offline(true)
	theirs.Offline(true)

	out.click("#today-duty")
	out.click("#duty-handover")
	// A language switch draws the form again, empty: the Chinese one first.
	language(out, "zh-CN", `document.querySelector('#handover-next') && document.querySelector('#handover-next').textContent.includes('签字并交班')`)
	checkLayout(t, out, "handover form zh")
	out.Eval(`window.scrollTo(0, 0), true`, nil)
	shots(out, "handover-zh")
	language(out, "en", `document.querySelector('#handover-next') && document.querySelector('#handover-next').textContent.includes('Sign and hand over')`)
	out.Wait("the site's people", `document.querySelector('#handover-incoming option[value="`+incoming.User.ID+`"]')`)
	var names []string
	out.Eval(`[...document.querySelectorAll('#handover-incoming option')].map((o) => o.textContent)`, &names)
	for _, name := range names {
		if strings.Contains(name, "site-b") || strings.Contains(name, s.tenant.Guard.User.Name) {
			t.Fatalf("the incoming guard list %v offers %q", names, name)
		}
	}
	// Administrators may take any post, so they are in every site's list,
	// named as such so that the outgoing guard knows whom they pick.
	if admin := s.tenant.Admin.User.Name + " (administrator)"; !slices.Contains(names, admin) {
		t.Fatalf("the incoming guard list %v does not offer %q", names, admin)
	}
	out.typeInto("#handover-post", "Lobby post")
	out.Eval(`(() => { const s = document.querySelector('#handover-incoming'); s.value = `+jsString(incoming.User.ID)+`;
		s.dispatchEvent(new Event('change')); return true; })()`, nil)
	out.typeInto("#handover-equipment", "CCTV and alarms working")
	out.typeInto("#handover-open", "Back door closer broken <reported>")
	out.typeInto("#handover-keys", "Two radios, vault key")
	out.draw("#handover .pad canvas", [][][2]float64{{{20, 60}, {80, 20}, {140, 70}}})
	checkLayout(t, out, "handover form")
	out.Eval(`window.scrollTo(0, 0), true`, nil)
	shots(out, "handover-en")
	out.click("#handover-next")
	request := qrPicture(t, out, "#handover-request-qr", "shift-request", files)
	checkLayout(t, out, "handover incoming step")
	out.Eval(`window.scrollTo(0, document.querySelector('#handover-incoming-step').getBoundingClientRect().top + window.scrollY - 130), true`, nil)
	shots(out, "handover-incoming-en")

	theirs.click("#countersign-colleague")
	theirs.upload("#qr-picture", []string{request})
	theirs.Wait("what is handed over", `document.querySelector('#cs-subject')`)
	var subject string
	theirs.Eval(`document.querySelector('#cs-subject').textContent`, &subject)
	for _, want := range []string{"Lobby post", "Back door closer broken <reported>", "Two radios", s.tenant.Guard.User.Name} {
		if !strings.Contains(subject, want) {
			t.Errorf("the incoming guard's phone shows %q, without %q", subject, want)
		}
	}
	shots(theirs, "handover-review-en")
	theirs.click("#cs-colleague-sign")
	proof := qrPicture(t, theirs, "#cs-proof-qr", "shift-proof", files)
	out.draw("#handover-incoming-step .pad canvas", [][][2]float64{{{30, 50}, {90, 20}}, {{100, 60}, {160, 30}}})
	out.click("#handover-read-proof")
	out.upload("#qr-picture", []string{proof})
	out.Wait("the proof taken", `document.querySelector('#handover-finish:not([disabled])')`)
	out.click("#handover-finish")
	out.Wait("back on My duty", `document.querySelector('#duty')`)
	out.Offline(false)
	waitSynced(t, out, s)

	var list struct {
		Items []struct {
			ID              string
			Status          string
			IncomingName    string         `json:"incoming_name"`
			OutgoingStrokes [][][2]float64 `json:"outgoing_strokes"`
			IncomingStrokes [][][2]float64 `json:"incoming_strokes"`
			Items           struct {
				OpenMatters string `json:"open_matters"`
			}
		}
	}
	s.srv.Get("/v1/handovers?site_id="+site, s.tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].Status != "completed" || list.Items[0].IncomingName != "night-guard" ||
		len(list.Items[0].OutgoingStrokes) != 1 || len(list.Items[0].IncomingStrokes) != 2 ||
		list.Items[0].Items.OpenMatters != "Back door closer broken <reported>" {
		t.Fatalf("after sync the site's handovers are %+v: want one, completed with both signatures", list.Items)
	}
}
