package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// PostgreSQL cannot store NUL in text or jsonb. Every string field on
// both dialects follows one rule: a control character other than tab,
// line feed and carriage return is refused by its JSON pointer, over REST
// with a 422 and through sync as a rejected mutation, and the rest of the
// push still applies.
func TestControlCharactersAreRefusedByField(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("nul")
		site := tenant.Sites[0].ID

		wantField := func(r apitest.Response, pointer string) {
			t.Helper()
			fields := r.Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
			if fields[pointer] == "" {
				t.Fatalf("no error on %s: %v", pointer, fields)
			}
		}
		wantField(env.Post("/v1/sites", tenant.Admin.Token, map[string]any{"code": "N", "name": "Vault\x00 annex",
			"timezone": "Asia/Shanghai"}), "/name")
		wantField(env.Post("/v1/findings", tenant.Guard.Token, map[string]any{"site_id": site, "title": "Door\x00 ajar",
			"severity": "low"}), "/title")
		wantField(env.Post("/v1/findings", tenant.Guard.Token, map[string]any{"site_id": site, "title": "Door ajar",
			"description": "bell\x07", "severity": "low"}), "/description")
		// Inside what PostgreSQL keeps as jsonb: a template draft.
		wantField(env.Post("/v1/templates", tenant.Admin.Token, map[string]any{
			"document": templateDocument("nul-check", "Door\x00 locked?")}), "/document/sections/0/items/0/label/en")
		// Query parameters follow the same rule.
		wantField(env.Get("/v1/templates?key=a%00b", tenant.Admin.Token), "/key")
		// Tab, line feed and carriage return are text.
		env.Post("/v1/findings", tenant.Guard.Token, map[string]any{"site_id": site, "title": "Door ajar",
			"description": "line one\r\nline\ttwo", "severity": "low"}).Want(t, http.StatusCreated)

		now := time.Now().UTC().Format(time.RFC3339)
		badFinding, goodFinding, badIncident, goodIncident := newID(), newID(), newID(), newID()
		batch := []mutation{
			mut("finding.create", badFinding, map[string]any{"site_id": site, "title": "Exit\x00 blocked", "severity": "medium"}),
			mut("incident.report", badIncident, map[string]any{"site_id": site, "type": "intrusion", "level": "general",
				"occurred_at": now, "description": "Window\x00 forced"}),
			mut("finding.create", goodFinding, map[string]any{"site_id": site, "title": "Exit blocked", "severity": "medium"}),
			mut("incident.report", goodIncident, map[string]any{"site_id": site, "type": "intrusion", "level": "general",
				"occurred_at": now, "description": "Window forced"}),
			mut("finding.create\x00", newID(), map[string]any{"site_id": site, "title": "Exit blocked", "severity": "medium"}),
			mut("finding.create", newID(), map[string]any{"site_id": site, "title\x00": "Exit blocked", "severity": "medium"}),
		}
		raw, results := push(t, env, tenant.Guard.Token, batch)
		for i, pointer := range map[int]string{0: "/payload/title", 1: "/payload/description", 4: "/type", 5: "/payload"} {
			if results[i].Status != "rejected" || !hasPointer(results[i], pointer) {
				t.Fatalf("mutation %d = %+v, want rejected on %s", i, results[i], pointer)
			}
		}
		if results[2].Status != "applied" || results[3].Status != "applied" {
			t.Fatalf("valid mutations of the batch = %+v, %+v", results[2], results[3])
		}
		// The rejections are stored: the retry replays them, byte for byte.
		again, _ := push(t, env, tenant.Guard.Token, batch)
		for i := range raw {
			if string(again[i]) != string(raw[i]) {
				t.Fatalf("retry of mutation %d answered %s, first %s", i, again[i], raw[i])
			}
		}
		env.Get("/v1/findings/"+goodFinding, tenant.Guard.Token).Want(t, http.StatusOK)
		env.Get("/v1/findings/"+badFinding, tenant.Guard.Token).Want(t, http.StatusNotFound)
		env.Get("/v1/incidents/"+goodIncident, tenant.Guard.Token).Want(t, http.StatusOK)
		env.Get("/v1/incidents/"+badIncident, tenant.Guard.Token).Want(t, http.StatusNotFound)
	})
}
