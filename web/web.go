// Package web serves the browser apps, the guard's offline PWA at /app/ and
// the console at /console/, from the files `go run ./web/build` writes into
// web/dist and this package embeds.
//
// A binary built without the web build (a bare `go build`) still compiles,
// because dist always holds its README: every page then answers a short
// page saying how to build the assets, never a broken app.
//
// It must never import anything but the standard library and buildinfo
// (the manifest's shape, shared with the build program): the API layer
// mounts its handlers.
package web

import (
	"embed"
	"encoding/json"
	"io/fs"

	"github.com/patrolsync/patrolsync/web/buildinfo"
)

//go:embed all:dist
var dist embed.FS

// Manifest describes a build (see buildinfo); File is one built file.
type (
	Manifest = buildinfo.Manifest
	File     = buildinfo.File
)

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
	data, err := fs.ReadFile(files, buildinfo.FileName)
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
