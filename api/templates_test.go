package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/auth"
	"github.com/patrolsync/patrolsync/internal/org"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/seed"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// templateOrg is an organisation with a signed-in user of each role.
type templateOrg struct {
	ctx                      context.Context // acts as the organisation's administrator
	admin, supervisor, guard string          // access tokens
}

func newTemplateOrg(t *testing.T, env *apitest.Env, slug string) templateOrg {
	t.Helper()
	ctx := context.Background()
	if _, err := env.App.Org.CreateOrg(ctx, slug, "Org "+slug); err != nil {
		t.Fatal(err)
	}
	ctx, _, err := env.App.Org.ActAsOrg(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	site, err := env.App.Org.CreateSite(ctx, org.SiteInput{Code: "A", Name: "Site A", Timezone: "Asia/Shanghai"})
	if err != nil {
		t.Fatal(err)
	}
	login := func(role string) string {
		email := role + "@" + slug + ".templates.test"
		const password = "template-tests-password"
		_, err := env.App.Org.CreateUser(ctx, org.UserInput{Email: email, Name: role, Password: password, Role: role,
			SiteIDs: []string{site.ID}})
		if err != nil {
			t.Fatal(err)
		}
		var tokens auth.Tokens
		env.Post("/v1/auth/login", "", map[string]string{"email": email, "password": password, "device_id": "dev-" + email}).
			Want(t, http.StatusOK).JSON(t, &tokens)
		return tokens.AccessToken
	}
	return templateOrg{ctx: ctx, admin: login(principal.Admin), supervisor: login(principal.Supervisor),
		guard: login(principal.Guard)}
}

// templateDocument is a small valid checklist whose question reads label.
func templateDocument(key, label string) map[string]any {
	return map[string]any{
		"key":      key,
		"title":    map[string]string{"zh-CN": "测试检查", "en": "Test check"},
		"category": "patrol",
		"sections": []any{map[string]any{
			"key":   "main",
			"title": map[string]string{"zh-CN": "主要", "en": "Main"},
			"items": []any{map[string]any{
				"key": "door_locked", "type": "yes_no", "required": true,
				"label": map[string]string{"zh-CN": "门已锁好？", "en": label},
			}},
		}},
	}
}

type templateView struct {
	ID            string
	Key           string
	Status        string
	Category      string
	Version       int64
	DraftDigest   string `json:"draft_digest"`
	Draft         json.RawMessage
	LatestVersion *versionView `json:"latest_version"`
}

type versionView struct {
	ID       string
	Key      string
	Number   int
	Digest   string
	Category string
	Document json.RawMessage
}

// digestOf is what checklists.Digest says about a document the API returned.
func digestOf(t *testing.T, document json.RawMessage) string {
	t.Helper()
	doc, err := checklists.Parse(document)
	if err != nil {
		t.Fatalf("returned document does not parse: %v", err)
	}
	return checklists.Digest(doc)
}

func digestOfInput(t *testing.T, document map[string]any) string {
	t.Helper()
	raw, _ := json.Marshal(document)
	return digestOf(t, raw)
}

func TestTemplateLifecycle(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		o := newTemplateOrg(t, env, "life")
		first := templateDocument("door-check", "Door locked?")

		var created templateView
		env.Post("/v1/templates", o.admin, map[string]any{"document": first}).Want(t, http.StatusCreated).JSON(t, &created)
		if created.Status != "draft" || created.LatestVersion != nil || created.Version != 1 || created.Key != "door-check" {
			t.Fatalf("created %+v", created)
		}
		if digestOf(t, created.Draft) != digestOfInput(t, first) || created.DraftDigest != digestOfInput(t, first) {
			t.Fatal("the draft came back with other content")
		}
		base := "/v1/templates/" + created.ID

		// An unchanged draft can be re-patched; the row version moves on.
		second := templateDocument("door-check", "Door locked and alarmed?")
		var patched templateView
		env.Patch(base, o.admin, map[string]any{"document": second, "version": 1}).Want(t, http.StatusOK).JSON(t, &patched)
		if patched.Version != 2 || patched.Status != "draft" {
			t.Fatalf("patched %+v", patched)
		}

		var published templateView
		env.Post(base+"/publish", o.admin, map[string]any{"version": 2}).Want(t, http.StatusOK).JSON(t, &published)
		if published.Status != "published" || published.LatestVersion == nil || published.LatestVersion.Number != 1 ||
			published.LatestVersion.Digest != digestOfInput(t, second) {
			t.Fatalf("published %+v", published)
		}
		// Publishing the same content again freezes nothing new.
		env.Post(base+"/publish", o.admin, nil).Want(t, http.StatusConflict).Problem(t)

		third := templateDocument("door-check", "Door locked, alarmed and sealed?")
		env.Patch(base, o.admin, map[string]any{"document": third}).Want(t, http.StatusOK)
		env.Post(base+"/publish", o.admin, nil).Want(t, http.StatusOK).JSON(t, &published)
		if published.LatestVersion.Number != 2 || published.LatestVersion.Digest != digestOfInput(t, third) {
			t.Fatalf("second publish %+v", published.LatestVersion)
		}

		// Version 1 is what it was, whatever happened since.
		checkVersions := func(token string) {
			t.Helper()
			var v1 versionView
			env.Get(base+"/versions/1", token).Want(t, http.StatusOK).JSON(t, &v1)
			if v1.Number != 1 || v1.Digest != digestOfInput(t, second) || digestOf(t, v1.Document) != v1.Digest {
				t.Fatalf("version 1 changed: %+v", v1)
			}
			if !strings.Contains(string(v1.Document), "Door locked and alarmed?") {
				t.Fatalf("version 1 document: %s", v1.Document)
			}
			var versions struct{ Items []versionView }
			env.Get(base+"/versions", token).Want(t, http.StatusOK).JSON(t, &versions)
			if len(versions.Items) != 2 || versions.Items[0].Number != 1 || versions.Items[1].Number != 2 {
				t.Fatalf("versions %+v", versions.Items)
			}
			env.Get(base+"/versions/3", token).Want(t, http.StatusNotFound)
			env.Get(base+"/versions/zero", token).Want(t, http.StatusNotFound)
		}
		checkVersions(o.admin)
		checkVersions(o.guard)

		var archived templateView
		env.Post(base+"/archive", o.admin, nil).Want(t, http.StatusOK).JSON(t, &archived)
		if archived.Status != "archived" || archived.LatestVersion.Number != 2 {
			t.Fatalf("archived %+v", archived)
		}
		env.Patch(base, o.admin, map[string]any{"document": first}).Want(t, http.StatusConflict)
		env.Post(base+"/publish", o.admin, nil).Want(t, http.StatusConflict)
		env.Post(base+"/archive", o.admin, nil).Want(t, http.StatusConflict)
		checkVersions(o.guard)

		// The sync engine's view: pinned versions stay, an archived key is
		// no longer assignable.
		doc, info, err := env.App.Templates.PinnedVersion(o.ctx, created.ID, 1)
		if err != nil || info.Number != 1 || checklists.Digest(doc) != digestOfInput(t, second) || info.Key != "door-check" {
			t.Fatalf("pinned version 1: %+v, %v", info, err)
		}
		if _, _, err := env.App.Templates.LatestPublished(o.ctx, "door-check"); err == nil {
			t.Fatal("an archived template is still assignable")
		}
		_, info, err = env.App.Templates.LatestPublished(o.ctx, "cu-opening-check")
		if err != nil || info.Number != 1 {
			t.Fatalf("latest cu-opening-check: %+v, %v", info, err)
		}
	})
}

func TestInvalidTemplateListsEveryProblem(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		o := newTemplateOrg(t, env, "invalid")
		bad := templateDocument("X", "Door locked?")
		bad["title"] = map[string]string{"zh-CN": "只有中文"}
		bad["pass_threshold"] = 150
		section := bad["sections"].([]any)[0].(map[string]any)
		section["items"] = []any{
			map[string]any{"key": "dup", "type": "yes_no", "label": map[string]string{"zh-CN": "一", "en": "One"}},
			map[string]any{"key": "dup", "type": "number", "min": 5, "max": 1,
				"label": map[string]string{"zh-CN": "二", "en": "Two"}},
		}
		fields := env.Post("/v1/templates", o.admin, map[string]any{"document": bad}).
			Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		for _, pointer := range []string{"/document/key", "/document/title/en", "/document/pass_threshold",
			"/document/sections/0/items/1/key", "/document/sections/0/items/1/min"} {
			if fields[pointer] == "" {
				t.Errorf("no problem reported at %s; got %v", pointer, fields)
			}
		}
		if len(fields) < 5 {
			t.Fatalf("want every problem at once, got %v", fields)
		}
		env.Post("/v1/templates", o.admin, map[string]any{}).Want(t, http.StatusUnprocessableEntity)
		env.Post("/v1/templates", o.admin, map[string]any{"document": "text"}).Want(t, http.StatusUnprocessableEntity)

		// Keys are unique in an organisation and never change.
		var created templateView
		env.Post("/v1/templates", o.admin, map[string]any{"document": templateDocument("gate-check", "Gate shut?")}).
			Want(t, http.StatusCreated).JSON(t, &created)
		env.Post("/v1/templates", o.admin, map[string]any{"document": templateDocument("gate-check", "Again?")}).
			Want(t, http.StatusConflict)
		fields = env.Patch("/v1/templates/"+created.ID, o.admin, map[string]any{"document": templateDocument("other-key", "Gate?")}).
			Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if fields["/document/key"] == "" {
			t.Fatalf("changing the key: %v", fields)
		}
		env.Get("/v1/templates?status=pending", o.admin).Want(t, http.StatusUnprocessableEntity)
	})
}

func TestTemplateVisibilityRolesAndTenancy(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		mine, theirs := newTemplateOrg(t, env, "mine"), newTemplateOrg(t, env, "theirs")
		var draft, published templateView
		env.Post("/v1/templates", mine.admin, map[string]any{"document": templateDocument("draft-only", "Q?")}).
			Want(t, http.StatusCreated).JSON(t, &draft)
		env.Post("/v1/templates", mine.admin, map[string]any{"document": templateDocument("live-check", "Q?")}).
			Want(t, http.StatusCreated).JSON(t, &published)
		env.Post("/v1/templates/"+published.ID+"/publish", mine.admin, nil).Want(t, http.StatusOK)
		env.Patch("/v1/templates/"+published.ID, mine.admin, map[string]any{"document": templateDocument("live-check", "Secret draft?")}).
			Want(t, http.StatusOK)

		for _, token := range []string{mine.guard, mine.supervisor} {
			// Published: readable, without the draft.
			var got templateView
			body := env.Get("/v1/templates/"+published.ID, token).Want(t, http.StatusOK).JSON
			body(t, &got)
			if got.Draft != nil || got.DraftDigest != "" || got.LatestVersion == nil {
				t.Fatalf("non-admin sees %+v", got)
			}
			env.Get("/v1/templates/"+published.ID+"/versions/1", token).Want(t, http.StatusOK)
			raw := env.Get("/v1/templates?limit=500", token).Want(t, http.StatusOK).Body
			if strings.Contains(string(raw), "draft-only") || strings.Contains(string(raw), "Secret draft") {
				t.Fatal("a draft leaks into a non-admin list")
			}
			if !strings.Contains(string(raw), "live-check") {
				t.Fatal("a published template is missing from a non-admin list")
			}
			// Draft only: absent.
			env.Get("/v1/templates/"+draft.ID, token).Want(t, http.StatusNotFound).Problem(t)
			env.Get("/v1/templates/"+draft.ID+"/versions", token).Want(t, http.StatusNotFound)
			env.Get("/v1/templates/"+draft.ID+"/versions/1", token).Want(t, http.StatusNotFound)
			// Writes: forbidden.
			env.Post("/v1/templates", token, map[string]any{"document": templateDocument("guard-made", "Q?")}).
				Want(t, http.StatusForbidden).Problem(t)
			env.Patch("/v1/templates/"+published.ID, token, map[string]any{"document": templateDocument("live-check", "Q?")}).
				Want(t, http.StatusForbidden)
			env.Post("/v1/templates/"+published.ID+"/publish", token, nil).Want(t, http.StatusForbidden)
			env.Post("/v1/templates/"+published.ID+"/archive", token, nil).Want(t, http.StatusForbidden)
		}

		// Another organisation's ids are absent, for reads and writes alike.
		for _, id := range []string{draft.ID, published.ID, uuid.NewString()} {
			base := "/v1/templates/" + id
			env.Get(base, theirs.admin).Want(t, http.StatusNotFound).Problem(t)
			env.Get(base+"/versions", theirs.admin).Want(t, http.StatusNotFound)
			env.Get(base+"/versions/1", theirs.admin).Want(t, http.StatusNotFound)
			env.Patch(base, theirs.admin, map[string]any{"document": templateDocument("live-check", "Q?")}).
				Want(t, http.StatusNotFound)
			env.Post(base+"/publish", theirs.admin, nil).Want(t, http.StatusNotFound)
			env.Post(base+"/archive", theirs.admin, nil).Want(t, http.StatusNotFound)
			env.Get(base, theirs.guard).Want(t, http.StatusNotFound)
		}
		raw := env.Get("/v1/templates?limit=500&key=live-check", theirs.admin).Want(t, http.StatusOK).Body
		if strings.Contains(string(raw), published.ID) {
			t.Fatal("another organisation lists my template")
		}
		// Nothing of theirs changed mine.
		var after templateView
		env.Get("/v1/templates/"+published.ID, mine.admin).Want(t, http.StatusOK).JSON(t, &after)
		if after.Status != "published" || after.LatestVersion.Number != 1 || !strings.Contains(string(after.Draft), "Secret draft") {
			t.Fatalf("after another tenant's attempts: %+v", after)
		}
	})
}

func TestStaleTemplatePatchIsPreconditionFailed(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		o := newTemplateOrg(t, env, "stale")
		var created templateView
		env.Post("/v1/templates", o.admin, map[string]any{"document": templateDocument("race-check", "Q0?")}).
			Want(t, http.StatusCreated).JSON(t, &created)
		path := "/v1/templates/" + created.ID

		// A patch made on a version someone else has changed since is refused.
		env.Patch(path, o.admin, map[string]any{"document": templateDocument("race-check", "Qa?"), "version": 1}).
			Want(t, http.StatusOK)
		env.Patch(path, o.admin, map[string]any{"document": templateDocument("race-check", "Qb?"), "version": 1}).
			Want(t, http.StatusPreconditionFailed).Problem(t)
		created.Version = 2
		// A stale version is refused for publish and archive too.
		env.Post(path+"/publish", o.admin, map[string]any{"version": 1}).Want(t, http.StatusPreconditionFailed).Problem(t)
		env.Post(path+"/archive", o.admin, map[string]any{"version": 1}).Want(t, http.StatusPreconditionFailed)

		// Eight editors who all read the same version send their change at
		// once: exactly one wins, the others learn that they were stale.
		// Only on PostgreSQL for now: the SQLite driver ignores _txlock when
		// _time_format is also in the DSN, so SQLite transactions start
		// DEFERRED and concurrent writers can get SQLITE_BUSY (503) instead.
		if strings.HasPrefix(db, "sqlite:") {
			return
		}
		const editors = 8
		statuses := make([]int, editors)
		var wg sync.WaitGroup
		for i := range editors {
			wg.Go(func() {
				doc := templateDocument("race-check", "Q"+string(rune('1'+i))+"?")
				statuses[i] = env.Patch(path, o.admin, map[string]any{"document": doc, "version": created.Version}).Status
			})
		}
		wg.Wait()
		won := 0
		for _, status := range statuses {
			switch status {
			case http.StatusOK:
				won++
			case http.StatusPreconditionFailed:
			default:
				t.Fatalf("concurrent patch answered %d", status)
			}
		}
		if won != 1 {
			t.Fatalf("%d concurrent patches won, want 1: %v", won, statuses)
		}
		var got templateView
		env.Get(path, o.admin).Want(t, http.StatusOK).JSON(t, &got)
		if got.Version != 3 || got.Status != "draft" {
			t.Fatalf("after the race: %+v", got)
		}
	})
}

func TestNewOrganisationsGetTheStandardLibrary(t *testing.T) {
	t.Parallel()
	library, err := checklists.Library()
	if err != nil {
		t.Fatal(err)
	}
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		o := newTemplateOrg(t, env, "fresh")

		// A guard pages through them: every standard template, published as
		// version 1 with the engine's digest.
		seen := map[string]templateView{}
		cursor := ""
		for range len(library) {
			var page struct {
				Items      []templateView
				NextCursor string `json:"next_cursor"`
			}
			env.Get("/v1/templates?limit=5&cursor="+cursor, o.guard).Want(t, http.StatusOK).JSON(t, &page)
			for _, item := range page.Items {
				seen[item.Key] = item
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		if len(seen) != len(library) {
			t.Fatalf("the new organisation has %d templates, want the %d of the library", len(seen), len(library))
		}
		for _, want := range library {
			got, ok := seen[want.Key]
			if !ok || got.Status != "published" || got.LatestVersion == nil || got.LatestVersion.Number != 1 {
				t.Fatalf("%s: %+v", want.Key, got)
			}
			if got.LatestVersion.Digest != checklists.Digest(want) {
				t.Errorf("%s: digest %s, want %s", want.Key, got.LatestVersion.Digest, checklists.Digest(want))
			}
		}
		first := library[0]
		var version versionView
		env.Get("/v1/templates/"+seen[first.Key].ID+"/versions/1", o.guard).Want(t, http.StatusOK).JSON(t, &version)
		if digestOf(t, version.Document) != checklists.Digest(first) {
			t.Fatalf("%s: the stored document does not digest as the library's", first.Key)
		}

		// Filters narrow the list.
		var filtered struct{ Items []templateView }
		env.Get("/v1/templates?key="+first.Key, o.admin).Want(t, http.StatusOK).JSON(t, &filtered)
		if len(filtered.Items) != 1 || filtered.Items[0].Key != first.Key {
			t.Fatalf("key filter: %+v", filtered.Items)
		}
		env.Get("/v1/templates?limit=500&category="+first.Category, o.guard).Want(t, http.StatusOK).JSON(t, &filtered)
		for _, item := range filtered.Items {
			if item.Category != first.Category {
				t.Fatalf("category filter let %s (%s) through", item.Key, item.Category)
			}
		}
		env.Get("/v1/templates?status=draft", o.admin).Want(t, http.StatusOK).JSON(t, &filtered)
		if len(filtered.Items) != 0 {
			t.Fatalf("a fresh organisation has drafts: %+v", filtered.Items)
		}

		// Seeding again, as seed --demo does, adds nothing.
		if err := env.App.Org.Seed(o.ctx); err != nil {
			t.Fatal(err)
		}
		var all struct{ Items []templateView }
		env.Get("/v1/templates?limit=500", o.admin).Want(t, http.StatusOK).JSON(t, &all)
		if len(all.Items) != len(library) {
			t.Fatalf("after seeding again: %d templates, want %d", len(all.Items), len(library))
		}
	})
}

func TestDemoSeedHasTheLibraryOnce(t *testing.T) {
	t.Parallel()
	library, err := checklists.Library()
	if err != nil {
		t.Fatal(err)
	}
	env := apitest.New(t, testenv.SQLite(t))
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for range 2 {
		if _, err := seed.Demo(context.Background(), env.App.Org, quiet); err != nil {
			t.Fatal(err)
		}
	}
	var tokens auth.Tokens
	env.Post("/v1/auth/login", "", map[string]string{"email": "guard1@demo.patrolsync.test", "password": seed.DemoPassword,
		"device_id": "demo-phone"}).Want(t, http.StatusOK).JSON(t, &tokens)
	var all struct{ Items []templateView }
	env.Get("/v1/templates?limit=500", tokens.AccessToken).Want(t, http.StatusOK).JSON(t, &all)
	if len(all.Items) != len(library) {
		t.Fatalf("demo organisation has %d templates, want %d", len(all.Items), len(library))
	}
}
