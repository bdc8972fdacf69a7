package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/media"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// declaredMedia declares n media (no bytes yet) for an inspection of the
// guard's (a new one when inspectionID is "") and returns their ids.
func declaredMedia(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, token, inspectionID string, n int) []string {
	t.Helper()
	if inspectionID == "" {
		inspectionID = startInspection(t, env, tenant, token)
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = newID()
		declareOnly(t, env, token, inspectionID, ids[i])
	}
	return ids
}

// A record naming media links it in its own transaction: photos named by
// an incident, its follow-up, a finding and a finding's rectification
// evidence outlive the orphan sweep, which takes only media no record
// names. A media id unknown in the organisation is refused by field.
func TestEvidenceNamedByRecordsStays(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db, mediaSettings...)
		tenant := env.NewTenant("evidence")
		site, guard := tenant.Sites[0].ID, tenant.Guard.Token
		inspectionID := startInspection(t, env, tenant, guard)
		named, orphan := []string{newID(), newID(), newID(), newID()}, newID()
		for _, id := range append([]string{orphan}, named...) {
			uploadStored(t, env, guard, inspectionID, id)
		}
		now := time.Now().UTC().Format(time.RFC3339)
		incidentID, findingID := newID(), newID()
		unknown := newID()
		_, results := push(t, env, guard, []mutation{
			mut("incident.report", newID(), map[string]any{"site_id": site, "type": "intrusion", "level": "general",
				"occurred_at": now, "description": "Window forced", "media": []string{named[0], unknown}}),
			mut("finding.create", newID(), map[string]any{"site_id": site, "title": "Exit blocked", "severity": "low",
				"media": []string{unknown}}),
			mut("incident.report", incidentID, map[string]any{"site_id": site, "type": "intrusion", "level": "general",
				"occurred_at": now, "description": "Window forced", "media": []string{named[0]}}),
			mut("incident.follow_up", incidentID, map[string]any{"note": "Glass on the floor", "media": []string{named[1]}}),
			mut("finding.create", findingID, map[string]any{"site_id": site, "title": "Exit blocked", "severity": "low",
				"media": []string{named[2]}}),
		})
		if !hasPointer(results[0], "/payload/media/1") || results[0].Status != "rejected" {
			t.Fatalf("incident.report naming an unknown medium = %+v", results[0])
		}
		if !hasPointer(results[1], "/payload/media/0") || results[1].Status != "rejected" {
			t.Fatalf("finding.create naming an unknown medium = %+v", results[1])
		}
		wantStatus(t, results[2:], "applied")
		fields := env.Post("/v1/findings", guard, map[string]any{"site_id": site, "title": "Exit blocked",
			"severity": "low", "media": []string{unknown}}).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if fields["/media/0"] == "" {
			t.Fatalf("POST /v1/findings naming an unknown medium: %v", fields)
		}
		env.Post("/v1/findings/"+findingID+"/assign", tenant.Supervisor.Token,
			map[string]any{"assignee_id": tenant.Guard.User.ID}).Want(t, http.StatusOK)
		env.Post("/v1/findings/"+findingID+"/rectify", guard, map[string]any{"note": "cleared",
			"evidence": []string{unknown}}).Want(t, http.StatusUnprocessableEntity)
		env.Post("/v1/findings/"+findingID+"/rectify", guard, map[string]any{"note": "cleared",
			"evidence": []string{named[3]}}).Want(t, http.StatusOK)

		if err := env.App.Media.Collect(context.Background(), media.CollectArgs{GraceSeconds: 0}); err != nil {
			t.Fatal(err)
		}
		ctx, _, err := env.App.Org.ActAsOrg(context.Background(), tenant.Org.Slug)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range named {
			if row, err := env.App.DB.Read(ctx).Media(id); err != nil || row.Status != media.Stored {
				t.Fatalf("medium %s named by a record after the sweep: %+v, %v", id, row.Status, err)
			}
		}
		if row, err := env.App.DB.Read(ctx).Media(orphan); err != nil || row.Status != media.Deleted {
			t.Fatalf("the orphan after the sweep: %+v, %v", row.Status, err)
		}
	})
}

// A finding raised from a failed item carries that item's photos (linked,
// so the sweep keeps them), starts its history with "created" as a
// finding made over REST does, and is titled in both of the template's
// languages.
func TestRaisedFindingCarriesItsItem(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("raised")
		inspectionID, _ := submitted(t, env, tenant, patrolTemplate, false)
		var list struct {
			Items []findingDetail
		}
		env.Get("/v1/findings?site_id="+tenant.Sites[0].ID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &list)
		withMedia := 0
		for _, item := range list.Items {
			if item.InspectionID == nil || *item.InspectionID != inspectionID {
				continue
			}
			var f struct {
				findingDetail
				Title string   `json:"title"`
				Media []string `json:"media"`
			}
			env.Get("/v1/findings/"+item.ID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &f)
			if len(f.History) == 0 || f.History[0].Kind != "created" {
				t.Fatalf("raised finding %s history %+v, want it to start with created", f.ID, f.History)
			}
			if !strings.Contains(f.Title, " / ") {
				t.Fatalf("raised finding title %q is not in both languages", f.Title)
			}
			if len(f.Media) > 0 {
				withMedia++
			}
		}
		if withMedia == 0 {
			t.Fatalf("no finding raised from %s carries its failed item's photos: %+v", inspectionID, list.Items)
		}
		if err := env.App.Media.Collect(context.Background(), media.CollectArgs{GraceSeconds: 0}); err != nil {
			t.Fatal(err)
		}
	})
}
