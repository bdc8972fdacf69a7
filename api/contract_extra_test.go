package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The login answer and /v1/me name the server's device record the session
// is bound to, and the inspections started on that device carry it.
func TestSessionNamesItsDevice(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("device")
		tokens := env.Login(tenant.Guard.Email, apitest.Password, tenant.Guard.DeviceID)
		if tokens.DeviceID == "" {
			t.Fatal("the login answer has no device_id")
		}
		var me struct {
			DeviceID string `json:"device_id"`
		}
		env.Get("/v1/me", tokens.AccessToken).Want(t, http.StatusOK).JSON(t, &me)
		if me.DeviceID != tokens.DeviceID {
			t.Fatalf("/v1/me device_id = %q, login said %q", me.DeviceID, tokens.DeviceID)
		}
		var device struct {
			ID       string `json:"id"`
			DeviceID string `json:"device_id"`
		}
		env.Get("/v1/devices/"+me.DeviceID, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &device)
		if device.DeviceID != tenant.Guard.DeviceID {
			t.Fatalf("device %s has app key %q, want %q", me.DeviceID, device.DeviceID, tenant.Guard.DeviceID)
		}
		// Another phone of the same guard is another device.
		other := env.Login(tenant.Guard.Email, apitest.Password, "second-phone")
		if other.DeviceID == tokens.DeviceID {
			t.Fatal("two phones share a device id")
		}
		id, _ := submitted(t, env, tenant, patrolTemplate, true)
		var inspection struct {
			DeviceID string `json:"device_id"`
		}
		env.Get("/v1/inspections/"+id, tenant.Guard.Token).Want(t, http.StatusOK).JSON(t, &inspection)
		var first struct {
			DeviceID string `json:"device_id"`
		}
		env.Get("/v1/me", tenant.Guard.Token).Want(t, http.StatusOK).JSON(t, &first)
		if inspection.DeviceID != first.DeviceID {
			t.Fatalf("inspection device_id = %q, the pushing session's = %q", inspection.DeviceID, first.DeviceID)
		}
	})
}

// GET of an inspection answers its content hash as a quoted ETag, and
// sign-off takes that ETag back, quoted, bare or weak.
func TestInspectionETagIsTheSignOffPrecondition(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("etag")
		for _, form := range []struct {
			name string
			mk   func(etag string) string
		}{
			{"as given", func(etag string) string { return etag }},
			{"bare", func(etag string) string { return strings.Trim(etag, `"`) }},
			{"weak", func(etag string) string { return "W/" + etag }},
		} {
			t.Run(form.name, func(t *testing.T) {
				id, hash := submitted(t, env, tenant, patrolTemplate, true)
				res := env.Get("/v1/inspections/"+id, tenant.Supervisor.Token).Want(t, http.StatusOK)
				etag := res.Header.Get("ETag")
				if etag != `"`+hash+`"` {
					t.Fatalf("ETag = %q, want the quoted content hash %q", etag, hash)
				}
				approve(env, tenant.Supervisor.Token, id, form.mk(etag), strokes).Want(t, http.StatusOK)
				if again := env.Get("/v1/inspections/"+id, tenant.Supervisor.Token).Header.Get("ETag"); again != etag {
					t.Fatalf("approval changed the ETag from %s to %s", etag, again)
				}
			})
		}
		// An inspection in progress has no content hash, hence no ETag.
		r := newReplica()
		r.pullAll(t, env, tenant.Guard.Token, 500)
		templateID, number, doc := r.template(t, patrolTemplate)
		id, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, checklists.Input{}, false)
		push(t, env, tenant.Guard.Token, batch)
		if etag := env.Get("/v1/inspections/"+id, tenant.Guard.Token).Want(t, http.StatusOK).Header.Get("ETag"); etag != "" {
			t.Fatalf("an inspection in progress answered ETag %q", etag)
		}
	})
}

// Pages of listed origins may call the API and upload to the local blob
// store from a browser; other origins get no CORS headers.
func TestCORS(t *testing.T) {
	t.Parallel()
	const allowed, denied = "https://console.example.com", "https://evil.example.net"
	env := apitest.New(t, testenv.SQLite(t), apitest.WithSetting("PATROLSYNC_CORS_ORIGINS", allowed+",http://localhost:5173"))
	tenant := env.NewTenant("cors")
	preflight := func(path, method, headers, origin string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodOptions, env.URL+path, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", method)
		req.Header.Set("Access-Control-Request-Headers", headers)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	t.Run("preflight allowed", func(t *testing.T) {
		res := preflight("/v1/sync/push", http.MethodPost, "authorization,content-type,idempotency-key", allowed)
		if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != allowed ||
			!strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "POST") ||
			!strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "Authorization") ||
			!strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "Idempotency-Key") ||
			res.Header.Get("Access-Control-Max-Age") != "600" {
			t.Fatalf("preflight = %d %v", res.StatusCode, res.Header)
		}
		signOff := preflight("/v1/inspections/"+newID()+"/approve", http.MethodPost, "authorization,content-type,if-match", allowed)
		if !strings.Contains(signOff.Header.Get("Access-Control-Allow-Headers"), "If-Match") {
			t.Fatalf("sign-off preflight does not allow If-Match: %v", signOff.Header)
		}
	})
	t.Run("preflight denied", func(t *testing.T) {
		res := preflight("/v1/sync/push", http.MethodPost, "authorization,content-type", denied)
		if res.Header.Get("Access-Control-Allow-Origin") != "" || res.Header.Get("Access-Control-Allow-Methods") != "" {
			t.Fatalf("an unlisted origin was allowed: %v", res.Header)
		}
	})
	t.Run("actual request", func(t *testing.T) {
		res := env.Do(apitest.Request{Method: http.MethodGet, Path: "/v1/me", Token: tenant.Guard.Token,
			Header: map[string]string{"Origin": allowed}}).Want(t, http.StatusOK)
		if res.Header.Get("Access-Control-Allow-Origin") != allowed ||
			!strings.Contains(res.Header.Get("Access-Control-Expose-Headers"), "Etag") &&
				!strings.Contains(res.Header.Get("Access-Control-Expose-Headers"), "ETag") ||
			!strings.Contains(res.Header.Get("Vary"), "Origin") {
			t.Fatalf("actual request headers = %v", res.Header)
		}
		other := env.Do(apitest.Request{Method: http.MethodGet, Path: "/v1/me", Token: tenant.Guard.Token,
			Header: map[string]string{"Origin": denied}}).Want(t, http.StatusOK)
		if other.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("an unlisted origin's request got %v", other.Header)
		}
	})
	t.Run("upload URL preflight", func(t *testing.T) {
		declared := declareForCORS(t, env, tenant)
		res := preflight(strings.TrimPrefix(declared, env.URL), http.MethodPut, "content-type,x-amz-checksum-sha256", allowed)
		if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != allowed ||
			!strings.Contains(strings.ToLower(res.Header.Get("Access-Control-Allow-Headers")), "x-amz-checksum-sha256") ||
			!strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "PUT") {
			t.Fatalf("upload preflight = %d %v", res.StatusCode, res.Header)
		}
		if denied := preflight(strings.TrimPrefix(declared, env.URL), http.MethodPut, "content-type", denied); denied.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("an unlisted origin may upload: %v", denied.Header)
		}
	})
}

// declareForCORS declares a photo and returns its local upload URL.
func declareForCORS(t *testing.T, env *apitest.Env, tenant *apitest.Tenant) string {
	t.Helper()
	var declared struct {
		Upload struct {
			URL string `json:"url"`
		} `json:"upload"`
	}
	env.Post("/v1/media", tenant.Guard.Token, declaration(newID(), newID(), "image/png", pngOf(t, 4, 4))).
		Want(t, http.StatusCreated).JSON(t, &declared)
	if !strings.HasPrefix(declared.Upload.URL, env.URL+"/v1/blobs/") {
		t.Fatalf("upload URL = %q, want the local blob store's", declared.Upload.URL)
	}
	return declared.Upload.URL
}

// Without PATROLSYNC_CORS_ORIGINS no origin gets CORS headers.
func TestNoCORSByDefault(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.SQLite(t))
	req, _ := http.NewRequest(http.MethodOptions, env.URL+"/v1/me", nil)
	req.Header.Set("Origin", "https://console.example.com")
	req.Header.Set("Access-Control-Request-Method", http.MethodGet)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("CORS without configuration: %v", res.Header)
	}
}

// The template JSON Schema the spec refers to and the sync protocol guide
// linked from /docs/ are served.
func TestSchemaAndGuideAreServed(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.SQLite(t))
	res := env.Get("/v1/schemas/template.json", "").Want(t, http.StatusOK)
	var schema map[string]any
	res.JSON(t, &schema)
	if schema["$schema"] != "https://json-schema.org/draft/2020-12/schema" || string(res.Body) != string(checklists.SchemaJSON) {
		t.Fatalf("template schema = %.200s", res.Body)
	}
	guide := env.Get("/docs/sync-protocol.md", "").Want(t, http.StatusOK)
	if !strings.HasPrefix(string(guide.Body), "# Sync protocol") || !strings.HasPrefix(guide.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("guide = %s %.80s", guide.Header.Get("Content-Type"), guide.Body)
	}
	spec := env.Get("/openapi.yaml", "").Want(t, http.StatusOK)
	for _, link := range []string{"(/docs/sync-protocol.md)", "(/v1/schemas/template.json)", "url: /v1/schemas/template.json"} {
		if !strings.Contains(string(spec.Body), link) {
			t.Errorf("openapi.yaml (shown on /docs/) lacks the link %s", link)
		}
	}
}
