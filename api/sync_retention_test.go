package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/syncer"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The retention job, run by the real job queue, trims tombstones that no
// full sync needs: old cursors then get 410, and a fresh sync still has
// every record.
func TestRetentionJobTrimsTheLog(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("trim")
		other := env.NewGuard(tenant, "second", tenant.Sites[0].ID)
		supervisor := newReplica()
		supervisor.pullAll(t, env, tenant.Supervisor.Token, 100)
		stale := supervisor.cursor

		id := newID()
		_, results := push(t, env, tenant.Guard.Token, []mutation{mut("finding.create", id, map[string]any{
			"site_id": tenant.Sites[0].ID, "title": "Lock broken", "severity": "low"})})
		wantStatus(t, results, "applied")
		for version, change := range []map[string]any{{"assignee_id": other.User.ID}, {"severity": "medium"}} {
			base := int64(version + 1)
			m := mut("finding.update", id, change)
			m.BaseVersion = &base
			_, results = push(t, env, tenant.Supervisor.Token, []mutation{m})
			wantStatus(t, results, "applied")
		}
		if err := env.App.Jobs.Enqueue(context.Background(), syncer.PruneLogArgs{RetentionHours: 0}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for env.Get("/v1/sync/pull?cursor="+stale, tenant.Supervisor.Token).Status != http.StatusGone {
			if time.Now().After(deadline) {
				t.Fatal("the retention job did not run, or did not trim the superseded scope move")
			}
			time.Sleep(50 * time.Millisecond)
		}
		fresh := newReplica()
		fresh.pullAll(t, env, tenant.Supervisor.Token, 100)
		if got := fresh.ofType("finding")[id]; got.Version != 3 {
			t.Fatalf("after trimming, a full sync holds %+v, want the finding at version 3", got)
		}
		if len(fresh.ofType("template_version")) == 0 || len(fresh.ofType("site")) == 0 {
			t.Fatal("a full sync after trimming lost templates or sites")
		}
	})
}

// When the last writes of an organisation were deletions older than the
// retention, pruning takes the log's end away: a full sync still ends
// (has_more false) with a cursor that serves the next pull, instead of
// answering has_more for ever with a cursor that is then 410 Gone.
func TestPullPastAPrunedEndOfTheLog(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("prunedend")
		leaver := env.NewGuard(tenant, "leaver", tenant.Sites[0].ID)
		// The last write: the leaver leaves every site, deletions only.
		env.Patch("/v1/users/"+leaver.User.ID, tenant.Admin.Token, map[string]any{"active": false}).Want(t, http.StatusOK)
		if err := env.App.Sync.PruneLog(context.Background(), syncer.PruneLogArgs{RetentionHours: 0}); err != nil {
			t.Fatal(err)
		}
		cursor := ""
		for pages := 0; ; pages++ {
			if pages == 20 {
				t.Fatalf("a full sync still has more after %d pages", pages)
			}
			var page pullPage
			env.Get("/v1/sync/pull?limit=500&cursor="+cursor, tenant.Guard.Token).Want(t, http.StatusOK).JSON(t, &page)
			cursor = page.NextCursor
			if !page.HasMore {
				break
			}
		}
		var next pullPage
		env.Get("/v1/sync/pull?limit=500&cursor="+cursor, tenant.Guard.Token).Want(t, http.StatusOK).JSON(t, &next)
		if len(next.Changes) != 0 || next.HasMore {
			t.Fatalf("the next pull %+v, want nothing more", next)
		}
	})
}
