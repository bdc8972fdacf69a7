// Package web serves the browser apps, the guard's offline PWA at /app/ and
// the console at /console/, from the files `go run ./web/build` writes into
// web/dist and this package embeds.
//
// A binary built without the web build (a bare `go build`) still compiles,
// because dist always holds its README: every page then answers a short
// page saying how to build the assets, never a broken app.
//
// It must never import anything but the standard library: the API layer
// mounts its handlers, and the build program shares only the manifest's
// JSON shape with it.
package web

import (
	"embed"
	"encoding/json"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Manifest describes a build; web/build writes it as dist/build.json.
type Manifest struct {
	// ShellVersion is the guard app's service worker cache version, a hash
	// of the contents of every file of the app.
	ShellVersion string `json:"shell_version"`
	// Engine maps an app to the URL of its engine module (web/shared/engine.js
	// bundled), which exports loadEngine, validate, evaluate and call.
	Engine map[string]string `json:"engine"`
	// EngineWasm is the URL of the WebAssembly engine.
	EngineWasm string `json:"engine_wasm"`
	// Files maps paths under dist ("app/main-X.js") to their description.
	Files map[string]File `json:"files"`
	// Skipped are the apps the build found no index.html for.
	Skipped []string `json:"skipped,omitempty"`
}

// File is one built file.
type File struct {
	Size      int    `json:"size"`
	Gzip      int    `json:"gzip"` // bytes gzipped at best compression
	SHA256    string `json:"sha256"`
	Immutable bool   `json:"immutable"` // the name carries a content hash
	Gzipped   bool   `json:"gzipped"`   // a .gz twin is embedded next to it
}

// Assets are the embedded build: its files and its manifest.
type Assets struct {
	files    fs.FS
	manifest *Manifest // nil when the web build never ran
}

// Embedded returns the assets compiled into this binary.
func Embedded() *Assets {
	files, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return Load(files)
}

// Load reads a build from files (a dist directory); tests use it with a
// directory on disk.
func Load(files fs.FS) *Assets {
	assets := &Assets{files: files}
	data, err := fs.ReadFile(files, "build.json")
	if err != nil {
		return assets
	}
	var manifest Manifest
	if err := json.Unmarshal(data, &manifest); err != nil {
		return assets
	}
	assets.manifest = &manifest
	return assets
}

// Built reports whether the web build ran before this binary was built.
func (assets *Assets) Built() bool { return assets.manifest != nil }

// Manifest returns the build's manifest, or nil when there is none.
func (assets *Assets) Manifest() *Manifest { return assets.manifest }
