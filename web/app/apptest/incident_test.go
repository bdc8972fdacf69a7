package apptest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestIncidentAndRectification: offline, the guard reports an incident
// with a photo and sends the rectification of a finding assigned to them
// with evidence; back online, both reach the server with their photos.
func TestIncidentAndRectification(t *testing.T) {
	t.Parallel()
	databaseURL := testenv.SQLite(t) // one dialect per browser test (harness_test.go)
	s := setUp(t, databaseURL)
	supervisor := s.tenant.Supervisor.Token
	var finding struct{ ID string }
	s.srv.Post("/v1/findings", supervisor, map[string]any{
		"site_id": s.tenant.Sites[0].ID, "title": "Back door lock broken", "severity": "high",
		"assignee_id": s.tenant.Guard.User.ID, "due_at": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339),
	}).Want(t, http.StatusCreated).JSON(t, &finding)

	b := newBrowser(t, 390, 844)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	photos := photoFiles(t)
	b.Offline(true)

	b.click("#tab-findings")
	b.click(`#findings a[href="#/findings/` + finding.ID + `"]`)
	b.typeInto("#rectify-note", "Lock replaced, tested twice")
	b.upload("#rectify-form input[type=file]", photos[:1])
	b.Wait("the evidence photo", `document.querySelectorAll('#rectify-form .photo img').length === 1`)
	shots(b, "rectify-en")
	b.click("#rectify-send")
	b.Wait("the sync screen", `document.querySelector('#sync-state')`)

	b.click("#tab-incident")
	b.click(`#incident-level [data-value="serious"]`)
	b.typeInto("#incident-place", "Car park, level -1")
	b.typeInto("#incident-description", "Gate barrier forced open; nobody seen")
	b.upload("#incident-form input[type=file]", photos[1:])
	b.Wait("the incident photo", `document.querySelectorAll('#incident-form .photo img').length === 1`)
	shots(b, "incident-en")
	b.click("#incident-send")
	b.Wait("two records waiting", `document.querySelectorAll('#sync-records [data-state="waiting"]').length === 2`)

	b.Offline(false)
	b.Wait("everything synced", `document.querySelector('#sync-state[data-state="synced"]')`)

	var rectified struct {
		Status            string
		RectificationNote string `json:"rectification_note"`
		Evidence          []string
	}
	s.srv.Get("/v1/findings/"+finding.ID, supervisor).Want(t, http.StatusOK).JSON(t, &rectified)
	if rectified.Status != "rectified" || len(rectified.Evidence) != 1 || rectified.RectificationNote == "" {
		t.Fatalf("finding after sync: %+v", rectified)
	}
	var incidents struct {
		Items []struct {
			ID, Level, Place, Description string
			Media                         json.RawMessage
		}
	}
	s.srv.Get("/v1/incidents?site_id="+s.tenant.Sites[0].ID, supervisor).Want(t, http.StatusOK).JSON(t, &incidents)
	if len(incidents.Items) != 1 || incidents.Items[0].Level != "serious" || incidents.Items[0].Place != "Car park, level -1" {
		t.Fatalf("incidents: %+v", incidents.Items)
	}
	var media []string
	json.Unmarshal(incidents.Items[0].Media, &media)
	if len(media) != 1 {
		t.Fatalf("incident media: %s", incidents.Items[0].Media)
	}
	for _, id := range []string{rectified.Evidence[0], media[0]} {
		if response := s.srv.Get("/v1/media/"+id, s.tenant.Guard.Token); response.Status != http.StatusFound {
			t.Fatalf("media %s: %d %s", id, response.Status, response.Body)
		}
	}
}
