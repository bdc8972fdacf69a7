package api_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

type auditReport struct {
	OK       bool
	Checked  int64
	Problems []struct {
		Seq     int64
		Problem string
	}
}

// Logins (good and bad), permission changes and sign-offs are chained; an
// entry edited in the database is found and named by its seq.
func TestAuditChainDetectsTampering(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("tamper")
		env.Post("/v1/auth/login", "", map[string]string{"email": tenant.Guard.User.Email, "password": "wrong-password",
			"device_id": "phone-x"}).Want(t, http.StatusUnauthorized)
		env.Patch("/v1/users/"+tenant.Guard.User.ID, tenant.Admin.Token, map[string]any{"role": "supervisor"}).Want(t, http.StatusOK)
		env.Patch("/v1/org", tenant.Admin.Token, map[string]any{"retention_days": 0}).Want(t, http.StatusUnprocessableEntity)
		env.Patch("/v1/org", tenant.Admin.Token, map[string]any{"retention_days": 400}).Want(t, http.StatusOK)

		actions := map[string]bool{}
		entries := auditEntries(t, env, tenant.Admin.Token)
		for index, e := range entries {
			actions[e.Action] = true
			if int64(index+1) != e.Seq {
				t.Fatalf("entry %d has seq %d", index+1, e.Seq)
			}
		}
		count := len(entries)
		for _, want := range []string{"auth.login", "auth.login_failed", "user.created", "user.updated", "template.published",
			"org.retention_changed", "site.created"} {
			if !actions[want] {
				t.Errorf("no %s entry among %v", want, actions)
			}
		}
		var report auditReport
		env.Get("/v1/audit/verify", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &report)
		if !report.OK || report.Checked != int64(count) {
			t.Fatalf("untouched chain: %+v", report)
		}
		var me struct{ Org struct{ ID string } }
		env.Get("/v1/me", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &me)
		sqlExec(t, env, "UPDATE audit_log SET details = ? WHERE org_id = ? AND seq = ?", `{"role":"guard"}`, me.Org.ID, 3)
		env.Get("/v1/audit/verify", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &report)
		if report.OK || len(report.Problems) != 1 || report.Problems[0].Seq != 3 || !strings.Contains(report.Problems[0].Problem, "altered") {
			t.Fatalf("edited entry 3: %+v", report)
		}
		// Deleting an entry in the middle is named too.
		sqlExec(t, env, "DELETE FROM audit_log WHERE org_id = ? AND seq = ?", me.Org.ID, 5)
		env.Get("/v1/audit/verify", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &report)
		named := map[int64]bool{}
		for _, p := range report.Problems {
			named[p.Seq] = true
		}
		if report.OK || !named[3] || !named[5] || !named[6] {
			t.Fatalf("edited 3 and deleted 5: %+v", report)
		}
		// Other tenants' chains are theirs: this one is still whole.
		other := env.NewTenant("untouched")
		env.Get("/v1/audit/verify", other.Admin.Token).Want(t, http.StatusOK).JSON(t, &report)
		if !report.OK {
			t.Fatalf("another tenant's chain: %+v", report)
		}
	})
}

// Records cannot be deleted within retention; after it, deletion is an
// audited admin action and phones get a tombstone.
func TestRetentionRefusesEarlyDeletion(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("retain")
		id, _ := submitted(t, env, tenant, patrolTemplate, true)
		env.Delete("/v1/inspections/"+id, tenant.Supervisor.Token).Want(t, http.StatusForbidden)
		p := env.Delete("/v1/inspections/"+id, tenant.Admin.Token).Want(t, http.StatusConflict).Problem(t)
		if !strings.Contains(p.Detail, "20") || !strings.Contains(p.Detail, "retention") {
			t.Fatalf("refusal does not say until when: %q", p.Detail)
		}
		var org struct {
			RetentionDays int `json:"retention_days"`
		}
		env.Patch("/v1/org", tenant.Admin.Token, map[string]any{"retention_days": 1}).Want(t, http.StatusOK).JSON(t, &org)
		if org.RetentionDays != 1 {
			t.Fatalf("org = %+v", org)
		}
		env.Delete("/v1/inspections/"+id, tenant.Admin.Token).Want(t, http.StatusConflict)
		sqlExec(t, env, "UPDATE inspections SET updated_at = ? WHERE id = ?", time2020(), id)
		env.Delete("/v1/inspections/"+id, tenant.Admin.Token).Want(t, http.StatusNoContent)
		env.Get("/v1/inspections/"+id, tenant.Admin.Token).Want(t, http.StatusNotFound)
		var entries struct{ Items []struct{ Action string } }
		env.Get("/v1/audit?entity_id="+id+"&action=inspection.deleted", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &entries)
		if len(entries.Items) != 1 {
			t.Fatalf("deletion audit entries: %+v", entries.Items)
		}
		r := newReplica()
		r.pullAll(t, env, tenant.Guard.Token, 500)
		if _, ok := r.ofType("inspection")[id]; ok {
			t.Fatal("the deleted inspection is still on the guard's phone")
		}
	})
}

// Concurrent writers chain onto the head one after another: no two entries
// share a predecessor and none is lost.
func TestAuditChainUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("race")
		const writers = 12
		var wg sync.WaitGroup
		statuses := make(chan int, writers)
		for i := 0; i < writers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses <- env.Post("/v1/findings", tenant.Guard.Token, map[string]any{"site_id": tenant.Sites[0].ID,
					"title": "concurrent", "severity": "low"}).Status
			}()
		}
		wg.Wait()
		close(statuses)
		for status := range statuses {
			if status != http.StatusCreated {
				t.Fatalf("a concurrent create answered %d", status)
			}
		}
		var report auditReport
		env.Get("/v1/audit/verify", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &report)
		var created struct{ Items []struct{ Seq int64 } }
		env.Get("/v1/audit?action=finding.created&limit=100", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &created)
		if !report.OK || len(created.Items) != writers {
			t.Fatalf("after %d concurrent writers: %+v, %d finding.created entries", writers, report, len(created.Items))
		}
	})
}
