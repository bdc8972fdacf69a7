package pgbin

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSortNewestFirst(t *testing.T) {
	dirs := []string{"/usr/lib/postgresql/9.6/bin", "/usr/lib/postgresql/16/bin", "/x/notaversion/bin",
		"/usr/lib/postgresql/10/bin", "/usr/lib/postgresql/9.10/bin", "/usr/lib/postgresql/15/bin"}
	SortNewestFirst(dirs)
	want := []string{"/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/10/bin",
		"/usr/lib/postgresql/9.10/bin", "/usr/lib/postgresql/9.6/bin", "/x/notaversion/bin"}
	if !reflect.DeepEqual(dirs, want) {
		t.Fatalf("got %v, want %v", dirs, want)
	}
}

// Find takes the newest directory that really holds both binaries, then
// PATH.
func TestFind(t *testing.T) {
	root := t.TempDir()
	server := func(version string, files ...string) string {
		dir := filepath.Join(root, version, "bin")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	old := server("15", "initdb", "postgres")
	broken := server("17", "initdb") // no postgres: skipped
	onPath := server("path", "initdb", "postgres")
	noPath := func(string) (string, error) { return "", errors.New("not found") }
	if got := find([]string{old, broken}, noPath); got != old {
		t.Fatalf("got %q, want %q", got, old)
	}
	path := func(string) (string, error) { return filepath.Join(onPath, "initdb"), nil }
	if got := find(nil, path); got != onPath {
		t.Fatalf("from PATH: got %q, want %q", got, onPath)
	}
	if got := find([]string{broken}, noPath); got != "" {
		t.Fatalf("nothing usable: got %q", got)
	}
}
