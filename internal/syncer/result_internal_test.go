package syncer

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// referenceBodyHash is bodyHash as it was first written: stored body
// hashes were made by it, so the faster one must agree with it on every
// mutation or a retry would be answered "already used".
func referenceBodyHash(m Mutation) []byte {
	h := sha256.New()
	var base string
	if m.BaseVersion != nil {
		base = strconv.FormatInt(*m.BaseVersion, 10)
	}
	h.Write([]byte(m.Type + "\x00" + strings.ToLower(m.EntityID) + "\x00" + base + "\x00"))
	var payload bytes.Buffer
	if json.Compact(&payload, m.Payload) == nil {
		h.Write(payload.Bytes())
	} else {
		h.Write(m.Payload)
	}
	return h.Sum(nil)
}

var bodyHashCases = []struct {
	name string
	m    Mutation
}{
	{"compact payload", Mutation{Type: "answer.set", EntityID: "0190A3B4-0000-7000-8000-00000000000A",
		Payload: json.RawMessage(`{"path":"/door_locked","answer":{"value":"yes"}}`)}},
	{"spaced payload", Mutation{Type: "answer.set", EntityID: "0190a3b4-0000-7000-8000-00000000000a",
		Payload: json.RawMessage("{ \"path\" : \"/door locked\",\n\t\"answer\": {\"value\": \"a b\"}\r\n}")}},
	{"space inside a string only", Mutation{Type: "answer.set", Payload: json.RawMessage(`{"note":"a b"}`)}},
	{"not JSON, with spaces", Mutation{Type: "x", Payload: json.RawMessage(`{"a": nope }`)}},
	{"not JSON, without spaces", Mutation{Type: "x", Payload: json.RawMessage(`{"a":`)}},
	{"empty payload", Mutation{Type: "inspection.submit"}},
	{"base version", Mutation{Type: "finding.update", EntityID: "E", BaseVersion: ptr(int64(-42)), Payload: json.RawMessage(`{}`)}},
	{"zero base version", Mutation{Type: "finding.update", BaseVersion: ptr(int64(0)), Payload: json.RawMessage(`{}`)}},
	{"non-ASCII entity", Mutation{Type: "t", EntityID: "ÄÖ-İ-ǅ", Payload: json.RawMessage(`{}`)}},
	{"invalid UTF-8 entity", Mutation{Type: "t", EntityID: "AB\xff\xfeCD", Payload: json.RawMessage(`{}`)}},
	{"long type and entity", Mutation{Type: strings.Repeat("type.", 40), EntityID: strings.Repeat("ABCDEF", 30),
		Payload: json.RawMessage(`[1, 2]`)}},
	{"NUL in type", Mutation{Type: "a\x00b", EntityID: "a\x00b", Payload: json.RawMessage(`{"a":"\u0000"}`)}},
}

func TestBodyHashAgreesWithTheStoredHashes(t *testing.T) {
	for _, tc := range bodyHashCases {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := bodyHash(tc.m), referenceBodyHash(tc.m); !bytes.Equal(got, want) {
				t.Errorf("bodyHash = %x, stored hashes were made as %x", got, want)
			}
		})
	}
}

func FuzzBodyHash(f *testing.F) {
	for _, tc := range bodyHashCases {
		f.Add(tc.m.Type, tc.m.EntityID, int64(7), tc.m.BaseVersion != nil, []byte(tc.m.Payload))
	}
	f.Fuzz(func(t *testing.T, kind, entity string, base int64, hasBase bool, payload []byte) {
		m := Mutation{Type: kind, EntityID: entity, Payload: payload}
		if hasBase {
			m.BaseVersion = &base
		}
		if got, want := bodyHash(m), referenceBodyHash(m); !bytes.Equal(got, want) {
			t.Errorf("bodyHash(%+v) = %x, want %x", m, got, want)
		}
	})
}

var resultCases = []struct {
	name string
	r    Result
}{
	{"applied", Result{MutationID: "0190a3b4-0000-7000-8000-000000000001", Status: Applied,
		EntityID: "0190a3b4-0000-7000-8000-00000000000a", Version: 17}},
	{"submitted", Result{MutationID: "m", Status: Applied, EntityID: "e", Version: 32,
		ContentHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}},
	{"duplicate without version", Result{MutationID: "m", Status: Duplicate, EntityID: "e"}},
	{"no entity", Result{MutationID: "m", Status: Rejected}},
	{"empty", Result{}},
	{"negative version", Result{MutationID: "m", Status: Applied, Version: -3}},
	{"escaped strings", Result{MutationID: `a"b\c`, Status: "<&>", EntityID: "é\u2028\x01\x7f", ContentHash: "\xff"}},
	{"errors", Result{MutationID: "m", Status: Rejected, EntityID: "e",
		Errors: []FieldError{{"/payload/path", "must point at an item <of> the template"}}}},
	{"server record", Result{MutationID: "m", Status: Conflict, EntityID: "e", Version: 3,
		ServerRecord: json.RawMessage(`{"id": "e", "version": 3}`)}},
	{"scan", Result{MutationID: "m", Status: Applied, Scan: &ScanOutcome{}}},
	{"media", Result{MutationID: "m", Status: Applied, Media: &MediaOutcome{}}},
}

// TestEncodeResultIsJSONMarshal: results are stored and replayed byte for
// byte, and clients read them; the hand-written encoding must be exactly
// what encoding/json writes.
func TestEncodeResultIsJSONMarshal(t *testing.T) {
	for _, tc := range resultCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encodeResult(tc.r)
			want, wantErr := json.Marshal(tc.r)
			if err != nil || wantErr != nil || !bytes.Equal(got, want) {
				t.Errorf("encodeResult = %s, %v; json.Marshal wrote %s, %v", got, err, want, wantErr)
			}
		})
	}
}

func FuzzEncodeResult(f *testing.F) {
	for _, tc := range resultCases {
		f.Add(tc.r.MutationID, tc.r.Status, tc.r.EntityID, tc.r.Version, tc.r.ContentHash)
	}
	f.Fuzz(func(t *testing.T, mutationID, status, entityID string, version int64, contentHash string) {
		r := Result{MutationID: mutationID, Status: status, EntityID: entityID, Version: version, ContentHash: contentHash}
		got, err := encodeResult(r)
		want, wantErr := json.Marshal(r)
		if err != nil || wantErr != nil || !bytes.Equal(got, want) {
			t.Errorf("encodeResult(%+v) = %s, %v; json.Marshal wrote %s, %v", r, got, err, want, wantErr)
		}
	})
}

// pushOfOneInspection is what a phone sends for one inspection, as the
// load tool does (bench/): a start, 30 answers and a submit.
func pushOfOneInspection() []Mutation {
	entity := "0190a3b4-0000-7000-8000-00000000000a"
	out := []Mutation{{MutationID: "0190a3b4-0000-7000-8000-000000000100", Type: "inspection.start", EntityID: entity,
		Payload: json.RawMessage(`{"template_id":"0190a3b4-0000-7000-8000-0000000000ff","template_version":1,"site_id":"0190a3b4-0000-7000-8000-0000000000fe","started_at":"2026-12-05T10:00:00Z"}`)}}
	for i := range 30 {
		out = append(out, Mutation{MutationID: "0190a3b4-0000-7000-8000-0000000002" + strconv.Itoa(10+i), Type: "answer.set",
			EntityID: entity, ClientTime: "2026-12-05T10:01:00Z",
			Payload: json.RawMessage(`{"path":"/item_` + strconv.Itoa(i) + `","answer":{"value":"yes","note":"checked at the east door"}}`)})
	}
	return append(out, Mutation{MutationID: "0190a3b4-0000-7000-8000-000000000300", Type: "inspection.submit", EntityID: entity,
		Payload: json.RawMessage(`{"submitted_at":"2026-12-05T10:05:00Z"}`)})
}

// BenchmarkBodyHash hashes the 32 mutations of one inspection: "before"
// is the first bodyHash (json.Compact of every payload), "after" skips
// the compaction of payloads that carry no whitespace.
func BenchmarkBodyHash(b *testing.B) {
	push := pushOfOneInspection()
	for _, v := range []struct {
		name string
		hash func(Mutation) []byte
	}{{"before", referenceBodyHash}, {"after", bodyHash}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, m := range push {
					v.hash(m)
				}
			}
		})
	}
}

// BenchmarkEncodeResult encodes the 32 results of one inspection's push.
func BenchmarkEncodeResult(b *testing.B) {
	var results []Result
	for i, m := range pushOfOneInspection() {
		results = append(results, Result{MutationID: m.MutationID, Status: Applied, EntityID: m.EntityID, Version: int64(i + 1)})
	}
	results[len(results)-1].ContentHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	for _, v := range []struct {
		name   string
		encode func(Result) ([]byte, error)
	}{{"before", func(r Result) ([]byte, error) { return json.Marshal(r) }}, {"after", encodeResult}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range results {
					v.encode(r)
				}
			}
		})
	}
}

// TestEncodeResultKnowsEveryField: encodeResult writes five of Result's
// fields by hand and sends the others to json.Marshal. A field added to
// Result would be dropped from the fast path's answers, silently, so
// adding one fails here until encodeResult is taught it.
func TestEncodeResultKnowsEveryField(t *testing.T) {
	known := []string{"mutation_id", "status", "entity_id,omitempty", "version,omitempty",
		"content_hash,omitempty", "errors,omitempty", "server_record,omitempty", "scan,omitempty", "media,omitempty"}
	typ := reflect.TypeFor[Result]()
	var tags []string
	for i := range typ.NumField() {
		tags = append(tags, typ.Field(i).Tag.Get("json"))
	}
	if !slices.Equal(tags, known) {
		t.Errorf("Result's fields are %q; encodeResult was written for %q: teach it the change", tags, known)
	}
}
