package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// idsOf returns, per resource collection, an id that exists in tenant.
// A new resource with an {id} route must be added here, or the walk fails.
func idsOf(t *testing.T, env *apitest.Env, tenant *apitest.Tenant) map[string]string {
	t.Helper()
	var devices, templates struct{ Items []struct{ ID string } }
	env.Get("/v1/devices", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &devices)
	env.Get("/v1/templates?limit=1", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &templates)
	inspectionID := newID()
	_, results := push(t, env, tenant.Guard.Token, []mutation{mut("inspection.start", inspectionID, map[string]any{
		"template_id": templates.Items[0].ID, "template_version": 1, "site_id": tenant.Sites[0].ID})})
	wantStatus(t, results, "applied")
	route := newRoute(t, env, tenant, tenant.Sites[0].ID)
	round := pastRound(t, env, tenant, route, time.Now().UTC().Add(-time.Hour).Truncate(time.Minute), nil)
	var schedules struct{ Items []struct{ ID string } }
	env.Get("/v1/schedules", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &schedules)
	incidentID := newID()
	_, results = push(t, env, tenant.Guard.Token, []mutation{mut("incident.report", incidentID, map[string]any{
		"site_id": tenant.Sites[0].ID, "type": "fire alarm", "level": "general", "occurred_at": time.Now().UTC().Format(time.RFC3339)})})
	wantStatus(t, results, "applied")
	mediaID := newID()
	declareOnly(t, env, tenant.Guard.Token, inspectionID, mediaID)
	findingID := newID()
	_, results = push(t, env, tenant.Guard.Token, []mutation{mut("finding.create", findingID, map[string]any{
		"site_id": tenant.Sites[0].ID, "title": "Lock broken", "severity": "low"})})
	wantStatus(t, results, "applied")
	key := registerKey(t, env, tenant.Guard)
	var plan, asset struct{ ID string }
	env.Post("/v1/plans", tenant.Admin.Token, map[string]any{"site_id": tenant.Sites[0].ID, "category": "fire", "title": "消防应急预案",
		"body": planBody(tenant.Supervisor.User.ID)}).Want(t, http.StatusCreated).JSON(t, &plan)
	env.Post("/v1/assets", tenant.Admin.Token, map[string]any{"site_id": tenant.Sites[0].ID, "kind": "cash_transport_company",
		"code": "YS-01", "name": "安保押运公司"}).Want(t, http.StatusCreated).JSON(t, &asset)
	var drills struct{ Items []struct{ ID string } }
	env.Post("/v1/plans/"+plan.ID+"/drills", tenant.Admin.Token, map[string]any{"cadence": "june", "year": 2030}).
		Want(t, http.StatusCreated).JSON(t, &drills)
	shift, training, handover := dutyFixtures(t, env, tenant)
	return map[string]string{
		"/v1/drills":      drills.Items[0].ID,
		"/v1/shifts":      shift,
		"/v1/trainings":   training,
		"/v1/handovers":   handover,
		"/v1/plans":       plan.ID,
		"/v1/assets":      asset.ID,
		"/v1/me/keys":     key.id,
		"/v1/media":       mediaID,
		"/v1/findings":    findingID,
		"/v1/sites":       tenant.Sites[0].ID,
		"/v1/users":       tenant.Guard.User.ID,
		"/v1/devices":     devices.Items[0].ID,
		"/v1/templates":   templates.Items[0].ID,
		"/v1/inspections": inspectionID,
		"/v1/routes":      route.ID,
		"/v1/schedules":   schedules.Items[0].ID,
		"/v1/rounds":      round.ID,
		"/v1/incidents":   incidentID,
	}
}

// fill puts real ids into a route's path; {id} takes the id of the
// collection the route belongs to.
func fill(t *testing.T, path string, ids map[string]string) string {
	t.Helper()
	path = strings.ReplaceAll(path, "{number}", "1")
	path = strings.ReplaceAll(path, "{key}", "daily-equipment-check") // a standard schedule
	i := strings.Index(path, "/{id}")
	if i < 0 {
		return path
	}
	id, ok := ids[path[:i]]
	if !ok {
		t.Fatalf("no fixture id for %s: add one to idsOf", path)
	}
	return strings.Replace(path, "{id}", id, 1)
}

func authenticated(env *apitest.Env) []apiRoute {
	var out []apiRoute
	for _, r := range env.Server.Routes() {
		if r.MinRole != "" {
			out = append(out, apiRoute{r.Method, r.Path, r.MinRole})
		}
	}
	return out
}

type apiRoute struct{ method, path, minRole string }

func (r apiRoute) call(env *apitest.Env, path, token string) apitest.Response {
	req := apitest.Request{Method: r.method, Path: path, Token: token}
	if r.method == http.MethodPost || r.method == http.MethodPatch || r.method == http.MethodPut {
		req.Body = map[string]any{}
	}
	return env.Do(req)
}

// Every route that takes an id answers 404 for another organisation's id,
// exactly as for an id that does not exist, and changes nothing.
func TestOtherTenantsIDsAreNotFound(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		mine, theirs := env.NewTenant("mine"), env.NewTenant("theirs")
		theirIDs := idsOf(t, env, theirs)
		for _, r := range authenticated(env) {
			if !strings.Contains(r.path, "{id}") {
				continue
			}
			t.Run(r.method+" "+r.path, func(t *testing.T) {
				r.call(env, fill(t, r.path, theirIDs), mine.Admin.Token).Want(t, http.StatusNotFound).Problem(t)
				absent := strings.Replace(r.path, "{id}", uuid.NewString(), 1)
				r.call(env, absent, mine.Admin.Token).Want(t, http.StatusNotFound)
			})
		}
		// Their records are untouched.
		var user struct{ Active bool }
		env.Get("/v1/users/"+theirs.Guard.User.ID, theirs.Admin.Token).Want(t, http.StatusOK).JSON(t, &user)
		if !user.Active {
			t.Fatal("another tenant deactivated a user")
		}
		// Lists never show another tenant's records.
		body := string(env.Get("/v1/users?limit=500", mine.Admin.Token).Want(t, http.StatusOK).Body)
		if strings.Contains(body, theirs.Guard.User.ID) || strings.Contains(body, "@theirs.test") {
			t.Fatal("user list leaks another tenant")
		}
	})
}

// Every route answers 403 to a role weaker than its own, and 401 with no
// token, an expired token, or a token signed with another key.
func TestRolesAreEnforced(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("roles")
		ids := idsOf(t, env, tenant)
		tokens := map[string]string{principal.Guard: tenant.Guard.Token, principal.Supervisor: tenant.Supervisor.Token}
		secret, session := env.App.Config.JWTSecret, sessionOf(tenant.Admin.Token)
		// The forging itself is right: a fresh token signed with the real key works.
		valid := forgeToken(secret, secret, tenant.Admin, tenant.Org.ID, session, time.Now().Add(time.Minute))
		env.Get("/v1/me", valid).Want(t, http.StatusOK)
		expired := forgeToken(secret, secret, tenant.Admin, tenant.Org.ID, session, time.Now().Add(-time.Minute))
		otherKey := forgeToken([]byte("another-key-another-key-another-key"), secret, tenant.Admin, tenant.Org.ID, session,
			time.Now().Add(time.Minute))
		for _, r := range authenticated(env) {
			t.Run(r.method+" "+r.path, func(t *testing.T) {
				path := fill(t, r.path, ids)
				r.call(env, path, "").Want(t, http.StatusUnauthorized)
				r.call(env, path, expired).Want(t, http.StatusUnauthorized)
				r.call(env, path, otherKey).Want(t, http.StatusUnauthorized)
				for _, role := range []string{principal.Guard, principal.Supervisor} {
					if !principal.AtLeast(role, r.minRole) {
						r.call(env, path, tokens[role]).Want(t, http.StatusForbidden).Problem(t)
					}
				}
			})
		}
	})
}

// Guards and supervisors see only the sites they are attached to.
func TestSiteVisibilityFollowsAttachment(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.SQLite(t))
	tenant := env.NewTenant("vis")
	var sites struct{ Items []struct{ ID string } }
	env.Get("/v1/sites", tenant.Guard.Token).Want(t, http.StatusOK).JSON(t, &sites)
	if len(sites.Items) != 1 || sites.Items[0].ID != tenant.Sites[0].ID {
		t.Fatalf("guard sees %+v, want only site A", sites.Items)
	}
	env.Get("/v1/sites/"+tenant.Sites[1].ID, tenant.Guard.Token).Want(t, http.StatusNotFound)
	env.Get("/v1/sites?limit=10", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &sites)
	if len(sites.Items) != 2 {
		t.Fatalf("admin sees %d sites, want 2", len(sites.Items))
	}
}
