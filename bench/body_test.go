package main

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
)

// testPlan is the night-patrol inspection the push scenario sends.
func testPlan(t testing.TB, declareInPush bool) *plan {
	t.Helper()
	document, err := os.ReadFile("../checklists/library/night-patrol-round.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlan("01938f6e-0000-7000-8000-000000000001", 3, "01938f6e-0000-7000-8000-000000000002", document)
	if err != nil {
		t.Fatal(err)
	}
	p.declareInPush = declareInPush
	return p
}

// counter gives the ids a device would, but the same ones on every call
// sequence, so that two encodings can be compared byte for byte.
func counter() func([]byte) []byte {
	n := 0
	return func(dst []byte) []byte {
		n++
		return fmt.Appendf(dst, "01938f6e-1111-7000-8000-%012d", n)
	}
}

// TestPushBodyTemplate: a body spliced from the template is byte for byte
// the body encoding/json makes of the same inspection, ids, time and
// digests, with and without the signature's declaration in the batch.
func TestPushBodyTemplate(t *testing.T) {
	t.Parallel()
	for _, declare := range []bool{true, false} {
		t.Run(fmt.Sprintf("declaration in the push %v", declare), func(t *testing.T) {
			p := testPlan(t, declare)
			body, err := p.newBodyTemplate()
			if err != nil {
				t.Fatal(err)
			}
			for _, at := range []time.Time{time.Date(2026, 12, 5, 15, 30, 0, 0, time.UTC), time.Date(2027, 1, 1, 23, 59, 59, 0, time.UTC)} {
				v := values{inspection: "01938f6e-2222-7000-8000-000000000001", signature: "01938f6e-3333-7000-8000-000000000001",
					clientTime: at.Format(time.RFC3339), appendMutationID: counter()}
				want, err := p.encodeBatch(v)
				if err != nil {
					t.Fatal(err)
				}
				v.appendMutationID = counter()
				got := body.appendBody(make([]byte, 0, body.size), v)
				if !bytes.Equal(got, want) {
					t.Fatalf("spliced body differs from the encoded one:\n got %s\nwant %s", got, want)
				}
				if len(got) > body.size {
					t.Errorf("body %d bytes, more than the %d made room for", len(got), body.size)
				}
			}
		})
	}
}

// TestAllApplied: the cheap answer check says yes only when every one of
// the wanted results is applied; anything else goes to the full decode.
func TestAllApplied(t *testing.T) {
	t.Parallel()
	applied := `{"mutation_id":"a","status":"applied","entity_id":"x","version":1}`
	for _, tc := range []struct {
		name   string
		answer string
		want   int
		ok     bool
	}{
		{"all applied", `{"results":[` + applied + `,` + applied + `]}`, 2, true},
		{"one missing", `{"results":[` + applied + `]}`, 2, false},
		{"one conflict", `{"results":[` + applied + `,{"mutation_id":"b","status":"conflict"}]}`, 2, false},
		{"a conflict whose record has a status", `{"results":[` + applied + `,{"status":"conflict","current":{"status":"applied"}}]}`, 2, false},
		{"spaced JSON", `{"results":[{"status": "applied"},{"status": "applied"}]}`, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := allApplied([]byte(tc.answer), tc.want); got != tc.ok {
				t.Fatalf("allApplied = %v, want %v", got, tc.ok)
			}
		})
	}
}

// BenchmarkPushBody is the tool's cost of one push's body: encoded with
// encoding/json each time (before) or spliced from the template.
func BenchmarkPushBody(b *testing.B) {
	p := testPlan(b, true)
	body, err := p.newBodyTemplate()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.encodeBatch(values{inspection: newID(), signature: newID(), clientTime: time.Now().UTC().Format(time.RFC3339), appendMutationID: appendNewID}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("template", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			body.appendBody(make([]byte, 0, body.size), values{inspection: newID(), signature: newID(), clientTime: time.Now().UTC().Format(time.RFC3339), appendMutationID: appendNewID})
		}
	})
}

// TestAppendNewID: the appended id is a UUIDv7 in the text form newID gives.
func TestAppendNewID(t *testing.T) {
	t.Parallel()
	got := string(appendNewID([]byte("x")))
	id, err := uuid.Parse(got[1:])
	if err != nil || id.Version() != 7 || id.String() != got[1:] || got[0] != 'x' {
		t.Fatalf("appended %q: %v, version %d", got, err, id.Version())
	}
}
