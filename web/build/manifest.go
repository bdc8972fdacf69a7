package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/web/buildinfo"
)

// writeManifest writes the build's manifest as indented JSON.
func writeManifest(m *buildinfo.Manifest, name string) error {
	encoded, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(name, append(encoded, '\n'), 0o644)
}

// report prints every file with its sizes and the totals the budgets in
// docs/benchmarks.md are about.
func (b *builder) report(w io.Writer, quiet bool, took time.Duration) {
	var names []string
	for name := range b.manifest.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	totals := map[string]int{}
	for _, name := range names {
		file := b.manifest.Files[name]
		if !quiet {
			fmt.Fprintf(w, "  %-48s %9s  gzip %9s\n", name, kib(file.Size), kib(file.Gzip))
		}
		if app, _, ok := strings.Cut(name, "/"); ok && (strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".css")) && !strings.HasSuffix(name, "/sw.js") {
			totals[app] += file.Gzip
		}
	}
	for _, app := range apps {
		fmt.Fprintf(w, "web build: %s shell JS+CSS %s gzipped\n", app, kib(totals[app]))
	}
	if engine, ok := b.manifest.Files[strings.TrimPrefix(b.engineWasm, "/")]; ok {
		fmt.Fprintf(w, "web build: engine %s, %s gzipped\n", kib(engine.Size), kib(engine.Gzip))
	}
	for _, app := range b.manifest.Skipped {
		fmt.Fprintf(w, "web build: %s skipped: web/%s/index.html does not exist\n", app, app)
	}
	fmt.Fprintf(w, "web build: wrote %s in %s\n", b.out, took.Round(10*time.Millisecond))
}

func kib(bytes int) string {
	return fmt.Sprintf("%.1f KiB", float64(bytes)/1024)
}
