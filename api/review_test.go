package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// Sign-off binds to the content hash the supervisor saw, refuses while
// evidence is uploading, and freezes the inspection for sync and the API.
func TestSignOffFreezesTheInspection(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("signoff")
		id, hash := submitted(t, env, tenant, patrolTemplate, true)

		var queue struct{ Items []inspectionDetail }
		env.Get("/v1/reviews?has_findings=false&media_pending=false", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &queue)
		if len(queue.Items) != 1 || queue.Items[0].ID != id {
			t.Fatalf("review queue = %+v, want the submitted inspection", queue.Items)
		}
		env.Get("/v1/reviews?media_pending=maybe", tenant.Supervisor.Token).Want(t, http.StatusUnprocessableEntity)

		cases := []struct {
			name    string
			ifMatch string
			body    any
			status  int
			pointer string
		}{
			{"no If-Match", "", strokes, http.StatusUnprocessableEntity, "/headers/If-Match"},
			{"no signature", hash, map[string]any{"comment": "x"}, http.StatusUnprocessableEntity, "/signature"},
			{"bad media id", hash, map[string]any{"signature": map[string]any{"media_id": "nope"}}, http.StatusUnprocessableEntity, "/signature/media_id"},
			{"stale hash", "0000" + hash[4:], strokes, http.StatusPreconditionFailed, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := approve(env, tenant.Supervisor.Token, id, tc.ifMatch, tc.body).Want(t, tc.status)
				if tc.pointer != "" {
					if _, ok := res.FieldErrors(t)[tc.pointer]; !ok {
						t.Fatalf("errors %v do not name %s", res.FieldErrors(t), tc.pointer)
					}
				}
			})
		}
		// Evidence still uploading: refused until the media service clears the flag.
		sqlExec(t, env, "UPDATE inspections SET media_pending = ? WHERE id = ?", true, id)
		approve(env, tenant.Supervisor.Token, id, hash, strokes).Want(t, http.StatusConflict).Problem(t)
		sqlExec(t, env, "UPDATE inspections SET media_pending = ? WHERE id = ?", false, id)

		var approved inspectionDetail
		approve(env, tenant.Supervisor.Token, id, `"`+hash+`"`, strokes).Want(t, http.StatusOK).JSON(t, &approved)
		if approved.Status != "approved" || approved.ApprovedHash == nil || *approved.ApprovedHash != hash ||
			*approved.ApprovedBy != tenant.Supervisor.User.ID || approved.History[len(approved.History)-1].Kind != "approved" {
			t.Fatalf("approved = %+v", approved)
		}
		// Frozen: API review actions and sync changes are refused.
		approve(env, tenant.Supervisor.Token, id, hash, strokes).Want(t, http.StatusConflict)
		env.Post("/v1/inspections/"+id+"/return", tenant.Supervisor.Token, map[string]any{"comment": "redo"}).Want(t, http.StatusConflict)
		_, results := push(t, env, tenant.Guard.Token, []mutation{
			mut("answer.set", id, map[string]any{"path": "/entrance_scan", "answer": map[string]any{"value": "x"}}),
			mut("inspection.submit", id, map[string]any{"content_hash": "different"}),
		})
		wantStatus(t, results, "conflict")
		// The guard's phone pulls the sign-off.
		r := newReplica()
		r.pullAll(t, env, tenant.Guard.Token, 500)
		var pulled struct{ Status string }
		json.Unmarshal(r.ofType("inspection")[id].Data, &pulled)
		if pulled.Status != "approved" {
			t.Fatalf("guard pulled status %q", pulled.Status)
		}
		// The queue no longer holds it, and the guard cannot see the queue.
		env.Get("/v1/reviews", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &queue)
		if len(queue.Items) != 0 {
			t.Fatalf("queue after sign-off = %+v", queue.Items)
		}
	})
}

// A returned inspection goes back to its device, which fixes it and submits
// again; the history keeps every step.
func TestReturnAndResubmit(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("return")
		id, hash := submitted(t, env, tenant, patrolTemplate, true)
		bad := env.Post("/v1/inspections/"+id+"/return", tenant.Supervisor.Token, map[string]any{"items": map[string]string{"nope": "x"}}).
			Want(t, http.StatusUnprocessableEntity)
		if len(bad.FieldErrors(t)) == 0 {
			t.Fatal("a bad item path is not named")
		}
		env.Post("/v1/inspections/"+id+"/return", tenant.Supervisor.Token, map[string]any{}).Want(t, http.StatusUnprocessableEntity)
		var returned inspectionDetail
		env.Post("/v1/inspections/"+id+"/return", tenant.Supervisor.Token, map[string]any{"comment": "photo is blurred",
			"items": map[string]string{"/entrance_scan": "scan the tag again"}}).Want(t, http.StatusOK).JSON(t, &returned)
		if returned.Status != "returned" {
			t.Fatalf("status %s", returned.Status)
		}
		approve(env, tenant.Supervisor.Token, id, hash, strokes).Want(t, http.StatusConflict)
		_, results := push(t, env, tenant.Guard.Token, []mutation{mut("inspection.submit", id, map[string]any{})})
		wantStatus(t, results, "applied")
		var again inspectionDetail
		env.Get("/v1/inspections/"+id, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &again)
		kinds := ""
		for _, h := range again.History {
			kinds += h.Kind + " "
		}
		if again.Status != "submitted" || kinds != "started submitted returned resubmitted " {
			t.Fatalf("after resubmit: %s, history %q", again.Status, kinds)
		}
		approve(env, tenant.Supervisor.Token, id, again.ContentHash, strokes).Want(t, http.StatusOK)
	})
}
