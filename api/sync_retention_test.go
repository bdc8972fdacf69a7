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
