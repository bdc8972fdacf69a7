// Package buildinfo is the shape of dist/build.json: the build program
// (web/build) writes it and the web package serves the apps by it, so the
// two can never disagree about a field. Standard library only.
package buildinfo

// FileName is the manifest's name inside dist.
const FileName = "build.json"

// Manifest describes one build.
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
	Gzipped   bool   `json:"gzipped"`   // a .gz twin sits next to it
}

// New is an empty manifest ready to be filled.
func New() *Manifest {
	return &Manifest{Engine: map[string]string{}, Files: map[string]File{}}
}
