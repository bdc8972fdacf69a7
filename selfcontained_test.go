package patrolsync

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The repository stands on its own: no file points at notes or sources
// outside it (a sibling shared/ folder, a workstation path), which a
// reader of a clone cannot follow.
func TestNothingPointsOutsideTheRepository(t *testing.T) {
	outside := []string{"../shared", "shared/seeds", "seeds-digest", "/work/"}
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
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
