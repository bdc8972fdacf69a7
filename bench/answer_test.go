package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/syncer"
)

// serverAnswer is a push's answer as the server writes it (api.pushAnswer
// around the results' json.Marshal, which the syncer's own encoding
// matches byte for byte): the push scenario's declarations first, each
// with its media outcome, then the inspection's start, answers and submit.
func serverAnswer(t testing.TB, declarations, mutations int) []byte {
	t.Helper()
	out := []byte(`{"results":[`)
	for i := range mutations {
		r := syncer.Result{MutationID: fmt.Sprintf("01938f6e-1111-7000-8000-%012d", i), Status: syncer.Applied,
			EntityID: "01938f6e-2222-7000-8000-000000000001", Version: int64(i + 1)}
		switch {
		case i < declarations:
			r.EntityID, r.Version = fmt.Sprintf("01938f6e-3333-7000-8000-%012d", i), 1
			r.Media = &syncer.MediaOutcome{Status: "pending"}
		case i == mutations-1:
			r.ContentHash = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
		}
		encoded, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, encoded...)
	}
	stamp, _ := time.Date(2026, 12, 6, 3, 12, 5, 123456789, time.UTC).MarshalJSON()
	out = append(out, `],"server_time":`...)
	out = append(out, stamp...)
	return append(out, "}\n"...)
}

// BenchmarkPushAnswer is the tool's cost of checking one push's answer,
// the push scenario's 40 results, 8 of them declarations with a media
// outcome: by the full decode (what every push paid while the cheap check
// could not vouch for a media outcome) and by answerOutcome.
func BenchmarkPushAnswer(b *testing.B) {
	raw := serverAnswer(b, 8, 40)
	for _, check := range []struct {
		name    string
		outcome func([]byte, int) string
	}{{"full decode", decodedOutcome}, {"answerOutcome", answerOutcome}} {
		b.Run(check.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if outcome := check.outcome(raw, 40); outcome != "" {
					b.Fatal(outcome)
				}
			}
		})
	}
}

// TestAllApplied: the cheap check vouches for the server's answer when
// every result is applied, the push scenario's with media outcomes too,
// and for nothing else: every other answer goes to the full decode, which
// finds what it always found.
func TestAllApplied(t *testing.T) {
	t.Parallel()
	applied := string(serverAnswer(t, 8, 40))
	replace := func(old, new string) string { return strings.Replace(applied, old, new, 1) }
	for _, tc := range []struct {
		name    string
		answer  string
		want    int
		cheap   bool
		outcome string
	}{
		{"all applied, with declarations", applied, 40, true, ""},
		{"all applied, no declarations", string(serverAnswer(t, 0, 32)), 32, true, ""},
		{"one result fewer", applied, 41, false, "HTTP 200, malformed answer"},
		{"one result more", applied, 39, false, "HTTP 200, malformed answer"},
		{"a conflict", replace(`"status":"applied","entity_id":"01938f6e-2222`, `"status":"conflict","entity_id":"01938f6e-2222`), 40, false,
			"HTTP 200, a mutation conflict"},
		{"a rejection with its pointer", replace(`"status":"applied","entity_id":"01938f6e-2222-7000-8000-000000000001","version":9}`,
			`"status":"rejected","errors":[{"pointer":"/payload/answer","detail":"required"}]}`), 40, false,
			"HTTP 200, a mutation rejected at /payload/answer"},
		{"a medium stored already", replace(`"pending"`, `"stored"`), 40, true, ""},
		{"an escaped status", replace(`"status":"applied"`, `"status":"appl\u0069ed"`), 40, false, ""},
		{"spaced JSON", replace(`"status":"applied"`, `"status": "applied"`), 40, false, ""},
		{"a field it does not know", replace(`"version":9}`, `"version":9,"extra":1}`), 40, false, ""},
		{"truncated", applied[:len(applied)-3], 40, false, "HTTP 200, malformed answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := allApplied([]byte(tc.answer), tc.want); got != tc.cheap {
				t.Errorf("allApplied = %v, want %v", got, tc.cheap)
			}
			if got := answerOutcome([]byte(tc.answer), tc.want); got != tc.outcome {
				t.Errorf("answerOutcome = %q, want %q", got, tc.outcome)
			}
		})
	}
}

// FuzzAllApplied: whatever the answer, the cheap check vouches only for
// what the full decode finds all applied.
func FuzzAllApplied(f *testing.F) {
	f.Add(serverAnswer(f, 8, 40), 40)
	f.Add(serverAnswer(f, 1, 3), 3)
	f.Add([]byte(`{"results":[{"mutation_id":"a","status":"applied","version":01}],"server_time":"x"}`), 1)
	f.Fuzz(func(t *testing.T, raw []byte, want int) {
		if allApplied(raw, want) {
			if outcome := decodedOutcome(raw, want); outcome != "" {
				t.Fatalf("allApplied vouched for %q, the full decode says %q", raw, outcome)
			}
		}
	})
}
