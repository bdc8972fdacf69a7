package api_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// Ids a media.declare must refuse without failing the rest of its push.

// A media.declare without a usable inspection_id is rejected like POST
// /v1/media rejects it ("must be the id of an inspection"), writes
// nothing, and does not fail the push.
func TestMediaDeclareBadInspectionIDIsRejected(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db, mediaSettings...)
		tenant := env.NewTenant("noinspection")
		token := tenant.Guard.Token
		inspectionID := startInspection(t, env, tenant, token)
		for name, value := range map[string]any{"missing": nil, "not a UUID": "round-7", "empty": ""} {
			t.Run(name, func(t *testing.T) {
				m := photoEvidence(newID(), inspectionID, pngOf(t, 8, 8)).mutation()
				payload := m.Payload.(map[string]any)
				payload["inspection_id"] = value
				if value == nil {
					delete(payload, "inspection_id")
				}
				_, results := push(t, env, token, []mutation{m})
				if r := results[0]; r.Status != "rejected" || !hasPointer(r, "/payload/inspection_id") {
					t.Fatalf("result = %+v, want rejected naming /payload/inspection_id", r)
				}
				wantFree(t, env, token, m.EntityID, inspectionID)
			})
		}
	})
}

// A media.declare naming a medium id of another organisation neither
// reveals nor touches that medium, and does not sink the rest of the
// batch.
func TestMediaDeclareOtherTenantsID(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db, mediaSettings...)
		owner, intruder := env.NewTenant("owner"), env.NewTenant("intruder")
		ownerInspection := startInspection(t, env, owner, owner.Guard.Token)
		theirs := photoEvidence(newID(), ownerInspection, pngOf(t, 8, 8))
		storeBytes(t, env, owner.Guard.Token, theirs)

		r := newReplica()
		r.pullAll(t, env, intruder.Guard.Token, 200)
		templateID, number, _ := r.template(t, patrolTemplate)
		inspectionID := newID()
		start := mut("inspection.start", inspectionID, map[string]any{"template_id": templateID,
			"template_version": number, "site_id": intruder.Sites[0].ID})
		claim := photoEvidence(theirs.id, inspectionID, theirs.body).mutation()
		res := env.Post("/v1/sync/push", intruder.Guard.Token, map[string]any{"mutations": []mutation{start, claim}})
		if res.Status >= 500 { // a device retries a 5xx as is
			again := env.Post("/v1/sync/push", intruder.Guard.Token, map[string]any{"mutations": []mutation{start, claim}})
			t.Logf("the same batch again answered %d", again.Status)
		}
		for _, secret := range []string{ownerInspection, owner.Org.ID, owner.Guard.User.ID} {
			if bytes.Contains(res.Body, []byte(secret)) {
				t.Errorf("the answer names the other organisation's %s: %s", secret, res.Body)
			}
		}
		if res.Status != http.StatusOK {
			t.Errorf("push with another organisation's medium id answered %d, want 200 with that mutation refused alone: %s",
				res.Status, res.Body)
		} else {
			var answer struct{ Results []result }
			res.JSON(t, &answer)
			if got := answer.Results[0].Status; got != "applied" {
				t.Errorf("inspection.start beside the claim = %s, want applied", got)
			}
			if claimed := answer.Results[1]; claimed.Status != "rejected" && claimed.Status != "conflict" {
				t.Errorf("media.declare of another organisation's id = %+v, want rejected or conflict", claimed)
			}
		}

		// The owner's medium is as it was; the intruder cannot see it.
		var d declared
		env.Post("/v1/media", owner.Guard.Token, theirs.declaration()).Want(t, http.StatusOK).JSON(t, &d)
		if d.Status != "stored" {
			t.Errorf("the owner's medium is now %+v, want stored", d)
		}
		if got := fetch(t, env.Get("/v1/media/"+theirs.id, owner.Guard.Token)); !bytes.Equal(got, theirs.body) {
			t.Error("the owner's medium reads other bytes")
		}
		env.Get("/v1/media/"+theirs.id, intruder.Guard.Token).Want(t, http.StatusNotFound)
	})
}
