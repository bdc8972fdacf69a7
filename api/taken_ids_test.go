package api_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/testenv"
)

// Client ids are global keys. A push creating a record under an id another
// organisation already uses gets that mutation rejected as taken, in the
// same words as any other unusable id, every time: it is no transient
// fault (never a 503 that the device would retry forever), the rest of the
// batch applies, and nothing of the other organisation is revealed or
// touched.
func TestIDTakenInAnotherOrganisationIsRejectedAlone(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := roundsEnv(t, db)
		owner, intruder := env.NewTenant("owner"), env.NewTenant("intruder")
		now := time.Now().UTC()
		slot := now.Truncate(time.Hour).Add(-2 * time.Hour)

		// The owner's records, one of each kind a push creates.
		inspectionID := startInspection(t, env, owner, owner.Guard.Token)
		findingID, incidentID := newID(), newID()
		ownerRoute := newRoute(t, env, owner, owner.Sites[0].ID)
		ownerRound := pastRound(t, env, owner, ownerRoute, slot, nil)
		ownerScan := scan(ownerRound.ID, "QR-LOBBY", slot.Add(5*time.Minute), nil)
		_, results := push(t, env, owner.Guard.Token, []mutation{
			mut("finding.create", findingID, map[string]any{"site_id": owner.Sites[0].ID, "title": "Exit blocked", "severity": "low"}),
			mut("incident.report", incidentID, map[string]any{"site_id": owner.Sites[0].ID, "type": "intrusion",
				"level": "general", "occurred_at": now.Format(time.RFC3339), "description": "Window forced"}),
			ownerScan,
		})
		wantStatus(t, results, "applied")
		before := map[string][]byte{
			"/v1/inspections/" + inspectionID: env.Get("/v1/inspections/"+inspectionID, owner.Admin.Token).Want(t, http.StatusOK).Body,
			"/v1/findings/" + findingID:       env.Get("/v1/findings/"+findingID, owner.Admin.Token).Want(t, http.StatusOK).Body,
			"/v1/incidents/" + incidentID:     env.Get("/v1/incidents/"+incidentID, owner.Admin.Token).Want(t, http.StatusOK).Body,
		}

		r := newReplica()
		r.pullAll(t, env, intruder.Guard.Token, 200)
		templateID, number, _ := r.template(t, patrolTemplate)
		site := intruder.Sites[0].ID
		intruderRound := pastRound(t, env, intruder, newRoute(t, env, intruder, site), slot, nil)
		own := newID()
		claimScan := scan(intruderRound.ID, "QR-LOBBY", slot.Add(6*time.Minute), nil)
		claimScan.EntityID = ownerScan.EntityID
		batch := []mutation{
			mut("inspection.start", inspectionID, map[string]any{"template_id": templateID, "template_version": number, "site_id": site}),
			mut("finding.create", findingID, map[string]any{"site_id": site, "title": "Exit blocked", "severity": "low"}),
			mut("incident.report", incidentID, map[string]any{"site_id": site, "type": "intrusion", "level": "general",
				"occurred_at": now.Format(time.RFC3339), "description": "Window forced"}),
			claimScan,
			mut("finding.create", own, map[string]any{"site_id": site, "title": "Exit blocked", "severity": "low"}),
		}
		for attempt := 0; attempt < 2; attempt++ { // the same answer every time
			res := env.Post("/v1/sync/push", intruder.Guard.Token, map[string]any{"mutations": batch}).Want(t, http.StatusOK)
			for _, secret := range []string{owner.Org.ID, owner.Guard.User.ID, owner.Sites[0].ID, ownerRound.ID} {
				if bytes.Contains(res.Body, []byte(secret)) {
					t.Fatalf("the answer names the other organisation's %s: %s", secret, res.Body)
				}
			}
			var answer struct{ Results []result }
			res.JSON(t, &answer)
			for i, got := range answer.Results[:4] {
				if got.Status != "rejected" || len(got.Errors) != 1 || got.Errors[0].Pointer != "/entity_id" ||
					got.Errors[0].Detail != "this id is taken: make a new one" {
					t.Fatalf("attempt %d, %s of a taken id = %+v, want rejected as taken", attempt, batch[i].Type, got)
				}
			}
			if got := answer.Results[4]; got.Status != "applied" {
				t.Fatalf("the valid mutation beside them = %+v", got)
			}
		}
		env.Get("/v1/findings/"+own, intruder.Guard.Token).Want(t, http.StatusOK)
		for path, body := range before {
			env.Get(path, intruder.Admin.Token).Want(t, http.StatusNotFound)
			if after := env.Get(path, owner.Admin.Token).Want(t, http.StatusOK).Body; !bytes.Equal(after, body) {
				t.Fatalf("%s changed:\nbefore %s\nafter  %s", path, body, after)
			}
		}
		if got := getRound(t, env, owner.Admin.Token, ownerRound.ID); len(got.Scans) != 1 || got.Scans[0].ID != ownerScan.EntityID {
			t.Fatalf("the owner's round has scans %+v, want only its own", got.Scans)
		}
	})
}
