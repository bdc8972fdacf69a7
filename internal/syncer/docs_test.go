package syncer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/store"
)

// The worked example of docs/sync-protocol.md, "Content hash", is what
// the server computes: the same bytes hashed and the same hash, so a
// device built from the docs alone gets the server's content_hash.
func TestContentHashWorkedExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/sync-protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(doc), "## Content hash\n")
	section, _, _ = strings.Cut(section, "\n## ")
	_, example, found := strings.Cut(section, "### Worked example\n")
	if !found {
		t.Fatal("no worked example under Content hash")
	}
	prose := regexp.MustCompile("Template `([^`]+)` version `(\\d+)`, started with the context\\s+`([^`]+)`").FindStringSubmatch(example)
	hash := regexp.MustCompile("the content hash is `([0-9a-f]{64})`").FindStringSubmatch(example)
	if prose == nil || hash == nil {
		t.Fatal("the example names no template, context or hash")
	}
	var answers map[string]checklists.Answer
	if err := json.Unmarshal([]byte(fenced(t, example, "```json\n")), &answers); err != nil {
		t.Fatal(err)
	}
	var context map[string]any
	if err := json.Unmarshal([]byte(prose[3]), &context); err != nil {
		t.Fatal(err)
	}
	stored, _ := json.Marshal(context) // as inspection.start stores it
	version, _ := strconv.Atoi(prose[2])
	st := &inspectionState{row: store.Inspection{TemplateID: prose[1], TemplateVersion: version, Context: stored}, answers: answers}
	got := contentHash(st)

	preimage := fenced(t, example, "```text\n")
	if want := prose[1] + "\n" + prose[2] + "\n" + string(st.encoded) + "\n" + string(stored); preimage != want {
		t.Errorf("the documented bytes are not the server's:\ndoc:    %q\nserver: %q", preimage, want)
	}
	sum := sha256.Sum256([]byte(preimage))
	if hex.EncodeToString(sum[:]) != hash[1] || got != hash[1] {
		t.Errorf("documented hash %s; sha256 of the documented bytes %x; server %s", hash[1], sum, got)
	}
}

// fenced returns the body of the first fenced block opened by fence.
func fenced(t *testing.T, text, fence string) string {
	t.Helper()
	_, rest, found := strings.Cut(text, fence)
	block, _, closed := strings.Cut(rest, "\n```")
	if !found || !closed {
		t.Fatalf("no %q block", fence)
	}
	return block
}
