package bridge

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
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
	References  map[string]any               `json:"references"`
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
			input := checklists.Input{Answers: vector.Answers, Context: vector.Context, References: vector.References,
				InspectorID: vector.InspectorID}
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

// The worked example of docs/sync-protocol.md ("Countersignatures"): the
// browser gets the digest and the message from the same Go code as the
// server, so phone and server cannot disagree on what was signed.
func TestCountersignCalls(t *testing.T) {
	engine := New()
	digested := decode(t, engine.Call("answerDigest", []byte(`{"value":1500.50,"note":"<ok> & 点清","countersign":{"user_id":"x"}}`)))
	digest := digested.Result.(map[string]any)["digest"]
	if digest != "60e8f566f022f51dd493d99f3a38d1c4d7b6d58481fd928c6d207f5fa7e38430" {
		t.Fatalf("answerDigest = %v", digested)
	}
	request, _ := json.Marshal(map[string]string{
		"inspection_id": "0194F2A0-2222-7000-8000-000000000002", "item": "/cash_counted", "answer_sha256": digest.(string),
		"user_id": "0194f2a0-4444-7000-8000-000000000004", "key_id": "0194f2a0-5555-7000-8000-000000000005",
		"signed_at": "2026-11-27T08:30:00+08:00",
	})
	message := decode(t, engine.Call("countersignMessage", request))
	want := "patrolsync-countersign-v1\ninspection_id=0194f2a0-2222-7000-8000-000000000002\nitem=/cash_counted\n" +
		"answer_sha256=60e8f566f022f51dd493d99f3a38d1c4d7b6d58481fd928c6d207f5fa7e38430\n" +
		"user_id=0194f2a0-4444-7000-8000-000000000004\nkey_id=0194f2a0-5555-7000-8000-000000000005\n" +
		"signed_at=2026-11-27T08:30:00+08:00"
	if got := message.Result.(map[string]any)["message"]; got != want {
		t.Errorf("countersignMessage = %q, want %q", got, want)
	}

	for name, request := range map[string]string{
		"answerDigest":       `[1]`,
		"countersignMessage": `{"inspection_id":"a","item":"/k","answer_sha256":"d","user_id":"u","signed_at":"t"}`,
	} {
		failed := decode(t, engine.Call(name, []byte(request)))
		if failed.OK || failed.Error == nil || failed.Error.Code != CodeBadRequest {
			t.Errorf("%s(%s) = %+v, want bad_request", name, request, failed)
		}
	}
}

// TestContentDigest: the phone's contentDigest of a shift handover's
// content is the SHA-256 of Go's canonical JSON (sorted keys, <, > and &
// escaped), the digest the server stores and both guards sign.
func TestContentDigest(t *testing.T) {
	engine := New()
	digested := decode(t, engine.Call("contentDigest", []byte(`{"post":"<大堂> & 后门","shift_id":null,"items":{"remarks":"","equipment":"ok"}}`)))
	want := sha256.Sum256([]byte(`{"items":{"equipment":"ok","remarks":""},"post":"\u003c大堂\u003e \u0026 后门","shift_id":null}`))
	if got := digested.Result.(map[string]any)["digest"]; got != hex.EncodeToString(want[:]) {
		t.Fatalf("contentDigest = %v, want %x", digested, want)
	}
	if failed := decode(t, engine.Call("contentDigest", []byte(`{`))); failed.OK || failed.Error.Code != CodeBadRequest {
		t.Errorf("contentDigest of bad JSON = %+v, want bad_request", failed)
	}
}
