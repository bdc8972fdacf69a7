package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/patrolsync/patrolsync/web/buildinfo"
)

// apps are the browser apps, each served at /<name>/ from dist/<name>.
var apps = []string{"app", "console"}

// engineApp holds the WebAssembly engine; the console loads it from there
// too, so a browser fetches and caches it once.
const engineApp = "app"

// builder holds one build's state.
type builder struct {
	root     string // module root
	out      string // dist directory
	manifest *buildinfo.Manifest
	// engineWasm is the engine's URL once built.
	engineWasm string
}

func (b *builder) build() error {
	if err := b.clean(); err != nil {
		return err
	}
	if err := b.buildEngine(); err != nil {
		return err
	}
	for _, app := range apps {
		if err := b.buildApp(app); err != nil {
			return fmt.Errorf("%s: %w", app, err)
		}
	}
	if err := b.buildServiceWorker(); err != nil {
		return err
	}
	return writeManifest(b.manifest, filepath.Join(b.out, buildinfo.FileName))
}

// clean empties dist but keeps its README, which keeps the directory (and
// so the embed) there in a checkout that never ran the build.
func (b *builder) clean() error {
	entries, err := os.ReadDir(b.out)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, entry := range entries {
		if entry.Name() == "README.md" {
			continue
		}
		if err := os.RemoveAll(filepath.Join(b.out, entry.Name())); err != nil {
			return err
		}
	}
	return os.MkdirAll(b.out, 0o755)
}

// buildEngine compiles cmd/engine-wasm for browsers, stripped of symbols
// and debug information (a third of the size).
func (b *builder) buildEngine() error {
	temporary := filepath.Join(b.out, "engine.wasm.tmp")
	cmd := exec.Command(goTool(), "build", "-trimpath", "-ldflags=-s -w", "-o", temporary, "./cmd/engine-wasm")
	cmd.Dir = b.root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("GOOS=js GOARCH=wasm go build ./cmd/engine-wasm: %w\n%s", err, output)
	}
	defer os.Remove(temporary)
	wasm, err := os.ReadFile(temporary)
	if err != nil {
		return err
	}
	name := path.Join(engineApp, "engine-"+shortHash(wasm)+".wasm")
	b.engineWasm = "/" + name
	b.manifest.EngineWasm = b.engineWasm
	return b.write(name, wasm, true)
}

// wasmExecPath finds the JavaScript half of Go's js/wasm port in the
// running toolchain: lib/wasm since Go 1.24, misc/wasm before.
func wasmExecPath() (string, error) {
	out, err := exec.Command(goTool(), "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %w", err)
	}
	goroot := strings.TrimSpace(string(out))
	for _, dir := range []string{"lib/wasm", "misc/wasm"} {
		candidate := filepath.Join(goroot, dir, "wasm_exec.js")
		if _, err := os.Stat(candidate); err == nil {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("no wasm_exec.js in %s/lib/wasm or %s/misc/wasm", goroot, goroot)
}

// goTool is the go command of the toolchain running the build.
func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if candidate := filepath.Join(root, "bin", "go"); fileExists(candidate) {
			return candidate
		}
	}
	return "go"
}

func fileExists(name string) bool {
	info, err := os.Stat(name)
	return err == nil && !info.IsDir()
}

// write stores one output file (and its gzip twin when that is smaller)
// under dist and records it in the manifest. Immutable files carry a hash
// of their content in their name.
func (b *builder) write(name string, content []byte, immutable bool) error {
	target := filepath.Join(b.out, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(target, content, 0o644); err != nil {
		return err
	}
	compressed, err := gzipBytes(content)
	if err != nil {
		return err
	}
	entry := buildinfo.File{Size: len(content), Gzip: len(compressed), SHA256: fullHash(content), Immutable: immutable}
	if compressible(name) && len(compressed) < len(content) {
		if err := os.WriteFile(target+".gz", compressed, 0o644); err != nil {
			return err
		}
		entry.Gzipped = true
	}
	b.manifest.Files[name] = entry
	return nil
}

// compressible are the types worth sending gzipped; images already are.
func compressible(name string) bool {
	switch path.Ext(name) {
	case ".js", ".css", ".html", ".wasm", ".json", ".webmanifest", ".svg", ".txt", ".map":
		return true
	}
	return false
}

func gzipBytes(content []byte) ([]byte, error) {
	var buffer bytes.Buffer
	writer, err := gzip.NewWriterLevel(&buffer, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := writer.Write(content); err != nil {
		return nil, err
	}
	if err := writer.Close(); err != nil {
		return nil, err
	}
	return buffer.Bytes(), nil
}

func fullHash(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// shortHash names a file by its content: ten hex digits are plenty to
// tell builds apart.
func shortHash(content []byte) string {
	return fullHash(content)[:10]
}

// reference is a script or style sheet named by an index.html.
var reference = regexp.MustCompile(`(?i)\b(src|href)="([^"]+)"`)

// localAsset reports whether an attribute value is a relative path to a
// script or style sheet of the app itself (to be bundled).
func localAsset(value string) bool {
	if strings.Contains(value, ":") || strings.HasPrefix(value, "/") || strings.HasPrefix(value, "#") {
		return false
	}
	switch path.Ext(value) {
	case ".js", ".css":
		return true
	}
	return false
}

// staticTypes are the files of an app directory copied as they are:
// pages' resources the browser fetches by name. Sources (bundled), the
// service worker (built on its own), Go tests and notes stay out.
var staticTypes = map[string]bool{
	".webmanifest": true, ".json": true, ".png": true, ".svg": true, ".ico": true, ".jpg": true,
	".webp": true, ".woff2": true, ".woff": true, ".ttf": true, ".txt": true, ".html": true,
}

// staticFiles lists the files of an app directory copied as they are
// (index.html is rewritten on its own). Dotfiles and testdata stay out.
func staticFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(name string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		base := entry.Name()
		if entry.IsDir() && name != dir && (strings.HasPrefix(base, ".") || base == "testdata") {
			return filepath.SkipDir
		}
		relative, _ := filepath.Rel(dir, name)
		relative = filepath.ToSlash(relative)
		if !entry.IsDir() && relative != "index.html" && !strings.HasPrefix(base, ".") && staticTypes[path.Ext(base)] {
			files = append(files, relative)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// jsonString is a Go value as a JavaScript literal for esbuild's define.
func jsonString(value any) string {
	encoded, err := json.Marshal(value)
	if err != nil {
		panic(err) // only strings and string lists are defined
	}
	return string(encoded)
}
