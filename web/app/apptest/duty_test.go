package apptest

import (
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestDutyOnThePhone: the guard opens My duty, sees their shift of today,
// signs as the incoming guard the handover another guard wrote and signed,
// and writes a line of the duty log, offline; back online, the handover
// is complete with both signatures and the line is on the server.
func TestDutyOnThePhone(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.Postgres(t))
	site := s.tenant.Sites[0].ID
	now := time.Now().UTC()
	s.srv.Post("/v1/shifts", s.tenant.Supervisor.Token, map[string]any{"site_id": site, "post": "Lobby post",
		"user_id": s.tenant.Guard.User.ID, "starts_at": now.Add(-time.Hour).Format(time.RFC3339),
		"ends_at": now.Add(7 * time.Hour).Format(time.RFC3339)}).Want(t, http.StatusCreated)
	outgoing := s.srv.NewGuard(s.tenant, "guard-day", site)
	var handover struct{ ID string }
	s.srv.Post("/v1/handovers", outgoing.Token, map[string]any{"site_id": site, "post": "Lobby post",
		"incoming_user_id": s.tenant.Guard.User.ID, "handed_at": now.Format(time.RFC3339),
		"items":     map[string]any{"open_matters": "Back door closer broken", "equipment": "CCTV and alarms working"},
		"signature": map[string]any{"strokes": [][][2]float64{{{10, 40}, {30, 10}, {50, 40}}}}}).
		Want(t, http.StatusCreated).JSON(t, &handover)

	b := newBrowser(t, 360, 640)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	b.click("#today-duty")
	b.Wait("the shift", `document.querySelector('#duty-shifts') && document.querySelector('#duty-shifts').textContent.includes('Lobby post')`)
	b.Wait("the handover to sign", `document.querySelector('[data-handover="`+handover.ID+`"]')`)
	shots(b, "duty-en")
	b.Offline(true)
	b.draw(`[data-handover="`+handover.ID+`"] canvas`, [][][2]float64{{{20, 40}, {60, 15}, {100, 45}}, {{120, 30}, {170, 30}}})
	b.click("#duty-sign-" + handover.ID)
	b.Wait("the handover signed", `!document.querySelector('[data-handover="`+handover.ID+`"]')`)
	b.typeInto("#duty-log-text", "Alarm on the back door went off once; reset")
	b.click("#duty-log-save")
	b.Wait("the log saved", `document.querySelector('#duty-log-text') && document.querySelector('#duty-log-text').value === ''`)
	b.Offline(false)
	b.click("#tab-sync")
	b.Wait("everything synced", `document.querySelector('#sync-state[data-state="synced"]')`)

	var signed struct {
		Status          string
		IncomingStrokes [][][2]float64 `json:"incoming_strokes"`
	}
	s.srv.Get("/v1/handovers/"+handover.ID, s.tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &signed)
	if signed.Status != "completed" || len(signed.IncomingStrokes) != 2 {
		t.Fatalf("the handover after sync: %+v", signed)
	}
	var log struct{ Items []struct{ Text, Kind string } }
	s.srv.Get("/v1/duty-log?site_id="+site, s.tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &log)
	if len(log.Items) != 1 || log.Items[0].Kind != "routine" {
		t.Fatalf("the duty log after sync: %+v", log.Items)
	}
}

// TestTrainingSignInOnThePhone: a training session runs at the guard's
// site; offline, the guard opens My duty, reads the session and signs the
// attendance sheet with a finger; back online, the sheet on the server
// holds the guard's signature.
func TestTrainingSignInOnThePhone(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.Postgres(t))
	site := s.tenant.Sites[0].ID
	now := time.Now().UTC()
	var training struct{ ID string }
	s.srv.Post("/v1/trainings", s.tenant.Supervisor.Token, map[string]any{"site_id": site, "topic": "Robbery response drill briefing",
		"trainer": "Security dept. Wang", "starts_at": now.Add(-10 * time.Minute).Format(time.RFC3339),
		"ends_at": now.Add(time.Hour).Format(time.RFC3339)}).Want(t, http.StatusCreated).JSON(t, &training)

	b := newBrowser(t, 390, 844)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	b.click("#today-duty")
	card := `document.querySelector('[data-training="` + training.ID + `"]')`
	b.Wait("the training to sign", card+`?.textContent.includes('Robbery response drill briefing')`)
	shots(b, "duty-training-en")
	b.Offline(true)
	b.draw(`[data-training="`+training.ID+`"] canvas`, [][][2]float64{{{20, 40}, {60, 15}, {100, 45}}, {{120, 30}, {170, 30}}})
	b.click("#duty-attend-" + training.ID)
	b.Wait("the sheet signed", `!`+card)
	b.Offline(false)
	b.click("#tab-sync")
	b.Wait("everything synced", `document.querySelector('#sync-state[data-state="synced"]')`)

	var sheet struct {
		Attendance []struct {
			UserID  string `json:"user_id"`
			Strokes [][][2]float64
		}
	}
	s.srv.Get("/v1/trainings/"+training.ID, s.tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &sheet)
	if len(sheet.Attendance) != 1 || sheet.Attendance[0].UserID != s.tenant.Guard.User.ID || len(sheet.Attendance[0].Strokes) != 2 {
		t.Fatalf("the attendance sheet after sync: %+v", sheet.Attendance)
	}
}
