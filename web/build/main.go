// Command build builds the browser apps into web/dist, which the web package
// embeds into the binary:
//
//	go run ./web/build            (make build runs it before go build)
//
// It compiles the checklist engine to WebAssembly (GOOS=js GOARCH=wasm go
// build ./cmd/engine-wasm), bundles and minifies each app's index.html
// scripts and style sheets with esbuild's Go API, copies the app's other
// files (manifest, icons), bundles the guard app's service worker with the
// list of shell files and a shell version derived from their contents, and
// writes dist/build.json, the manifest the server reads. It needs only Go:
// no Node, no npm.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/patrolsync/patrolsync/web/buildinfo"
)

func main() {
	out := flag.String("out", "", "output directory (default: web/dist of the module)")
	quiet := flag.Bool("quiet", false, "print only the totals")
	flag.Parse()
	if err := run(*out, *quiet); err != nil {
		fmt.Fprintf(os.Stderr, "web build: %v\n", err)
		os.Exit(1)
	}
}

func run(out string, quiet bool) error {
	start := time.Now()
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(root, "web", "dist")
	}
	b := &builder{root: root, out: out, manifest: buildinfo.New()}
	if err := b.build(); err != nil {
		return err
	}
	b.report(os.Stdout, quiet, time.Since(start))
	return nil
}

// moduleRoot walks up from the working directory to the go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory: run it inside the patrolsync module")
		}
		dir = parent
	}
}
