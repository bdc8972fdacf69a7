package api_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

func TestOperationsEndpoints(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.Postgres(t))
	env.Get("/healthz", "").Want(t, http.StatusOK)
	ready := env.Get("/readyz", "").Want(t, http.StatusOK)
	if !strings.Contains(string(ready.Body), `"database":"ok"`) || !strings.Contains(string(ready.Body), `"blobs":"ok"`) {
		t.Fatalf("readyz = %s", ready.Body)
	}
	r := env.Get("/healthz", "")
	if r.Header.Get("X-Request-Id") == "" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("missing request id or security headers: %v", r.Header)
	}
	metrics := env.Get("/metrics", "").Want(t, http.StatusOK)
	if !strings.Contains(string(metrics.Body), "patrolsync_requests_total") {
		t.Fatalf("metrics lack request counters:\n%.500s", metrics.Body)
	}
	spec := env.Get("/openapi.yaml", "").Want(t, http.StatusOK)
	if !strings.HasPrefix(string(spec.Body), "openapi: 3.1") {
		t.Fatalf("spec = %.80s", spec.Body)
	}
	docs := env.Get("/docs/", "").Want(t, http.StatusOK)
	if !strings.Contains(string(docs.Body), "/openapi.yaml") {
		t.Fatalf("docs page does not load the spec:\n%.500s", docs.Body)
	}
	// The docs' script is served from the binary, not a CDN.
	if strings.Contains(string(docs.Body), "cdn") || strings.Contains(string(docs.Body), "unpkg") {
		t.Fatal("docs load assets from the internet")
	}
}

// With the blob directory gone, the replica reports itself not ready.
func TestReadyzReportsABrokenBlobStore(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.SQLite(t))
	dir := strings.TrimPrefix(env.App.Config.Blobs, "file://")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := env.Get("/readyz", "").Want(t, http.StatusServiceUnavailable)
	if !strings.Contains(string(r.Body), `"blobs":"unavailable"`) || r.Header.Get("Retry-After") == "" {
		t.Fatalf("readyz = %s %v", r.Body, r.Header)
	}
}
