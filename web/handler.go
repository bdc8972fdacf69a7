package web

import (
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// Options tune the pages' Content-Security-Policy.
type Options struct {
	// Origins are the origins besides the server's own that pages talk to:
	// the object store that photos upload to through presigned URLs and
	// are shown from ("https://minio.example.com:9000").
	Origins []string
}

// contentTypes are set explicitly: a system's mime.types must not decide
// whether a phone accepts the engine (application/wasm) or the manifest.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".wasm":        "application/wasm",
	".webmanifest": "application/manifest+json",
	".json":        "application/json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".webp":        "image/webp",
	".ico":         "image/x-icon",
	".woff2":       "font/woff2",
	".woff":        "font/woff",
	".ttf":         "font/ttf",
	".txt":         "text/plain; charset=utf-8",
	".map":         "application/json",
}

// Handler serves one app (app or console) under /<app>/. Paths without an
// extension that name no file answer the app's index.html, so a reload on
// a deep link opens the app.
func (assets *Assets) Handler(app string, options Options) http.Handler {
	return &handler{assets: assets, app: app, policy: contentSecurityPolicy(options)}
}

type handler struct {
	assets *Assets
	app    string
	policy string
}

// contentSecurityPolicy allows only the server's own scripts, styles and
// workers, WebAssembly compilation (the engine), images from the camera
// (blob:) and the object store, and no framing.
func contentSecurityPolicy(options Options) string {
	origins := strings.Join(append([]string{"'self'"}, options.Origins...), " ")
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self' 'wasm-unsafe-eval'",
		"style-src 'self'",
		"img-src " + origins + " blob: data:",
		"media-src 'self' blob:",
		"connect-src " + origins,
		"worker-src 'self'",
		"manifest-src 'self'",
		"font-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", h.policy)
	manifest := h.assets.manifest
	if manifest == nil || !h.has(path.Join(h.app, "index.html")) {
		h.notBuilt(w)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/"+h.app+"/")
	if !ok || rest == "" {
		rest = "index.html"
	}
	name := path.Join(h.app, path.Clean("/" + rest)[1:])
	if !h.has(name) {
		if path.Ext(rest) != "" {
			http.Error(w, "404 page not found", http.StatusNotFound)
			return
		}
		name = path.Join(h.app, "index.html")
	}
	h.serve(w, r, name, manifest.Files[name])
}

func (h *handler) has(name string) bool {
	_, ok := h.assets.manifest.Files[name]
	return ok
}

// serve answers one file: gzipped when the client takes it, revalidated
// by ETag unless its name carries its hash (then cached for a year).
func (h *handler) serve(w http.ResponseWriter, r *http.Request, name string, file File) {
	header := w.Header()
	contentType, ok := contentTypes[path.Ext(name)]
	if !ok {
		contentType = "application/octet-stream"
	}
	header.Set("Content-Type", contentType)
	if file.Immutable {
		header.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		header.Set("Cache-Control", "no-cache")
	}
	if name == "app/sw.js" {
		header.Set("Service-Worker-Allowed", "/app/")
	}
	source, etag := name, file.SHA256[:20]
	if file.Gzipped {
		header.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			source, etag = name+".gz", etag+"-gz"
			header.Set("Content-Encoding", "gzip")
		}
	}
	header.Set("ETag", `"`+etag+`"`)
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, `"`+etag+`"`) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	content, err := fs.ReadFile(h.assets.files, source)
	if err != nil {
		http.Error(w, "500 the embedded file cannot be read", http.StatusInternalServerError)
		return
	}
	header.Set("Content-Length", strconv.Itoa(len(content)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(content)
}

// acceptsGzip reads Accept-Encoding: gzip listed without q=0.
func acceptsGzip(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		coding, parameters, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		quality, weighted := strings.CutPrefix(strings.TrimSpace(parameters), "q=")
		if !weighted {
			return true
		}
		weight, err := strconv.ParseFloat(quality, 64)
		return err == nil && weight > 0
	}
	return false
}

// notBuilt is the page a binary built without the web assets answers, so
// nobody mistakes a missing build for a broken app.
func (h *handler) notBuilt(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>patrolsync: web assets not built</title></head>
<body>
<h1>The web assets were not built into this binary</h1>
<p>This patrolsync server was compiled without its browser apps, so <code>/%s/</code> has nothing to serve.
The API under <code>/v1</code> works as usual.</p>
<p>Build the complete binary from the source tree with</p>
<pre>make build          # web assets, then the server: var/bin/patrolsync</pre>
<p>or by hand</p>
<pre>go run ./web/build  # writes web/dist
go build -o var/bin/patrolsync ./cmd/patrolsync</pre>
</body></html>
`, html.EscapeString(h.app))
}
