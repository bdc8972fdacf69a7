package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// The hand-written push answer is byte for byte what encoding/json made of
// pushResponse, so that devices and the contract tests see no difference.
func TestPushAnswerIsTheEncodedResponse(t *testing.T) {
	t.Parallel()
	results := []json.RawMessage{
		json.RawMessage(`{"mutation_id":"0194f2a0-1111-7000-8000-000000000001","status":"applied","entity_id":"x","version":1}`),
		json.RawMessage(`{"mutation_id":"m2","status":"rejected","errors":[{"pointer":"/payload","detail":"\u003cb\u003e \"quoted\""}]}`),
	}
	now := time.Date(2026, 12, 4, 23, 59, 58, 123456000, time.UTC)
	for _, rs := range [][]json.RawMessage{results, {}} {
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(pushResponse{Results: rs, ServerTime: now}); err != nil {
			t.Fatal(err)
		}
		if got := pushAnswer(rs, now); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("pushAnswer wrote\n%s\nencoding/json writes\n%s", got, want.Bytes())
		}
	}
}
