package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

const patrolTemplate = "night-patrol-round"

// A guard's day: pull, fill an inspection offline, push, and see it on the
// server exactly once, with the supervisor seeing it and another guard not.
func TestInspectionRoundTrip(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("trip")
		guard := newReplica()
		guard.pullAll(t, env, tenant.Guard.Token, 50)
		if len(guard.ofType("site")) != 1 {
			t.Fatalf("guard pulled sites %v, want only their own", guard.ofType("site"))
		}
		templateID, number, doc := guard.template(t, patrolTemplate)
		input := checklists.SampleAnswers(doc, true)
		id, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, input, true)
		batch = declareMedia(t, env, tenant.Guard.Token, doc, batch)

		raw, results := push(t, env, tenant.Guard.Token, batch)
		wantStatus(t, results, "applied")
		submit := results[len(results)-1]
		if submit.ContentHash == "" || submit.Version != int64(len(batch)) {
			t.Fatalf("submit result = %+v", submit)
		}

		// The same batch again (a lost response): every result replayed byte for byte.
		again, _ := push(t, env, tenant.Guard.Token, batch)
		for i := range raw {
			if !bytes.Equal(raw[i], again[i]) {
				t.Fatalf("replay %d differs:\nfirst  %s\nsecond %s", i, raw[i], again[i])
			}
		}

		var view struct {
			Status, Outcome string
			Version         int64
			Score           float64
			History         []struct{ Kind string }
		}
		env.Get("/v1/inspections/"+id, tenant.Guard.Token).Want(t, http.StatusOK).JSON(t, &view)
		if view.Status != "submitted" || view.Outcome != "pass" || view.Score != 100 || view.Version != int64(len(batch)) {
			t.Fatalf("inspection = %+v", view)
		}
		if len(view.History) != 2 || view.History[0].Kind != "started" || view.History[1].Kind != "submitted" {
			t.Fatalf("history = %+v", view.History)
		}
		var list struct{ Items []struct{ ID string } }
		env.Get("/v1/inspections?status=submitted", tenant.Guard.Token).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != id {
			t.Fatalf("guard's list = %+v", list.Items)
		}
		env.Get("/v1/inspections/"+id, tenant.Supervisor.Token).Want(t, http.StatusOK)

		// The supervisor's pull carries it; a guard at another site sees nothing.
		supervisor := newReplica()
		supervisor.pullAll(t, env, tenant.Supervisor.Token, 7)
		if got := supervisor.ofType("inspection")[id]; got.Version != view.Version {
			t.Fatalf("supervisor pulled %+v, want version %d", got, view.Version)
		}
		other := env.NewGuard(tenant, "other", tenant.Sites[1].ID)
		env.Get("/v1/inspections/"+id, other.Token).Want(t, http.StatusNotFound)
		otherReplica := newReplica()
		otherReplica.pullAll(t, env, other.Token, 100)
		if len(otherReplica.ofType("inspection")) != 0 {
			t.Fatal("a guard of another site pulled the inspection")
		}
	})
}

// One bad mutation does not sink the batch; everything wrong is named.
func TestBadMutationsAreRejectedAlone(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("bad")
		guard := newReplica()
		guard.pullAll(t, env, tenant.Guard.Token, 100)
		templateID, number, doc := guard.template(t, patrolTemplate)
		id, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, checklists.SampleAnswers(doc, true), false)
		badPath := mut("answer.set", id, map[string]any{"path": "/no_such_item", "answer": map[string]any{"value": "yes"}})
		unknown := mut("inspection.explode", id, map[string]any{})
		otherSite := mut("inspection.start", newID(), map[string]any{"template_id": templateID, "template_version": number, "site_id": tenant.Sites[1].ID})
		noTemplate := mut("inspection.start", newID(), map[string]any{"template_id": newID(), "template_version": 1, "site_id": tenant.Sites[0].ID})
		garbage := mutation{MutationID: "not-a-uuid", Type: "answer.set", EntityID: "x", Payload: []int{1}}
		batch = append(batch[:2], append([]mutation{badPath, unknown, otherSite, noTemplate, garbage}, batch[2:]...)...)
		_, results := push(t, env, tenant.Guard.Token, batch)
		wantPointer := map[int]string{2: "/payload/path", 3: "/type", 4: "/payload/site_id", 5: "/payload/template_version", 6: "/mutation_id"}
		for i, r := range results {
			pointer, bad := wantPointer[i]
			if !bad {
				if r.Status != "applied" {
					t.Fatalf("result %d = %+v, want applied", i, r)
				}
				continue
			}
			if r.Status != "rejected" || !hasPointer(r, pointer) {
				t.Fatalf("result %d = %+v, want rejected naming %s", i, r, pointer)
			}
		}
		// Submitting with required answers missing names every one of them.
		_, results = push(t, env, tenant.Guard.Token, []mutation{
			mut("answer.clear", id, map[string]any{"path": batch[1].Payload.(map[string]any)["path"]}),
			mut("inspection.submit", id, map[string]any{}),
		})
		if results[0].Status != "applied" || results[1].Status != "rejected" || len(results[1].Errors) == 0 ||
			!strings.HasPrefix(results[1].Errors[0].Pointer, "/answers/") {
			t.Fatalf("submit with a missing answer = %+v", results)
		}
		var view struct{ Status string }
		env.Get("/v1/inspections/"+id, tenant.Guard.Token).JSON(t, &view)
		if view.Status != "in_progress" {
			t.Fatalf("status after rejected submit = %s", view.Status)
		}
	})
}

func hasPointer(r result, pointer string) bool {
	for _, e := range r.Errors {
		if e.Pointer == pointer {
			return true
		}
	}
	return false
}

// Device ownership before submit, immutability after, duplicate and
// conflicting re-submissions.
func TestSubmissionRules(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("rules")
		guard := newReplica()
		guard.pullAll(t, env, tenant.Guard.Token, 100)
		templateID, number, doc := guard.template(t, patrolTemplate)
		input := checklists.SampleAnswers(doc, true)
		id, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, input, false)
		batch = declareMedia(t, env, tenant.Guard.Token, doc, batch)
		_, results := push(t, env, tenant.Guard.Token, batch)
		wantStatus(t, results, "applied")

		// The same guard on a second phone may not touch it before submit.
		secondPhone := env.Login(tenant.Guard.Email, apitest.Password, "second-phone").AccessToken
		_, results = push(t, env, secondPhone, []mutation{mut("answer.set", id, map[string]any{"path": batch[1].Payload.(map[string]any)["path"], "answer": map[string]any{"value": "no"}})})
		if results[0].Status != "rejected" || !hasPointer(results[0], "/entity_id") {
			t.Fatalf("another device's change = %+v", results[0])
		}
		// A supervisor cannot fill it in either.
		_, results = push(t, env, tenant.Supervisor.Token, []mutation{mut("inspection.submit", id, map[string]any{})})
		if results[0].Status != "rejected" {
			t.Fatalf("supervisor submit = %+v", results[0])
		}

		_, results = push(t, env, tenant.Guard.Token, []mutation{mut("inspection.submit", id, map[string]any{})})
		wantStatus(t, results, "applied")
		hash := results[0].ContentHash
		// Submitting the same content again is a duplicate; other content a conflict.
		_, results = push(t, env, tenant.Guard.Token, []mutation{
			mut("inspection.submit", id, map[string]any{"content_hash": hash}),
			mut("inspection.submit", id, map[string]any{"content_hash": strings.Repeat("0", 64)}),
			mut("answer.set", id, map[string]any{"path": batch[1].Payload.(map[string]any)["path"], "answer": map[string]any{"value": "no"}}),
		})
		if results[0].Status != "duplicate" || results[1].Status != "conflict" || results[2].Status != "conflict" {
			t.Fatalf("after submit: %+v", results)
		}
		var record struct {
			Status  string
			Version int64
		}
		if err := json.Unmarshal(results[2].ServerRecord, &record); err != nil || record.Status != "submitted" {
			t.Fatalf("conflict server_record = %s", results[2].ServerRecord)
		}
		// Starting the same inspection again is a duplicate, not a second copy.
		_, results = push(t, env, tenant.Guard.Token, []mutation{batch[0]})
		if results[0].Status != "applied" { // the very same mutation: replayed
			t.Fatalf("replayed start = %+v", results[0])
		}
		start := batch[0]
		start.MutationID = newID()
		_, results = push(t, env, tenant.Guard.Token, []mutation{start})
		if results[0].Status != "duplicate" {
			t.Fatalf("second start = %+v", results[0])
		}
	})
}

func TestPushEnvelopeErrors(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.SQLite(t))
	tenant := env.NewTenant("env")
	token := tenant.Guard.Token
	env.Post("/v1/sync/push", token, map[string]any{}).Want(t, http.StatusUnprocessableEntity)
	env.Post("/v1/sync/push", token, map[string]any{"mutations": "no"}).Want(t, http.StatusUnprocessableEntity)
	env.Do(apitest.Request{Method: "POST", Path: "/v1/sync/push", Token: token, RawBody: []byte(`{"mutations": [`)}).
		Want(t, http.StatusBadRequest)
	many := make([]mutation, 501)
	for i := range many {
		many[i] = mutation{MutationID: newID(), Type: "answer.clear", EntityID: newID(), Payload: map[string]any{}}
	}
	env.Post("/v1/sync/push", token, map[string]any{"mutations": many}).Want(t, http.StatusRequestEntityTooLarge)
	env.Post("/v1/sync/push", "", map[string]any{"mutations": []any{}}).Want(t, http.StatusUnauthorized)
	env.Get("/v1/sync/pull?cursor=garbage", token).Want(t, http.StatusUnprocessableEntity)
	env.Get("/v1/sync/pull?limit=0", token).Want(t, http.StatusUnprocessableEntity)
}

// A device in a tight loop is slowed down with 429 and Retry-After, and
// other devices are not.
func TestPushIsRateLimitedPerDevice(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.SQLite(t), apitest.WithSetting("PATROLSYNC_PUSH_RATE", "1"),
		apitest.WithSetting("PATROLSYNC_PUSH_BURST", "3"))
	tenant := env.NewTenant("limit")
	empty := map[string]any{"mutations": []any{}}
	limited := 0
	for i := 0; i < 6; i++ {
		r := env.Post("/v1/sync/push", tenant.Guard.Token, empty)
		if r.Status == http.StatusTooManyRequests {
			limited++
			if r.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
			continue
		}
		r.Want(t, http.StatusOK)
	}
	if limited < 2 {
		t.Fatalf("%d of 6 rapid pushes were limited with a burst of 3, want at least 2", limited)
	}
	env.Post("/v1/sync/push", tenant.Supervisor.Token, empty).Want(t, http.StatusOK)
}
