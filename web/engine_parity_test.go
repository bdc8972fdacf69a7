package web_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/checklists/bridge"
	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// vector is the input half of a shared logic vector (checklists/testdata/logic).
type vector struct {
	Name        string                       `json:"name"`
	Template    json.RawMessage              `json:"template"`
	Context     map[string]any               `json:"context"`
	References  map[string]any               `json:"references"`
	InspectorID string                       `json:"inspector_id"`
	Answers     map[string]checklists.Answer `json:"answers"`
}

// Every logic vector evaluates in Chromium, through the WebAssembly engine
// the server serves at /app/, to exactly what the Go engine of the server
// computes: the bridge's raw answer byte for byte, and what engine.js hands
// the app equal as canonical JSON.
func TestEngineParityInChromium(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../checklists/testdata/logic/*.json")
	if err != nil || len(files) < 12 {
		t.Fatalf("want the shared logic vectors, found %d (%v)", len(files), err)
	}
	server := browsertest.Server(t, testenv.SQLite(t))
	module := browsertest.EngineModule(t, "app")
	browser := browsertest.New(t, browsertest.Phone)
	browser.Open(server.URL + "/app/")
	// Fetching and compiling 8 MB of WebAssembly on a loaded machine takes
	// what it takes: waited for on events, not within Eval's fixed bound.
	browser.Wait("the engine loaded", `import(`+quote(module)+`).then((engine) => engine.loadEngine()).then(() => true)`)

	native := bridge.New()
	for _, file := range files {
		test := loadVector(t, file)
		t.Run(test.Name, func(t *testing.T) {
			call := map[string]any{"template": test.Template, "answers": test.Answers,
				"context": test.Context, "inspector_id": test.InspectorID}
			if len(test.References) > 0 {
				call["references"] = test.References
			}
			request, err := json.Marshal(call)
			if err != nil {
				t.Fatal(err)
			}
			want := native.Call("evaluate", request)
			if !bytes.HasPrefix(want, []byte(`{"ok":true`)) {
				t.Fatalf("the Go engine failed the vector: %s", want)
			}
			var raw string
			browser.Eval(`patrolsyncEngine("evaluate", `+quote(string(request))+`)`, &raw)
			if raw != string(want) {
				t.Errorf("WebAssembly bridge answer differs from Go's:\nbrowser: %s\n     Go: %s", raw, want)
			}
			var viaModule string
			browser.Eval(`import(`+quote(module)+`).then(async (engine) => JSON.stringify((await engine.loadEngine()).evaluate(
				`+string(test.Template)+`, `+jsonOf(t, test.Answers)+`, `+jsonOf(t, test.Context)+`, `+quote(test.InspectorID)+`, `+jsonOf(t, test.References)+`)))`, &viaModule)
			var envelope struct{ Result json.RawMessage }
			if err := json.Unmarshal(want, &envelope); err != nil {
				t.Fatal(err)
			}
			if difference := differ(t, envelope.Result, []byte(viaModule)); difference != "" {
				t.Errorf("engine.js evaluate differs from Go's Evaluate: %s", difference)
			}
		})
	}
	if lines := browser.Console(); hasException(lines) {
		t.Errorf("the page threw: %s", strings.Join(lines, "\n"))
	}
}

// The comparison itself catches a result that differs in one field.
func TestParityComparisonCatchesDifferences(t *testing.T) {
	t.Parallel()
	original := []byte(`{"outcome":"pass","score":100,"visible":{"a":true}}`)
	if difference := differ(t, original, []byte(`{"visible":{"a":true},"score":100,"outcome":"pass"}`)); difference != "" {
		t.Fatalf("the same result in another key order was reported: %s", difference)
	}
	for _, changed := range []string{
		`{"outcome":"pass","score":99.99,"visible":{"a":true}}`,
		`{"outcome":"pass","score":100,"visible":{"a":false}}`,
		`{"outcome":"pass","score":100,"visible":{"a":true},"extra":[]}`,
	} {
		if differ(t, original, []byte(changed)) == "" {
			t.Errorf("%s passed as equal to %s", changed, original)
		}
	}
}

// differ compares two JSON documents as canonical JSON (object keys
// sorted, numbers as written) and describes a difference, or returns "".
func differ(t *testing.T, want, got []byte) string {
	t.Helper()
	canonicalWant, canonicalGot := canonical(t, want), canonical(t, got)
	if bytes.Equal(canonicalWant, canonicalGot) {
		return ""
	}
	return "\nbrowser: " + string(canonicalGot) + "\n     Go: " + string(canonicalWant)
}

func canonical(t *testing.T, document []byte) []byte {
	t.Helper()
	decoder := json.NewDecoder(bytes.NewReader(document))
	decoder.UseNumber()
	var value any
	if err := decoder.Decode(&value); err != nil {
		t.Fatalf("not JSON: %s: %v", document, err)
	}
	out, err := json.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func loadVector(t *testing.T, file string) vector {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var test vector
	if err := json.Unmarshal(data, &test); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return test
}

func quote(text string) string {
	encoded, _ := json.Marshal(text)
	return string(encoded)
}

func jsonOf(t *testing.T, value any) string {
	t.Helper()
	encoded, err := json.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	return string(encoded)
}

func hasException(lines []string) bool {
	for _, line := range lines {
		if strings.HasPrefix(line, "exception:") {
			return true
		}
	}
	return false
}
