package api_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// Writers push while pullers pull. When the writers stop and each puller
// drains, every puller's replica must equal the server's final state: no
// change skipped (a position passed before its transaction committed), no
// phantom (a record the server does not have).
func TestConcurrentWritersAndPullersMissNothing(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.Postgres(t))
	tenant := env.NewTenant("busy")
	seedReplica := newReplica()
	seedReplica.pullAll(t, env, tenant.Guard.Token, 200)
	templateID, number, doc := seedReplica.template(t, "fire-safety-monthly")
	input := checklists.SampleAnswers(doc, true)

	const writers, perWriter, pullers = 6, 8, 3
	devices := make([]string, writers)
	for i := range devices {
		devices[i] = env.Login(tenant.Guard.Email, apitest.Password, fmt.Sprintf("phone-%d", i)).AccessToken
	}
	var writing sync.WaitGroup
	var done atomic.Bool
	for w := 0; w < writers; w++ {
		writing.Add(1)
		go func(token string) {
			defer writing.Done()
			for i := 0; i < perWriter; i++ {
				// Small batches, so that transactions interleave.
				_, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, input, true)
				batch = declareMedia(t, env, token, doc, batch)
				for start := 0; start < len(batch); start += 5 {
					end := min(start+5, len(batch))
					_, results := push(t, env, token, batch[start:end])
					wantStatus(t, results, "applied")
				}
			}
		}(devices[w])
	}
	replicas := make([]*replica, pullers)
	var pulling sync.WaitGroup
	for p := 0; p < pullers; p++ {
		replicas[p] = newReplica()
		pulling.Add(1)
		go func(r *replica, token string) {
			defer pulling.Done()
			for !done.Load() {
				r.pullAll(t, env, token, 3) // tiny pages: many cursors mid-flight
			}
			r.pullAll(t, env, token, 50)
		}(replicas[p], []string{tenant.Admin.Token, tenant.Supervisor.Token, tenant.Guard.Token}[p])
	}
	writing.Wait()
	done.Store(true)
	pulling.Wait()

	// The server's final state, read straight from the database.
	ctx := principal.With(context.Background(), principal.Principal{OrgID: tenant.Org.ID, UserID: tenant.Admin.User.ID, Role: principal.Admin})
	final := map[string]int64{}
	pageReq := store.Page{Limit: 500}
	for {
		rows, next, err := env.App.DB.Read(ctx).ListInspections(store.InspectionFilter{}, pageReq)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			final[r.ID] = r.Version
		}
		if next == "" {
			break
		}
		pageReq.After = next
	}
	if len(final) != writers*perWriter {
		t.Fatalf("server holds %d inspections, want %d", len(final), writers*perWriter)
	}
	for p, r := range replicas {
		got := r.ofType("inspection")
		if len(got) != len(final) {
			t.Errorf("puller %d holds %d inspections, the server %d", p, len(got), len(final))
		}
		for id, version := range final {
			if got[id].Version != version {
				t.Errorf("puller %d has %s at version %d, the server at %d", p, id, got[id].Version, version)
			}
		}
		for id := range got {
			if _, ok := final[id]; !ok {
				t.Errorf("puller %d holds phantom inspection %s", p, id)
			}
		}
	}
}

// Racing twins of one batch (a retry sent while the first try still runs)
// apply it once.
func TestTwinBatchesApplyOnce(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("twins")
		r := newReplica()
		r.pullAll(t, env, tenant.Guard.Token, 200)
		templateID, number, doc := r.template(t, patrolTemplate)
		id, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, checklists.SampleAnswers(doc, true), true)
		batch = declareMedia(t, env, tenant.Guard.Token, doc, batch)
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results := push(t, env, tenant.Guard.Token, batch)
				wantStatus(t, results, "applied")
			}()
		}
		wg.Wait()
		var view struct {
			Version int64
			History []struct{ Kind string }
		}
		env.Get("/v1/inspections/"+id, tenant.Guard.Token).Want(t, http.StatusOK).JSON(t, &view)
		if view.Version != int64(len(batch)) || len(view.History) != 2 {
			t.Fatalf("after 4 twin pushes: version %d, history %v; want %d and 2 events", view.Version, view.History, len(batch))
		}
	})
}
