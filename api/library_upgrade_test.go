package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

type libraryUpgrade struct {
	Key        string
	TemplateID string `json:"template_id"`
	Outcome    string
	FromNumber int `json:"from_number"`
	ToNumber   int `json:"to_number"`
	Digest     string
}

// An organisation created before the library's last change (its hazard
// investigation is the previous release, before the agreed due date) gets
// the current library version published as its next version by the
// administrator's upgrade; a template it published itself is kept, and
// one whose draft it is revising but that is current needs nothing; an inspection started on the old version stays on it and is
// judged by it; the upgrade is audited and running it again does nothing.
func TestLibraryUpgradePublishesNewerStandardTemplates(t *testing.T) {
	t.Parallel()
	previous, err := os.ReadFile("testdata/hidden-hazard-investigation-previous-release.json")
	if err != nil {
		t.Fatal(err)
	}
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("upgrade")
		// The hazard investigation as an older organisation has it
		// (version 2 is the previous library release) and the
		// organisation's own assessment (published) and opening check (a
		// draft not yet published).
		ids := env.BehindLibrary(tenant, previous, map[string]string{"zh-CN": "本社安全评估", "en": "Our security assessment"})
		draft := env.Retitled(tenant, ids["cu-opening-check"], map[string]string{"zh-CN": "营业前检查(修订中)", "en": "Opening check (being revised)"})
		env.Patch("/v1/templates/"+ids["cu-opening-check"], tenant.Admin.Token, map[string]any{"document": draft}).Want(t, http.StatusOK)

		// A supervisor starts an investigation on version 2 before the upgrade.
		old, err := checklists.Parse(previous)
		if err != nil {
			t.Fatal(err)
		}
		input := checklists.SampleAnswers(old, true)
		inFlight, batch := inspectionBatch(ids["hidden-hazard-investigation"], 2, tenant.Sites[0].ID, old, input, false)
		batch = declareMedia(t, env, tenant.Supervisor.Token, old, batch)
		_, results := push(t, env, tenant.Supervisor.Token, batch)
		wantStatus(t, results, "applied")

		env.Post("/v1/templates/library/upgrade", tenant.Supervisor.Token, nil).Want(t, http.StatusForbidden)
		upgrade := func() map[string]libraryUpgrade {
			t.Helper()
			var answer struct{ Items []libraryUpgrade }
			env.Post("/v1/templates/library/upgrade", tenant.Admin.Token, nil).Want(t, http.StatusOK).JSON(t, &answer)
			out := map[string]libraryUpgrade{}
			for _, item := range answer.Items {
				out[item.Key] = item
			}
			return out
		}
		library, err := checklists.Library()
		if err != nil {
			t.Fatal(err)
		}
		current := map[string]string{}
		for _, doc := range library {
			current[doc.Key] = checklists.Digest(doc)
		}
		first := upgrade()
		if len(first) != len(library) {
			t.Fatalf("upgrade answered %d templates, the library has %d", len(first), len(library))
		}
		for key, got := range first {
			want := libraryUpgrade{Key: key, TemplateID: ids[key], Outcome: "current", FromNumber: 1, ToNumber: 1, Digest: current[key]}
			switch key {
			case "hidden-hazard-investigation":
				want.Outcome, want.FromNumber, want.ToNumber = "upgraded", 2, 3
			case "security-assessment":
				want.Outcome, want.FromNumber, want.ToNumber, want.Digest = "edited", 2, 2, got.Digest
			}
			if got != want || got.Digest == "" {
				t.Errorf("%s: %+v, want %+v", key, got, want)
			}
		}

		// Version 2 stays readable and the investigation started on it
		// is submitted against it.
		env.Get("/v1/templates/"+ids["hidden-hazard-investigation"]+"/versions/2", tenant.Guard.Token).Want(t, http.StatusOK)
		_, results = push(t, env, tenant.Supervisor.Token, []mutation{mut("inspection.submit", inFlight, map[string]any{})})
		wantStatus(t, results, "applied")
		var inspection struct {
			TemplateVersion int `json:"template_version"`
		}
		env.Get("/v1/inspections/"+inFlight, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &inspection)
		if inspection.TemplateVersion != 2 {
			t.Fatalf("the investigation started before the upgrade is on version %d, want 2", inspection.TemplateVersion)
		}

		// Phones get version 3 by sync.
		r := newReplica()
		r.pullAll(t, env, tenant.Guard.Token, 200)
		found := false
		for _, c := range r.ofType("template_version") {
			var v struct {
				Key    string
				Number int
				Digest string
			}
			json.Unmarshal(c.Data, &v)
			found = found || v.Key == "hidden-hazard-investigation" && v.Number == 3 && v.Digest == current[v.Key]
		}
		if !found {
			t.Fatal("the guard's pull has no hidden-hazard-investigation version 3")
		}

		for key, got := range upgrade() {
			if got.Outcome == "upgraded" || got.Outcome == "added" || got.ToNumber != first[key].ToNumber {
				t.Errorf("the second upgrade changed %s: %+v", key, got)
			}
		}
		upgraded := 0
		for _, e := range auditEntries(t, env, tenant.Admin.Token) {
			if e.Action == "template.library_upgraded" {
				upgraded++
				if e.EntityID != ids["hidden-hazard-investigation"] {
					t.Errorf("audited upgrade of %s", e.EntityID)
				}
			}
		}
		if upgraded != 1 {
			t.Fatalf("%d template.library_upgraded audit entries, want 1", upgraded)
		}
	})
}
