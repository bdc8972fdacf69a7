package web_test

import (
	"path"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/internal/browsertest"
)

// shellBudget is the most the guard app's scripts and style sheets may
// weigh gzipped (issue 12): what a phone downloads before the first screen.
const shellBudget = 150 << 10

// The app shell stays within its budget; the figures go to
// docs/benchmarks.md (go run ./web/build prints the same).
func TestShellBudget(t *testing.T) {
	t.Parallel()
	manifest := browsertest.RequireAssets(t)
	totals := map[string]int{}
	for name, file := range manifest.Files {
		app, _, _ := strings.Cut(name, "/")
		if ext := path.Ext(name); (ext == ".js" || ext == ".css") && path.Base(name) != "sw.js" {
			totals[app] += file.Gzip
		}
	}
	engine := manifest.Files[strings.TrimPrefix(manifest.EngineWasm, "/")]
	t.Logf("app shell JS+CSS %.1f KiB gzipped, console %.1f KiB, engine %.1f KiB (%.1f KiB gzipped)",
		float64(totals["app"])/1024, float64(totals["console"])/1024, float64(engine.Size)/1024, float64(engine.Gzip)/1024)
	if totals["app"] == 0 || engine.Gzip == 0 {
		t.Fatalf("the build holds no app shell or engine: %+v", totals)
	}
	if totals["app"] > shellBudget {
		t.Errorf("app shell JS+CSS is %d bytes gzipped, over the %d budget", totals["app"], shellBudget)
	}
}
