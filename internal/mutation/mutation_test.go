package mutation

import (
	"encoding/json"
	"testing"
)

func TestEncodeTakesOnlyTheTypesPayload(t *testing.T) {
	raw, err := Encode(AnswerSet, Answer{Path: "/a", Answer: json.RawMessage(`{"value":true}`)})
	if err != nil || string(raw) != `{"path":"/a","answer":{"value":true}}` {
		t.Fatalf("Encode(answer.set) = %s, %v", raw, err)
	}
	if _, err := Encode(AnswerClear, &Answer{Path: "/a"}); err != nil {
		t.Fatalf("a pointer to the payload: %v", err)
	}
	for _, bad := range []any{Submit{}, map[string]any{"path": "/a"}, nil} {
		if _, err := Encode(AnswerSet, bad); err == nil {
			t.Errorf("Encode(answer.set, %T) accepted", bad)
		}
	}
	if _, err := Encode("inspection.delete", Answer{}); err == nil {
		t.Error("Encode accepted an undeclared type")
	}
}

func TestSpecsAreUniqueAndLookedUp(t *testing.T) {
	seen := map[Type]bool{}
	for _, s := range Specs() {
		if seen[s.Type] {
			t.Errorf("%s declared twice", s.Type)
		}
		seen[s.Type] = true
		if got, ok := Lookup(string(s.Type)); !ok || got.Type != s.Type || KindOf(string(s.Type)) != s.Kind {
			t.Errorf("Lookup(%q) = %+v, %v", s.Type, got, ok)
		}
	}
	if _, ok := Lookup("answer.Set"); ok {
		t.Error("names are exact")
	}
}
