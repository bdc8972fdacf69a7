package syncer

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/strictjson"
)

// loadToolsPush is a push as the load tool sends it: one 30-answer
// cu-opening-check with 8 media.declare, 40 mutations.
func loadToolsPush(t testing.TB) []byte {
	t.Helper()
	body, err := os.ReadFile("../strictjson/testdata/push.json")
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// decodeAsBefore is how the push body was decoded before DecodePush, and
// still is when DecodePush does not take it (api.decodePush).
func decodeAsBefore(body []byte) ([]Mutation, error) {
	var in struct {
		Mutations []Mutation `json:"mutations"`
	}
	err := strictjson.Value(body, &in, strictjson.Options{})
	return in.Mutations, err
}

// handlerDecode is what a mutation's handler decodes its payload to when
// it is not carried decoded: the payload as its own bytes, so that any
// value DecodePush gave it is not used.
func handlerDecode(m Mutation) (any, *FieldError) {
	m.Payload = bytes.Clone(m.Payload)
	ws := newWorkingSet()
	switch mutation.Type(m.Type) {
	case mutation.InspectionStart:
		in, problem := ws.start(m)
		return &in, problem
	case mutation.AnswerSet:
		in, answer, problem := decodeAnswer(m)
		return &answerPayload{Path: in.Path, Answer: answer}, problem
	case mutation.AnswerClear:
		in, _, problem := decodeAnswer(m)
		return &in, problem
	case mutation.MediaDeclare:
		in, problem := ws.declaration(m)
		return &in, problem
	case mutation.InspectionSubmit:
		var in mutation.Submit
		return &in, decodePayload(m, &in)
	}
	return nil, nil
}

// sameAsBefore fails t unless DecodePush, when it takes body, makes of it
// what the decode before it made, and decodes each payload it carries
// decoded to what the payload's handler decodes it to. It reports whether
// DecodePush took the body.
func sameAsBefore(t *testing.T, body []byte) bool {
	t.Helper()
	got, ok := DecodePush(body)
	if !ok {
		return false
	}
	want, err := decodeAsBefore(body)
	if err != nil {
		t.Fatalf("DecodePush took %q, which the decode before refuses: %v", body, err)
	}
	if got == nil || want == nil || len(got) != len(want) {
		t.Fatalf("DecodePush(%q) = %d mutations (nil %v), the decode before %d (nil %v)", body, len(got), got == nil, len(want), want == nil)
	}
	for i := range got {
		g, w := got[i], want[i]
		same := g.MutationID == w.MutationID && g.Type == w.Type && g.EntityID == w.EntityID &&
			g.ClientTime == w.ClientTime && bytes.Equal(g.Payload, w.Payload) && (g.Payload == nil) == (w.Payload == nil) &&
			(g.BaseVersion == nil) == (w.BaseVersion == nil) && (g.BaseVersion == nil || *g.BaseVersion == *w.BaseVersion)
		if !same {
			t.Fatalf("DecodePush(%q)[%d] = %+v, the decode before %+v", body, i, g, w)
		}
		if cap(g.Payload) != len(g.Payload) {
			t.Fatalf("DecodePush(%q)[%d]'s payload has room after it: appending would write over the body", body, i)
		}
		value := g.Decoded()
		if value == nil {
			continue
		}
		byHandler, problem := handlerDecode(g)
		if problem != nil {
			t.Fatalf("DecodePush(%q)[%d] decoded %+v, which its handler rejects: %v", body, i, value, *problem)
		}
		if !reflect.DeepEqual(value, byHandler) {
			t.Fatalf("DecodePush(%q)[%d] decoded %#v, its handler %#v", body, i, value, byHandler)
		}
	}
	return true
}

// TestDecodePushIsTheDecode: DecodePush takes the load tool's push with
// every payload of its 40 mutations decoded, and bodies of other shapes
// either as the decode before it does, or not at all.
func TestDecodePushIsTheDecode(t *testing.T) {
	t.Parallel()
	const (
		id    = `"0194f2a0-1111-7000-8000-000000000001"`
		start = `{"template_id":"0194f2a0-2222-7000-8000-000000000003","template_version":1,"site_id":"0194f2a0-2222-7000-8000-000000000004"}`
	)
	envelope := func(kind, payload string) string {
		return `{"mutation_id":` + id + `,"type":"` + kind + `","entity_id":` + id + `,"payload":` + payload + `,"client_time":"2026-11-26T14:01:00Z"}`
	}
	push := func(mutations ...string) string { return `{"mutations":[` + strings.Join(mutations, ",") + `]}` }
	cases := []struct {
		name    string
		body    string
		takes   bool
		decoded int // payloads carried decoded, when taken
	}{
		{"empty list", `{"mutations":[]}`, true, 0},
		{"each type decoded here", push(envelope("inspection.start", start), envelope("answer.set", `{"path":"/a","answer":{"value":"yes","note":"n","media":["m"]}}`),
			envelope("answer.clear", `{"path":"/a"}`), envelope("media.declare", `{"sha256":"ab","size":3,"content_type":"image/png","kind":"photo","inspection_id":"i"}`),
			envelope("inspection.submit", `{"content_hash":"h"}`)), true, 5},
		{"whitespace everywhere", " {\n\"mutations\" : [ " + envelope("inspection.submit", "{ \"submitted_at\" : \"2026-11-26T14:01:00Z\" }") + " ] } \n", true, 1},
		{"a base version", `{"mutations":[{"type":"answer.clear","base_version":-3,"payload":{"path":"/b"}}]}`, true, 1},
		{"escaped strings", `{"mutations":[{"mutation_id":"\u0030x","type":"answer\u002eclear","entity_id":"\n","payload":{"path":"\/a\u00e9"}}]}`, true, 1},
		{"null fields", `{"mutations":[{"mutation_id":null,"type":"answer.set","entity_id":null,"base_version":null,"payload":{"path":"/a","answer":{"value":null}},"client_time":null}]}`, true, 1},
		{"payload before type: as it is", push(`{"payload":` + start + `,"type":"inspection.start"}`), true, 0},
		{"a type decoded by its handler", push(envelope("finding.update", `{"severity":"high"}`)), true, 0},
		{"an unknown type", push(envelope("inspection.delete", `{"x":1}`)), true, 0},
		{"a payload that is no object", push(envelope("answer.set", `[1]`), envelope("inspection.start", `null`)), true, 0},
		{"answer.set without an answer", push(envelope("answer.set", `{"path":"/a","answer":null}`), envelope("answer.set", `{"path":"/a"}`)), true, 0},
		{"a payload with an unknown field", push(envelope("inspection.submit", `{"content_hash":"h","extra":1}`)), false, 0},
		{"a case-folded payload field", push(envelope("inspection.submit", `{"Content_Hash":"h"}`)), false, 0},
		{"a quoted template version", push(envelope("inspection.start", `{"template_version":"1"}`)), false, 0},
		{"a duplicate payload field", push(envelope("answer.clear", `{"path":"/a","path":"/b"}`)), false, 0},
		{"a duplicate envelope field", `{"mutations":[{"type":"answer.clear","type":"answer.clear"}]}`, false, 0},
		{"an unknown envelope field", `{"mutations":[{"kind":"answer.clear"}]}`, false, 0},
		{"a case-folded envelope field", `{"mutations":[{"Type":"answer.clear"}]}`, false, 0},
		{"invalid UTF-8", "{\"mutations\":[{\"mutation_id\":\"\xff\"}]}", false, 0},
		{"a number for a string", `{"mutations":[{"mutation_id":1}]}`, false, 0},
		{"a fraction for the base version", `{"mutations":[{"base_version":1.5}]}`, false, 0},
		{"a null mutation", `{"mutations":[null]}`, false, 0},
		{"null mutations", `{"mutations":null}`, false, 0},
		{"no mutations", `{}`, false, 0},
		{"another member", `{"mutations":[],"more":1}`, false, 0},
		{"a second value", `{"mutations":[]} {}`, false, 0},
		{"malformed", `{"mutations":[{"payload":{]}`, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if took := sameAsBefore(t, []byte(tc.body)); took != tc.takes {
				t.Fatalf("DecodePush took %s: %v, want %v", tc.body, took, tc.takes)
			}
			if !tc.takes {
				return
			}
			mutations, _ := DecodePush([]byte(tc.body))
			decodedCount := 0
			for _, m := range mutations {
				if m.Decoded() != nil {
					decodedCount++
				}
			}
			if decodedCount != tc.decoded {
				t.Errorf("%d payloads carried decoded, want %d", decodedCount, tc.decoded)
			}
		})
	}
	t.Run("the load tool's push", func(t *testing.T) {
		t.Parallel()
		body := loadToolsPush(t)
		if !sameAsBefore(t, body) {
			t.Fatal("DecodePush does not take the load tool's push")
		}
		mutations, _ := DecodePush(body)
		for i, m := range mutations {
			if m.Decoded() == nil {
				t.Errorf("mutation %d (%s) is not carried decoded", i, m.Type)
			}
		}
	})
}

// TestDecodedIsForItsPayload: a decoded payload is not answered for an
// envelope whose payload was replaced since.
func TestDecodedIsForItsPayload(t *testing.T) {
	t.Parallel()
	mutations, ok := DecodePush([]byte(`{"mutations":[{"type":"inspection.submit","payload":{"content_hash":"h"}}]}`))
	if !ok || mutations[0].Decoded() == nil {
		t.Fatal("not decoded")
	}
	m := mutations[0]
	m.Payload = []byte(`{"content_hash":"other"}`)
	if m.Decoded() != nil {
		t.Fatal("a replaced payload answers the old one's decoded value")
	}
	if in, _ := handlerDecode(m); in.(*mutation.Submit).ContentHash != "other" {
		t.Fatalf("the handler decoded %+v", in)
	}
	m.Payload = mutations[0].Payload[:len(mutations[0].Payload)-1]
	if m.Decoded() != nil {
		t.Fatal("a shortened payload answers the old one's decoded value")
	}
}

// FuzzDecodePush holds DecodePush to the decode before it on arbitrary
// bodies: whatever it takes, the decode before takes too, as the same
// mutations, and each payload it carries decoded is what its handler
// decodes it to.
//
//	go test -run '^$' -fuzz FuzzDecodePush -fuzztime 2m ./internal/syncer/
func FuzzDecodePush(f *testing.F) {
	f.Add(loadToolsPush(f))
	for _, seed := range []string{
		`{"mutations":[]}`,
		`{"mutations":[{"mutation_id":"0194f2a0-1111-7000-8000-000000000001","type":"inspection.start","entity_id":"0194f2a0-2222-7000-8000-000000000002","payload":{"template_id":"0194f2a0-2222-7000-8000-000000000003","template_version":1,"site_id":"0194f2a0-2222-7000-8000-000000000004","context":{"a":[1,"x"]}},"client_time":"2026-11-26T14:01:00Z"}]}`,
		`{"mutations":[{"type":"answer.set","entity_id":"y","payload":{"path":"/a","answer":{"value":[1,2,{"k":null}],"countersign":{"user_id":"u"},"repeats":[{"b":{"value":1}}]}}}]}`,
		`{"mutations":[{"type":"answer.clear","base_version":7,"payload":{"path":"/a"}},{"type":"answer.clear","payload":{"path":"/a","answer":{}}}]}`,
		`{"mutations":[{"type":"media.declare","payload":{"sha256":"ab","size":1e3,"kind":"signature","location":{"lat":1},"signature":{"strokes":[[[1,2]]],"signer_role":"r","signed_at":"t"}}}]}`,
		`{"mutations":[{"type":"inspection.submit","payload":{"drill_id":null,"submitted_at":"2026-11-26T14:01:00Z"}}]}`,
		`{"mutations":[{"type":"finding.update","payload":{"severity":7}}]}`,
		`{"mutations":[{"payload":{"path":"/a"},"type":"answer.clear"}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sameAsBefore(t, body)
	})
}

// TestAnswerPayloadIsDecodeAnswers: the answer.set payload DecodePush
// decodes is the struct decodeAnswer decodes in one pass.
func TestAnswerPayloadIsDecodeAnswers(t *testing.T) {
	t.Parallel()
	m := Mutation{Type: string(mutation.AnswerSet), Payload: []byte(`{"path":"/a","answer":{"value":true,"note":"n"}}`)}
	in, answer, problem := decodeAnswer(m)
	want := &checklists.Answer{Value: true, Note: "n"}
	if problem != nil || in.Path != "/a" || !reflect.DeepEqual(answer, want) {
		t.Fatalf("decodeAnswer = %+v, %+v, %v", in, answer, problem)
	}
}

// BenchmarkDecodePush decodes the load tool's push as the server does,
// the body and then each payload as its handler (and preload) reads it:
// "before" with the body decoded as it was before DecodePush, "one pass"
// with DecodePush.
//
//	go test -run '^$' -bench DecodePush -count 6 ./internal/syncer/
func BenchmarkDecodePush(b *testing.B) {
	body := loadToolsPush(b)
	for _, v := range []struct {
		name   string
		decode func([]byte) []Mutation
	}{
		{"before", func(body []byte) []Mutation {
			mutations, err := decodeAsBefore(body)
			if err != nil {
				b.Fatal(err)
			}
			return mutations
		}},
		{"one pass", func(body []byte) []Mutation {
			mutations, ok := DecodePush(body)
			if !ok {
				b.Fatal("DecodePush does not take the load tool's push")
			}
			return mutations
		}},
	} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				ws := newWorkingSet()
				for _, m := range v.decode(body) {
					if problem := decodeAsThePushDoes(ws, m); problem != nil {
						b.Fatal(*problem)
					}
				}
			}
		})
	}
}

// decodeAsThePushDoes decodes a payload as preload and its handler do.
func decodeAsThePushDoes(ws *workingSet, m Mutation) *FieldError {
	switch mutation.Type(m.Type) {
	case mutation.InspectionStart:
		ws.preloadStart(m)
		_, problem := ws.start(m)
		return problem
	case mutation.MediaDeclare:
		ws.preloadDeclaration(m)
		_, problem := ws.declaration(m)
		return problem
	case mutation.AnswerSet, mutation.AnswerClear:
		_, _, problem := decodeAnswer(m)
		return problem
	case mutation.InspectionSubmit:
		if _, ok := decoded[mutation.Submit](m); ok {
			return nil
		}
		var in mutation.Submit
		return decodePayload(m, &in)
	}
	return nil
}
