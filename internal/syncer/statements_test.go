package syncer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/syncer"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// groupStatements is what one group of pushes of whole inspections (start,
// answers, submit, at one site) sends PostgreSQL, whatever the number of
// pushes in it: BEGIN, the claim of its devices, the stored-results
// lookup, the inspections and media lookups, the site, the site's
// reference data, the inserts of the inspections, their events and the
// push results, the media links, and the audit and change-log tail. The
// COMMIT is not counted (store.CountStatements). PostgreSQL's CPU per
// inspection is mostly per statement (issue 17, docs/benchmarks.md): a
// statement that comes back once per push or per mutation fails this.
const groupStatements = 13

// One push and eight pushes of whole inspections, each held into one
// group, send PostgreSQL the same statements. The first group is not
// counted: it also reads the template version, which the server keeps.
func TestGroupStatementsDoNotGrowWithItsPushes(t *testing.T) {
	env := apitest.New(t, testenv.Postgres(t))
	tenant := env.NewTenant("counted")
	tmpl := templateOf(t, env, tenant.Guard.Token)
	site := tenant.Sites[0].ID
	for round, n := range []int{1, 1, 8} {
		ctx, count := store.CountStatements(context.Background())
		h := hold(t, env, tenant.Org.ID)
		results := make([][]json.RawMessage, n)
		errors := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			token := env.Login(tenant.Guard.Email, apitest.Password, fmt.Sprintf("counted-%d-%d", round, i)).AccessToken
			p, err := env.App.Auth.Authenticate(context.Background(), token)
			if err != nil {
				t.Fatal(err)
			}
			_, batch := inspectionBatch(t, env, token, tmpl, site, true)
			wg.Go(func() { results[i], errors[i] = env.App.Sync.Push(principal.With(ctx, p), batch) })
			if err := queued(h, i+1); err != nil {
				h.Release()
				wg.Wait()
				t.Fatal(err)
			}
		}
		h.Release()
		wg.Wait()
		for i := range n {
			if errors[i] != nil {
				t.Fatalf("push %d of %d: %v", i, n, errors[i])
			}
			for _, raw := range results[i] {
				var r result
				if err := json.Unmarshal(raw, &r); err != nil || r.Status != syncer.Applied {
					t.Fatalf("push %d of %d: result %s, want applied", i, n, raw)
				}
			}
		}
		if got := count.Load(); round > 0 && got != groupStatements {
			t.Errorf("a group of %d pushes sent %d statements, want %d", n, got, groupStatements)
		}
	}
}
