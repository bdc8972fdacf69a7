package checklists

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

// AnswerDigest is the SHA-256 of JSON.stringify with sorted keys, whatever
// the key order or number spelling the answer arrived with.
func TestAnswerDigest(t *testing.T) {
	canonical := `{"countersign":{"signature_media_id":"0193a1b2-0000-7000-8000-000000000002","user_id":"0193a1b2-0000-7000-8000-0000000000aa"},` +
		`"note":"<ok> & 王强","value":{"media_id":"0193a1b2-0000-7000-8000-000000000001","signer_name":"王强"}}`
	sum := sha256.Sum256([]byte(canonical))
	want := hex.EncodeToString(sum[:])
	for _, source := range []string{
		canonical,
		`{"value": {"signer_name": "王强", "media_id": "0193a1b2-0000-7000-8000-000000000001"}, "note": "<ok> & 王强", "media": [],
		  "countersign": {"user_id": "0193a1b2-0000-7000-8000-0000000000aa", "signature_media_id": "0193a1b2-0000-7000-8000-000000000002"}}`,
	} {
		var answer Answer
		if err := json.Unmarshal([]byte(source), &answer); err != nil {
			t.Fatal(err)
		}
		if got := AnswerDigest(answer); got != want {
			t.Errorf("AnswerDigest(%s) = %s, want %s", source, got, want)
		}
	}
	var numbers Answer
	json.Unmarshal([]byte(`{"value": 1.50E+2}`), &numbers)
	sum = sha256.Sum256([]byte(`{"value":150}`))
	if got := AnswerDigest(numbers); got != hex.EncodeToString(sum[:]) {
		t.Errorf("numbers are not in their shortest form: %s", got)
	}
	changed := Answer{Value: map[string]any{"media_id": "0193a1b2-0000-7000-8000-000000000001", "signer_name": "王"}}
	if AnswerDigest(changed) == want {
		t.Error("a changed answer has the same digest")
	}
}
