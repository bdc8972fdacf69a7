package api_test

import (
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// These tests fail until syncer's media.declare is fixed; see the commit
// message that added them.

// A media.declare without a usable inspection_id is rejected like POST
// /v1/media rejects it ("must be the id of an inspection"), writes
// nothing, and does not fail the push.
func TestMediaDeclareBadInspectionIDIsRejected(t *testing.T) {
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
