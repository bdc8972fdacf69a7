package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// libraryPlan is one item of the library upgrade's preview or answer.
type libraryPlan struct {
	Key        string
	TemplateID *string `json:"template_id"`
	Title      map[string]string
	Outcome    string
	FromNumber int `json:"from_number"`
	ToNumber   int `json:"to_number"`
	Digest     string
}

// The preview of the library upgrade (GET) tells the administrator what
// the upgrade (POST) will do, template by template, and writes nothing:
// the hazard investigation on the previous library release would go from
// version 2 to 3, the organisation's own assessment and an archived
// checklist are kept, the rest are current. The upgrade then does exactly
// that, and the preview afterwards says everything is current or kept.
// Administrators and auditors read it; supervisors do not.
func TestLibraryUpgradePreviewWritesNothingAndMatchesTheUpgrade(t *testing.T) {
	t.Parallel()
	previous, err := os.ReadFile("testdata/hidden-hazard-investigation-previous-release.json")
	if err != nil {
		t.Fatal(err)
	}
	library, err := checklists.Library()
	if err != nil {
		t.Fatal(err)
	}
	current := map[string]string{}
	for _, doc := range library {
		current[doc.Key] = checklists.Digest(doc)
	}
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("preview")
		auditor := env.NewAuditor(tenant, "auditor")
		ids := env.BehindLibrary(tenant, previous, map[string]string{"zh-CN": "本社安全评估", "en": "Our security assessment"})
		env.Post("/v1/templates/"+ids["fire-safety-monthly"]+"/archive", tenant.Admin.Token, nil).Want(t, http.StatusOK)

		read := func(method, token string) []libraryPlan {
			t.Helper()
			var answer struct{ Items []libraryPlan }
			if method == http.MethodGet {
				env.Get("/v1/templates/library/upgrade", token).Want(t, http.StatusOK).JSON(t, &answer)
			} else {
				env.Post("/v1/templates/library/upgrade", token, nil).Want(t, http.StatusOK).JSON(t, &answer)
			}
			return answer.Items
		}
		env.Get("/v1/templates/library/upgrade", tenant.Supervisor.Token).Want(t, http.StatusForbidden)
		preview := read(http.MethodGet, tenant.Admin.Token)
		if len(preview) != len(library) {
			t.Fatalf("the preview lists %d templates, the library has %d", len(preview), len(library))
		}
		for _, got := range preview {
			want := libraryPlan{Key: got.Key, Outcome: "current", FromNumber: 1, ToNumber: 1, Digest: current[got.Key]}
			switch got.Key {
			case "hidden-hazard-investigation":
				want.Outcome, want.FromNumber, want.ToNumber = "upgraded", 2, 3
			case "security-assessment":
				want.Outcome, want.FromNumber, want.ToNumber, want.Digest = "edited", 2, 2, got.Digest
			case "fire-safety-monthly":
				want.Outcome = "archived"
			}
			if got.TemplateID == nil || *got.TemplateID != ids[got.Key] || got.Title["zh-CN"] == "" || got.Title["en"] == "" {
				t.Errorf("%s: template %v, title %v; want template %s and both titles", got.Key, got.TemplateID, got.Title, ids[got.Key])
			}
			got.TemplateID, got.Title = nil, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("preview of %s: %+v, want %+v", got.Key, got, want)
			}
		}
		if again := read(http.MethodGet, auditor.Token); !reflect.DeepEqual(again, preview) {
			t.Fatalf("a second preview (the auditor's) differs: the first wrote something\n%+v\n%+v", again, preview)
		}
		var versions struct{ Items []json.RawMessage }
		env.Get("/v1/templates/"+ids["hidden-hazard-investigation"]+"/versions", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &versions)
		if len(versions.Items) != 2 {
			t.Fatalf("after the preview the hazard investigation has %d versions, want 2", len(versions.Items))
		}

		if upgraded := read(http.MethodPost, tenant.Admin.Token); !reflect.DeepEqual(upgraded, preview) {
			t.Fatalf("the upgrade did other than its preview said\nupgrade %+v\npreview %+v", upgraded, preview)
		}
		for _, got := range read(http.MethodGet, tenant.Admin.Token) {
			if got.Outcome == "upgraded" || got.Outcome == "added" {
				t.Errorf("after the upgrade the preview still offers %s: %+v", got.Key, got)
			}
		}
	})
}
