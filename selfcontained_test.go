package patrolsync

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// relativeShared finds relative paths to a shared/ folder: ../shared,
// ../../shared and so on.
var relativeShared = regexp.MustCompile(`(?:\.\./)+shared\b`)

// The repository stands on its own: no file points at notes or sources
// outside it (a sibling shared/ folder, a workstation path), which a
// reader of a clone cannot follow. A relative path that stays inside the
// repository (web/app importing ../shared/engine.js) is fine.
func TestNothingPointsOutsideTheRepository(t *testing.T) {
	outside := []string{"shared/seeds", "seeds-digest", "/work/"}
	err := filepath.WalkDir(".", func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if entry.IsDir() {
			if name := entry.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".md", ".yaml", ".yml", ".json", ".sql", ".sh", ".toml", "":
		default:
			return nil
		}
		if path == "selfcontained_test.go" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil || strings.ContainsRune(string(data), 0) {
			return err // a binary someone built here is no document
		}
		for _, needle := range outside {
			if strings.Contains(string(data), needle) {
				t.Errorf("%s mentions %q, outside the repository", path, needle)
			}
		}
		for _, relative := range relativeShared.FindAllString(string(data), -1) {
			if target := filepath.Join(filepath.Dir(path), relative); strings.HasPrefix(target, "..") {
				t.Errorf("%s mentions %q, outside the repository", path, relative)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
