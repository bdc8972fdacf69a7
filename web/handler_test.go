package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// fakeBuild is a dist directory as web/build writes it.
func fakeBuild(t *testing.T) *Assets {
	t.Helper()
	var zipped bytes.Buffer
	writer := gzip.NewWriter(&zipped)
	writer.Write([]byte("console.log(1)"))
	writer.Close()
	manifest := Manifest{ShellVersion: "v1", Files: map[string]File{
		"app/index.html":           {SHA256: strings.Repeat("a", 64)},
		"app/main-ABC.js":          {SHA256: strings.Repeat("b", 64), Immutable: true, Gzipped: true},
		"app/engine-1.wasm":        {SHA256: strings.Repeat("c", 64), Immutable: true},
		"app/sw.js":                {SHA256: strings.Repeat("d", 64)},
		"app/manifest.webmanifest": {SHA256: strings.Repeat("e", 64)},
	}}
	encoded, _ := json.Marshal(manifest)
	return Load(fstest.MapFS{
		"build.json":               {Data: encoded},
		"app/index.html":           {Data: []byte("<!doctype html>app")},
		"app/main-ABC.js":          {Data: []byte("console.log(1)")},
		"app/main-ABC.js.gz":       {Data: zipped.Bytes()},
		"app/engine-1.wasm":        {Data: []byte("\x00asm")},
		"app/sw.js":                {Data: []byte("self")},
		"app/manifest.webmanifest": {Data: []byte("{}")},
	})
}

func TestHandler(t *testing.T) {
	t.Parallel()
	handler := fakeBuild(t).Handler("app", Options{Origins: []string{"https://s3.example.com"}})
	tests := []struct {
		name, path, acceptEncoding string
		status                     int
		header                     map[string]string
		body                       string
	}{
		{name: "index", path: "/app/", status: 200, body: "<!doctype html>app", header: map[string]string{
			"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"}},
		{name: "deep link", path: "/app/inspections/42", status: 200, body: "<!doctype html>app"},
		{name: "hashed script", path: "/app/main-ABC.js", status: 200, body: "console.log(1)", header: map[string]string{
			"Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=31536000, immutable",
			"Vary": "Accept-Encoding", "Content-Encoding": ""}},
		{name: "gzipped script", path: "/app/main-ABC.js", acceptEncoding: "br, gzip", status: 200, header: map[string]string{
			"Content-Encoding": "gzip", "ETag": `"bbbbbbbbbbbbbbbbbbbb-gz"`}},
		{name: "gzip refused", path: "/app/main-ABC.js", acceptEncoding: "gzip;q=0", status: 200, body: "console.log(1)"},
		{name: "engine", path: "/app/engine-1.wasm", status: 200, header: map[string]string{"Content-Type": "application/wasm"}},
		{name: "manifest", path: "/app/manifest.webmanifest", status: 200, header: map[string]string{
			"Content-Type": "application/manifest+json"}},
		{name: "service worker", path: "/app/sw.js", status: 200, header: map[string]string{
			"Service-Worker-Allowed": "/app/", "Cache-Control": "no-cache"}},
		{name: "missing asset", path: "/app/nothing.js", status: 404},
		{name: "escape attempt", path: "/app/../build.json", status: 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			request := httptest.NewRequest(http.MethodGet, tc.path, nil)
			if tc.acceptEncoding != "" {
				request.Header.Set("Accept-Encoding", tc.acceptEncoding)
			}
			recorder := httptest.NewRecorder()
			handler.ServeHTTP(recorder, request)
			if recorder.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", recorder.Code, tc.status, recorder.Body)
			}
			for name, want := range tc.header {
				if got := recorder.Header().Get(name); got != want {
					t.Errorf("%s: %q, want %q", name, got, want)
				}
			}
			if tc.body != "" && recorder.Body.String() != tc.body {
				t.Errorf("body %q, want %q", recorder.Body, tc.body)
			}
			policy := recorder.Header().Get("Content-Security-Policy")
			if !strings.Contains(policy, "connect-src 'self' https://s3.example.com") || !strings.Contains(policy, "'wasm-unsafe-eval'") {
				t.Errorf("Content-Security-Policy %q", policy)
			}
		})
	}
}

func TestHandlerRevalidates(t *testing.T) {
	t.Parallel()
	handler := fakeBuild(t).Handler("app", Options{})
	first := httptest.NewRecorder()
	handler.ServeHTTP(first, httptest.NewRequest(http.MethodGet, "/app/", nil))
	request := httptest.NewRequest(http.MethodGet, "/app/", nil)
	request.Header.Set("If-None-Match", first.Header().Get("ETag"))
	second := httptest.NewRecorder()
	handler.ServeHTTP(second, request)
	if second.Code != http.StatusNotModified || second.Body.Len() != 0 {
		t.Fatalf("revalidation answered %d with %d bytes, want 304 and none", second.Code, second.Body.Len())
	}
}

// Without the web build every page says how to build the assets.
func TestHandlerNotBuilt(t *testing.T) {
	t.Parallel()
	for _, assets := range []*Assets{Load(fstest.MapFS{"README.md": {Data: []byte("x")}}), fakeBuild(t)} {
		recorder := httptest.NewRecorder()
		assets.Handler("console", Options{}).ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, "/console/", nil))
		body, _ := io.ReadAll(recorder.Body)
		if recorder.Code != http.StatusNotFound || !bytes.Contains(body, []byte("make build")) || !bytes.Contains(body, []byte("go run ./web/build")) {
			t.Errorf("answered %d %s", recorder.Code, body)
		}
	}
}
