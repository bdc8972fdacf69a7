package checklists

import (
	"strings"
	"testing"
)

func TestDigest(t *testing.T) {
	compact := `{"key":"abc","title":{"en":"T","zh-CN":"题"},"sections":[{"key":"s","title":{"en":"S","zh-CN":"段"},"items":[{"key":"a","type":"yes_no","label":{"en":"A","zh-CN":"甲"}}]}]}`
	reordered := "{\n  \"$schema\": \"../schema/template.schema.json\",\n  \"sections\": [{\"items\": [{\"label\": {\"zh-CN\": \"甲\", \"en\": \"A\"}, \"type\": \"yes_no\", \"key\": \"a\"}], \"title\": {\"zh-CN\": \"段\", \"en\": \"S\"}, \"key\": \"s\"}],\n  \"title\": {\"zh-CN\": \"题\", \"en\": \"T\"},\n  \"key\": \"abc\"\n}"
	changed := strings.Replace(compact, `"A"`, `"A!"`, 1)
	digest := func(source string) string {
		t.Helper()
		return Digest(mustParse(t, source))
	}
	tests := []struct {
		name  string
		other string
		same  bool
	}{
		{"formatting, key order and $schema do not matter", reordered, true},
		{"a changed label does", changed, false},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			first, second := digest(compact), digest(test.other)
			if len(first) != 64 {
				t.Fatalf("digest %q is not sha256 hex", first)
			}
			if (first == second) != test.same {
				t.Errorf("digests %s and %s: same = %v, want %v", first, second, first == second, test.same)
			}
		})
	}
}

// mustParse parses a template that the test knows to be valid.
func mustParse(t testing.TB, source string) *Template {
	t.Helper()
	template, err := Parse([]byte(source))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return template
}
