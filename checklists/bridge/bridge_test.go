package bridge

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/patrolsync/patrolsync/checklists"
)

// vectorInput is the part of a shared logic vector the engine reads.
type vectorInput struct {
	Template    json.RawMessage              `json:"template"`
	Context     map[string]any               `json:"context"`
	InspectorID string                       `json:"inspector_id"`
	Answers     map[string]checklists.Answer `json:"answers"`
}

// The bridge answers exactly what checklists.Evaluate returns, whether the
// template comes whole or by the digest of a load.
func TestEvaluateMatchesEngine(t *testing.T) {
	files, err := filepath.Glob("../testdata/logic/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors (%v)", err)
	}
	engine := New()
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var vector vectorInput
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &vector); err != nil {
				t.Fatal(err)
			}
			template, err := checklists.Parse(vector.Template)
			if err != nil {
				t.Fatal(err)
			}
			input := checklists.Input{Answers: vector.Answers, Context: vector.Context, InspectorID: vector.InspectorID}
			want, _ := json.Marshal(response{OK: true, Result: checklists.Evaluate(template, input)})

			whole, _ := json.Marshal(EvaluateRequest{Template: vector.Template, Input: input})
			if got := engine.Call("evaluate", whole); !bytes.Equal(got, want) {
				t.Errorf("evaluate with the template:\n got %s\nwant %s", got, want)
			}
			loaded := decode(t, engine.Call("load", vector.Template))
			digest := loaded.Result.(map[string]any)["digest"].(string)
			if digest != checklists.Digest(template) {
				t.Errorf("load digest %s, want %s", digest, checklists.Digest(template))
			}
			byDigest, _ := json.Marshal(EvaluateRequest{Digest: digest, Input: input})
			if got := engine.Call("evaluate", byDigest); !bytes.Equal(got, want) {
				t.Errorf("evaluate by digest:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestFailures(t *testing.T) {
	engine := New()
	tests := []struct {
		name, call, request, code string
	}{
		{"invalid template", "validate", `{"key": "x", "sections": []}`, CodeInvalidTemplate},
		{"not JSON", "load", `{`, CodeInvalidTemplate},
		{"unknown digest", "evaluate", `{"digest": "abc", "answers": {}}`, CodeUnknownTemplate},
		{"no template", "evaluate", `{"answers": {}}`, CodeBadRequest},
		{"bad request", "evaluate", `[1]`, CodeBadRequest},
		{"unknown call", "format", `{}`, CodeUnknownCall},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := decode(t, engine.Call(tc.call, []byte(tc.request)))
			if got.OK || got.Error == nil || got.Error.Code != tc.code {
				t.Fatalf("answer %+v, want failure %s", got, tc.code)
			}
			if tc.code == CodeInvalidTemplate && tc.request != `{` && len(got.Error.Problems) == 0 {
				t.Error("an invalid template came without its problems")
			}
		})
	}
}

func decode(t *testing.T, data []byte) response {
	t.Helper()
	var out response
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("answer %s: %v", data, err)
	}
	return out
}
