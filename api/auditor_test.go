package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// An auditor reads every route and writes none: the walk covers every
// authenticated route the server has, so a route added later is covered
// without anyone listing it.
func TestAuditorReadsEverythingChangesNothing(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("audit")
		ids := idsOf(t, env, tenant)
		auditor := env.NewAuditor(tenant, "auditor")
		var before struct{ Items []struct{ Seq int64 } }
		env.Get("/v1/audit?limit=500", auditor.Token).Want(t, http.StatusOK).JSON(t, &before)
		reads, writes := 0, 0
		for _, r := range authenticated(env) {
			t.Run(r.method+" "+r.path, func(t *testing.T) {
				got := r.call(env, fill(t, r.path, ids), auditor.Token)
				if r.method == http.MethodGet {
					reads++
					if got.Status == http.StatusForbidden || got.Status == http.StatusUnauthorized || got.Status >= 500 {
						t.Fatalf("an auditor reading %s %s got %d: %s", r.method, r.path, got.Status, got.Body)
					}
					return
				}
				writes++
				got.Want(t, http.StatusForbidden).Problem(t)
			})
		}
		if reads == 0 || writes == 0 {
			t.Fatalf("walked %d reads and %d writes", reads, writes)
		}
		// Nothing the walk sent was written: the audit log holds what it held.
		var after struct{ Items []struct{ Seq int64 } }
		env.Get("/v1/audit?limit=500", auditor.Token).Want(t, http.StatusOK).JSON(t, &after)
		if len(after.Items) != len(before.Items) {
			t.Fatalf("the audit log grew from %d to %d entries while an auditor walked the writes", len(before.Items), len(after.Items))
		}
		var report struct{ OK bool }
		env.Get("/v1/audit/verify", auditor.Token).Want(t, http.StatusOK).JSON(t, &report)
		if !report.OK {
			t.Fatal("the audit chain does not verify")
		}
	})
}

// An auditor sees the whole organisation, as an admin does: every site,
// every user, inspections of every site.
func TestAuditorSeesTheWholeOrganisation(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.SQLite(t))
	tenant := env.NewTenant("whole")
	auditor := env.NewAuditor(tenant, "inspector-from-the-regulator")
	var sites struct{ Items []struct{ ID string } }
	env.Get("/v1/sites", auditor.Token).Want(t, http.StatusOK).JSON(t, &sites)
	if len(sites.Items) != len(tenant.Sites) {
		t.Fatalf("an auditor sees %d sites of %d", len(sites.Items), len(tenant.Sites))
	}
	env.Get("/v1/sites/"+tenant.Sites[1].ID, auditor.Token).Want(t, http.StatusOK)
	var users struct{ Items []struct{ Name, Role string } }
	env.Get("/v1/users", auditor.Token).Want(t, http.StatusOK).JSON(t, &users)
	if len(users.Items) != 4 {
		t.Fatalf("an auditor sees %d users, want 4", len(users.Items))
	}
	env.Get("/v1/devices", auditor.Token).Want(t, http.StatusOK)
	// Signing in and out are not writes of the organisation's records.
	env.Post("/v1/auth/logout", "", map[string]string{"refresh_token": auditor.Refresh}).Want(t, http.StatusNoContent)
}

// Supervisors read the people of their organisation by name (to assign
// findings and name signers), never a password hash; guards do not.
func TestSupervisorsReadUsers(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.SQLite(t))
	tenant := env.NewTenant("people")
	body := string(env.Get("/v1/users?limit=500", tenant.Supervisor.Token).Want(t, http.StatusOK).Body)
	if !strings.Contains(body, tenant.Guard.User.Name) || strings.Contains(body, "password") || strings.Contains(body, "$2a$") {
		t.Fatalf("users as a supervisor reads them: %s", body)
	}
	env.Get("/v1/users/"+tenant.Guard.User.ID, tenant.Supervisor.Token).Want(t, http.StatusOK)
	env.Get("/v1/users", tenant.Guard.Token).Want(t, http.StatusForbidden).Problem(t)
}
