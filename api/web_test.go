package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
	"github.com/patrolsync/patrolsync/web"
)

// The browser apps are served by the real router with the headers a
// phone's service worker and the CSP need; a binary without the web build
// says how to make one.
func TestWebApps(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.SQLite(t))
	for _, app := range []string{"app", "console"} {
		if res := env.Do(apitest.Request{Method: http.MethodGet, Path: "/" + app}); res.Status != http.StatusMovedPermanently || res.Header.Get("Location") != "/"+app+"/" {
			t.Errorf("/%s answered %d to %q, want a redirect to /%s/", app, res.Status, res.Header.Get("Location"), app)
		}
	}
	assets := web.Embedded()
	if !assets.Built() {
		res := env.Do(apitest.Request{Method: http.MethodGet, Path: "/app/"})
		if res.Status != http.StatusNotFound || !strings.Contains(string(res.Body), "make build") {
			t.Fatalf("unbuilt /app/ answered %d: %s", res.Status, res.Body)
		}
		return
	}
	page := env.Do(apitest.Request{Method: http.MethodGet, Path: "/app/"})
	if page.Status != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/app/ answered %d %s", page.Status, page.Header.Get("Content-Type"))
	}
	policy := page.Header.Get("Content-Security-Policy")
	for _, directive := range []string{"script-src 'self' 'wasm-unsafe-eval'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(policy, directive) {
			t.Errorf("Content-Security-Policy %q lacks %q", policy, directive)
		}
	}
	engine := env.Do(apitest.Request{Method: http.MethodGet, Path: assets.Manifest().EngineWasm})
	if engine.Status != http.StatusOK || engine.Header.Get("Content-Type") != "application/wasm" ||
		!strings.Contains(engine.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("engine answered %d %q %q", engine.Status, engine.Header.Get("Content-Type"), engine.Header.Get("Cache-Control"))
	}
	if _, ok := assets.Manifest().Files["app/sw.js"]; ok {
		worker := env.Do(apitest.Request{Method: http.MethodGet, Path: "/app/sw.js"})
		if worker.Header.Get("Service-Worker-Allowed") != "/app/" || worker.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("sw.js answered %d with %v", worker.Status, worker.Header)
		}
	}
}
