package store_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/patrolsync/patrolsync/internal/store"
)

// threePassCanonicalJSON is store.CanonicalJSON as it was first written
// (marshal, unmarshal, marshal): stored audit details and their hashes were
// made with it, so the one pass must give the same bytes.
func threePassCanonicalJSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	var generic any
	if json.Unmarshal(raw, &generic) != nil || generic == nil {
		return "{}"
	}
	out, _ := json.Marshal(generic)
	return string(out)
}

func TestCanonicalJSONIsTheThreePassForm(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		v    any
	}{
		{"nil", nil},
		{"null raw", json.RawMessage(`null`)},
		{"audit details", map[string]any{"site_id": "s", "template_version": 3, "score": 87.5, "device_id": "<&>"}},
		{"struct", struct {
			Z float64 `json:"z"`
			A []any   `json:"a"`
		}{1e21, []any{-0.0, "\u2028", "\xff"}}},
		{"array", []int{3, 1, 2}},
		{"string", "plain"},
		{"out of range", json.RawMessage(`{"n":1e400}`)},
		{"unsupported", map[string]any{"c": make(chan int)}},
		{"nan", math.NaN()},
		{"duplicate keys", json.RawMessage(`{"job":"a","job":"b","a":1.0}`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got, want := store.CanonicalJSON(tc.v), threePassCanonicalJSON(tc.v); got != want {
				t.Fatalf("CanonicalJSON = %q, want %q", got, want)
			}
		})
	}
}
