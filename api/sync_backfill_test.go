package api_test

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/app"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// execSQL runs one statement on the test database ($1, $2… placeholders
// on both dialects).
func execSQL(t *testing.T, env *apitest.Env, statement string, args ...any) {
	t.Helper()
	if _, err := env.App.DB.SQL().ExecContext(context.Background(), statement, args...); err != nil {
		t.Fatalf("%s: %v", statement, err)
	}
}

// pendingBackfills reads what sync_backfills still names.
func pendingBackfills(t *testing.T, env *apitest.Env) []string {
	t.Helper()
	names, err := env.App.DB.PendingBackfills(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestBackfillDrillsAndPeople: drills scheduled and people added by a
// release that did not yet put them in the change log reach phones
// through the sync.backfill job, not only with their next change: a phone
// that synced before gets them in its next incremental pull, a new phone
// in its full sync, in commit order after everything it already had, and
// each once. An administrator who holds no site is listed at every site
// (they work everywhere). Running the backfill again writes nothing.
func TestBackfillDrillsAndPeople(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("backfill")
		siteA := tenant.Sites[0].ID
		var plan planView
		env.Post("/v1/plans", tenant.Admin.Token, map[string]any{"site_id": siteA, "category": "robbery", "title": "防抢劫应急预案",
			"body": planBody(tenant.Supervisor.User.ID)}).Want(t, http.StatusCreated).JSON(t, &plan)
		drills := schedule(t, env, tenant.Supervisor.Token, plan.ID, map[string]any{"cadence": "quarterly", "year": time.Now().Year() + 1})
		day := env.NewGuard(tenant, "day-guard", siteA)

		// The server's own backfill ran when it started (nothing owed on
		// a new database). Put the database back as an earlier release
		// left it: no drill or site_person entries, both backfills owed.
		deadline := time.Now().Add(2 * time.Minute)
		for len(pendingBackfills(t, env)) > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the start-up backfill still owes %v", pendingBackfills(t, env))
			}
			time.Sleep(50 * time.Millisecond)
		}
		execSQL(t, env, "DELETE FROM changes WHERE org_id = $1 AND entity_type IN ('drill', 'site_person')", tenant.Org.ID)
		execSQL(t, env, "INSERT INTO sync_backfills (name) VALUES ('drill'), ('site_person')")
		// A later write, so the log ends with an entry as it always does
		// (the deletion above left a gap at its end, which no write makes).
		env.Patch("/v1/sites/"+tenant.Sites[1].ID, tenant.Admin.Token, map[string]any{"name": "backfill site B"}).
			Want(t, http.StatusOK)

		phone := newReplica()
		phone.pullAll(t, env, tenant.Guard.Token, 500)
		if n, people := len(phone.ofType("drill")), sitePeople(t, phone); n != 0 || len(people) != 0 {
			t.Fatalf("before the backfill the phone holds %d drills and people %v: the test did not undo the log", n, people)
		}

		if err := env.App.Backfill(context.Background(), app.BackfillArgs{}); err != nil {
			t.Fatal(err)
		}
		if names := pendingBackfills(t, env); len(names) != 0 {
			t.Fatalf("after the backfill sync_backfills still names %v", names)
		}
		want := map[string]string{
			tenant.Guard.User.ID:      tenant.Guard.User.Name + "/guard@" + siteA,
			tenant.Supervisor.User.ID: tenant.Supervisor.User.Name + "/supervisor@" + siteA,
			day.User.ID:               "day-guard/guard@" + siteA,
			tenant.Admin.User.ID:      tenant.Admin.User.Name + "/admin@" + siteA,
		}
		for name, r := range map[string]*replica{"the phone that synced before": phone, "a new phone": newReplica()} {
			r.pullAll(t, env, tenant.Guard.Token, 3)
			if got := sitePeople(t, r); !maps.Equal(got, want) {
				t.Errorf("%s lists %v, want %v", name, got, want)
			}
			pulled := r.ofType("drill")
			for _, d := range drills {
				if c, ok := pulled[d.ID]; !ok || c.Version != 1 || !strings.Contains(string(c.Data), `"plan_title":"防抢劫应急预案"`) {
					t.Errorf("%s holds drill %s as %+v, want the drill as GET /v1/drills/{id} answers it", name, d.ID, c)
				}
			}
			if len(pulled) != len(drills) {
				t.Errorf("%s holds %d drills, want %d", name, len(pulled), len(drills))
			}
		}

		// Each owed entry went in once: again, nothing is written.
		ctx := context.Background()
		if n, err := env.App.Drills.BackfillLog(ctx); err != nil || n != 0 {
			t.Fatalf("a second drill backfill wrote %d entries (%v), want 0", n, err)
		}
		if n, err := env.App.Org.BackfillPeople(ctx); err != nil || n != 0 {
			t.Fatalf("a second people backfill wrote %d entries (%v), want 0", n, err)
		}
		var entries int
		row := env.App.DB.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM changes WHERE org_id = $1 AND entity_type = 'drill'", tenant.Org.ID)
		if err := row.Scan(&entries); err != nil || entries != len(drills) {
			t.Fatalf("the log holds %d drill entries (%v), want one per drill (%d)", entries, err, len(drills))
		}
		// A later change of a backfilled drill reaches the phone as usual
		// and takes the backfilled entry's place in the log.
		first := drills[0]
		for _, d := range drills {
			if d.DueAt.Before(first.DueAt) {
				first = d
			}
		}
		if n, err := env.App.Drills.FlagOverdue(ctx, first.DueAt.Add(time.Minute)); err != nil || n != 1 {
			t.Fatalf("flagged %d drills overdue (%v), want the first one", n, err)
		}
		phone.pullAll(t, env, tenant.Guard.Token, 500)
		if c := phone.ofType("drill")[first.ID]; c.Version != 2 || !strings.Contains(string(c.Data), `"overdue":true`) {
			t.Fatalf("after the overdue flag the phone holds %+v, want version 2, overdue", c)
		}
		row = env.App.DB.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM changes WHERE org_id = $1 AND entity_id = $2", tenant.Org.ID, first.ID)
		if err := row.Scan(&entries); err != nil || entries != 1 {
			t.Fatalf("the log holds %d entries of the flagged drill (%v), want 1", entries, err)
		}
	})
}
