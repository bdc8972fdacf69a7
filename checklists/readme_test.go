package checklists

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestReadmeWorkedExample keeps the README's worked example true: the
// template parses and evaluating the input gives exactly the result shown.
func TestReadmeWorkedExample(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, example, found := strings.Cut(string(readme), "## Worked example")
	if !found {
		t.Fatal("README has no worked example")
	}
	template := mustParse(t, jsonBlockAfter(t, example, "### Template"))
	var input Input
	decoder := json.NewDecoder(strings.NewReader(jsonBlockAfter(t, example, "### Input")))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&input); err != nil {
		t.Fatalf("input: %v", err)
	}
	got, _ := json.Marshal(Evaluate(template, input))
	var want bytes.Buffer
	if err := json.Compact(&want, []byte(jsonBlockAfter(t, example, "### Result"))); err != nil {
		t.Fatalf("result block: %v", err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("README result is stale.\ngot:  %s\nwant: %s", got, want.Bytes())
	}
}

// jsonBlockAfter returns the first ```json block after heading.
func jsonBlockAfter(t *testing.T, text, heading string) string {
	t.Helper()
	_, rest, found := strings.Cut(text, heading+"\n")
	if !found {
		t.Fatalf("no %q", heading)
	}
	_, rest, found = strings.Cut(rest, "```json\n")
	block, _, closed := strings.Cut(rest, "\n```")
	if !found || !closed {
		t.Fatalf("no json block after %q", heading)
	}
	return block
}
