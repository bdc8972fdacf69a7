package apptest

import (
	"net/http"
	"testing"

	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestReturnedInspectionShownToGuard: the supervisor returns an inspection
// the guard's phone holds as submitted. After the next sync the phone shows
// the conflict with the server's version; the guard opens it, fixes the
// answer and submits again, and the server has it submitted once more.
func TestReturnedInspectionShownToGuard(t *testing.T) {
	t.Parallel()
	databaseURL := testenv.Postgres(t) // one dialect per browser test (harness_test.go)
	s := setUp(t, databaseURL)
	b := newBrowser(t, 390, 844)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	fillInspection(t, b, photoFiles(t))
	b.Wait("everything synced", `document.querySelector('#sync-state[data-state="synced"]')`)

	var list struct{ Items []struct{ ID string } }
	supervisor := s.tenant.Supervisor.Token
	s.srv.Get("/v1/inspections?template_id="+s.templateID, supervisor).Want(t, http.StatusOK).JSON(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("want one inspection, have %d", len(list.Items))
	}
	id := list.Items[0].ID
	s.srv.Post("/v1/inspections/"+id+"/return", supervisor, map[string]any{
		"comment": "Measure the temperature again", "items": map[string]string{"/temperature": "looks wrong"},
	}).Want(t, http.StatusOK)

	b.click("#sync-now:not([disabled])")
	conflict := `document.querySelector('#sync-records [data-id="` + id + `"][data-state="conflict"] .reopen')`
	b.Wait("the returned inspection shown as a conflict", conflict)
	dismissNotice(b)
	shots(b, "sync-conflict")
	b.click(`#sync-records [data-id="` + id + `"] .reopen`)
	b.Wait("the form open again", `document.querySelector('.section-chip')`)
	b.click(`.section-chip`)
	b.Wait("the first section editable", `document.querySelector('[data-path="/temperature"] input:not([disabled])')`)
	b.Eval(`(() => { const input = document.querySelector('[data-path="/temperature"] input'); input.value = ''; input.focus(); return true; })()`, nil)
	b.typeInto(`[data-path="/temperature"] input`, "23\t")
	b.Wait("the new answer", `document.querySelector('[data-path="/temperature"] input').value === '23' &&
		document.querySelector('[data-path="/temperature"].is-ok')`)
	b.click("#next-section")
	b.click("#submit-inspection")
	b.click("#confirm-ok")
	b.Wait("everything synced again", `document.querySelector('#sync-state[data-state="synced"]')`)

	var detail struct {
		Status  string
		Answers map[string]struct{ Value any }
	}
	s.srv.Get("/v1/inspections/"+id, supervisor).Want(t, http.StatusOK).JSON(t, &detail)
	if detail.Status != "submitted" || detail.Answers["temperature"].Value != float64(23) {
		t.Fatalf("after resubmission: status %q, temperature %v", detail.Status, detail.Answers["temperature"].Value)
	}
}
