package checklists_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/checklists"
)

// threePassCanonicalJSON is CanonicalJSON as it was first written (marshal,
// unmarshal, marshal): the reference the one-pass form must equal byte for
// byte, since phones running older engines hash with it.
func threePassCanonicalJSON(v any) ([]byte, error) {
	first, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var decoded any
	if err := json.Unmarshal(first, &decoded); err != nil {
		return nil, err
	}
	return json.Marshal(decoded)
}

type withRaw struct {
	Z    string          `json:"z"`
	Raw  json.RawMessage `json:"raw"`
	A    float64         `json:"a"`
	Text textMarshaler   `json:"text"`
	Own  ownMarshaler    `json:"own"`
}

type textMarshaler string

func (t textMarshaler) MarshalText() ([]byte, error) { return []byte("<" + t + ">"), nil }

type ownMarshaler string

func (o ownMarshaler) MarshalJSON() ([]byte, error) { return []byte(o), nil }

func nested(depth int) any {
	var v any = 1.5
	for range depth {
		v = []any{v}
	}
	return v
}

func TestCanonicalJSONIsTheThreePassForm(t *testing.T) {
	t.Parallel()
	raw := func(s string) any { return withRaw{Raw: json.RawMessage(s), Own: `{"b":1,"a":2}`} }
	cases := []struct {
		name string
		v    any
	}{
		{"nil", nil},
		{"answer", checklists.Answer{Value: 12.0, Note: "ok", Media: []string{"0192a3c4-0000-7000-8000-000000000001"}}},
		{"struct order is sorted", struct {
			B int    `json:"b"`
			A string `json:"a"`
		}{2, "x"}},
		{"map", map[string]any{"z": []any{1, "two", nil, true, false}, "a": map[string]any{}, "m": []any{}}},
		{"shortest floats", []float64{1e21, 1e20, 123456789012345678, 1e-6, 1e-7, 0.1, 1.0, -0.0, math.Copysign(0, -1),
			math.MaxFloat64, math.SmallestNonzeroFloat64, 3.14159, -2.5e-10, 100}},
		{"integers", []int64{0, -1, 999999999999999, 1000000000000000, 9007199254740993, math.MaxInt64, math.MinInt64}},
		{"html and separators", []string{"<a&b>", "\u2028\u2029", "tab\there", "quote\"back\\slash", "\x00\x1f\x7f"}},
		{"invalid UTF-8", []string{"a\xffb", "\xc3", "\xed\xa0\x80", "ok é 中文 😀"}},
		{"invalid UTF-8 keys", map[string]int{"\xff": 1, "\xfe": 2, "\uFFFD": 3, "a": 4}},
		{"raw number forms", raw(`[1.0,-0,-0.0,1e21,1E+2,0.000001,1e-7,12345678901234567890,1.5e300,5e-324]`)},
		{"raw out of range", raw(`1e400`)},
		{"raw escapes", raw(`{"\u0041":"\u00e9\ud83d\ude00\ud800x\/\b\f","<":"\u2028"}`)},
		{"raw duplicate keys", raw(`{"b":1,"a":2,"b":{"c":3},"a":[4]}`)},
		{"raw whitespace", raw(" { \"b\" : [ 1 , 2 ] ,\n\"a\" : null } ")},
		{"raw escaped key order", raw(`{"\u0062":1,"a":2,"\u0061":3}`)},
		{"own marshaler", withRaw{Raw: json.RawMessage(`null`), Own: ` [ "x" , {"y":true} ] `}},
		{"text marshaler", map[textMarshaler]int{"b": 1, "a": 2}},
		{"deep", nested(600)},
		{"too deep", nested(10001)},
		{"unsupported", map[string]any{"f": func() {}}},
		{"nan", math.NaN()},
		// Values decoding JSON gives, written without encoding first.
		{"audit details", map[string]any{"content_hash": strings.Repeat("ab", 32), "score": 87.5, "outcome": "pass", "device_id": "d"}},
		{"decoded floats", []any{1e21, 1e20, -0.0, math.Copysign(0, -1), 0.1, 123456789012345678.0, 5e-324, 1e-7}},
		{"decoded html", map[string]any{"<": "&", "a": []any{" ", map[string]any{"ÿ": nil}}}},
		{"decoded nil map", map[string]any(nil)},
		{"decoded nil slice", map[string]any{"a": []any(nil), "b": map[string]any(nil)}},
		{"decoded nan", map[string]any{"a": []any{math.Inf(1)}}},
		{"decoded scalars", []any{true, false, nil, "plain", "中文"}},
		{"decoded plain string", "plain"},
		{"decoded deep map", func() any {
			v := any(map[string]any{})
			for range 520 {
				v = map[string]any{"k": v}
			}
			return v
		}()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assertCanonical(t, tc.v)
		})
	}
}

func assertCanonical(t *testing.T, v any) {
	t.Helper()
	want, wantErr := threePassCanonicalJSON(v)
	got, gotErr := checklists.CanonicalJSON(v)
	if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
		t.Fatalf("error %v, want %v", gotErr, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("CanonicalJSON\n got %q\nwant %q", got, want)
	}
}

func FuzzCanonicalJSON(f *testing.F) {
	f.Add([]byte(`{"b":[1.0,-0,1e21,"<&>"],"a":{"\u2028":"\xff"}}`), "x\xff<", 1.5)
	f.Add([]byte(`{"a":1,"a":2,"\u0061":3}`), "\u2029", 1e21)
	f.Add([]byte(`[1e400]`), "", -0.0)
	f.Add([]byte(` [ 0.1 , 12345678901234567890 ] `), "é", 1e-7)
	f.Fuzz(func(t *testing.T, raw []byte, text string, number float64) {
		assertCanonical(t, withRaw{Z: text, Raw: json.RawMessage(raw), A: number, Text: textMarshaler(text), Own: "null"})
		assertCanonical(t, map[string]any{text: json.RawMessage(raw), strings.ToUpper(text): number})
		var decoded any
		if json.Unmarshal(raw, &decoded) == nil {
			assertCanonical(t, decoded)
		}
	})
}

func BenchmarkCanonicalJSON(b *testing.B) {
	// A signature's answer as a device sends it (the digest its signature
	// signs), an answer with a note and photos, and one with a note that
	// needs escapes.
	answers := []checklists.Answer{
		{Value: map[string]any{"media_id": "0192a3c4-0000-7000-8000-000000000003", "signer_name": "Bench Guard"}},
		{Value: 12.5, Note: "two guards, one supervisor, 中文",
			Media: []string{"0192a3c4-0000-7000-8000-000000000001", "0192a3c4-0000-7000-8000-000000000002"}},
		{Value: "sealed", Note: "A & B <ok>"},
	}
	for _, variant := range []struct {
		name   string
		encode func(any) ([]byte, error)
	}{{"three-pass", threePassCanonicalJSON}, {"one-pass", checklists.CanonicalJSON}, {"answer", func(v any) ([]byte, error) {
		// What AnswerDigest does: the answer written directly, or else
		// CanonicalJSON.
		if out, direct := checklists.CanonicalAnswer(v.(checklists.Answer)); direct {
			return out, nil
		}
		return checklists.CanonicalJSON(v)
	}}} {
		b.Run(variant.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, answer := range answers {
					if _, err := variant.encode(answer); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// An answer written directly is the three-pass form of the answer, and
// one that is not written directly is left to CanonicalJSON.
func assertCanonicalAnswer(t *testing.T, answer checklists.Answer) {
	t.Helper()
	got, direct := checklists.CanonicalAnswer(answer)
	want, err := threePassCanonicalJSON(answer)
	if direct && (err != nil || !bytes.Equal(got, want)) {
		t.Fatalf("CanonicalAnswer(%#v)\n got %q\nwant %q (%v)", answer, got, want, err)
	}
}

func TestCanonicalAnswerIsTheThreePassForm(t *testing.T) {
	t.Parallel()
	answers := []checklists.Answer{
		{},
		{Value: true},
		{Value: false, Note: "n"},
		{Value: 12.0, Media: []string{"b", "a"}},
		{Value: -0.0, Note: "中文 é", Media: []string{}},
		{Value: math.Copysign(0, -1)},
		{Value: 1e21}, {Value: 1e-7}, {Value: 123456789012345678.0}, {Value: 0.1},
		{Value: "x"}, {Value: ""}, {Value: "<b>"}, {Value: "a\u2028"}, {Value: "\xff"}, {Note: "a&b"}, {Media: []string{"\x01"}},
		{Value: map[string]any{"signer_name": "Bench Guard", "media_id": "m", "n": nil, "z": []any{1.5, "s", true, nil}}},
		{Value: map[string]any{}}, {Value: []any{}}, {Value: map[string]any(nil)}, {Value: []any(nil)},
		{Value: map[string]any{"<": 1.0}}, {Value: map[string]any{"\xff": 1.0, "\xfe": 2.0}},
		{Value: 3}, {Value: []string{"a"}}, {Value: math.Inf(1)}, {Value: nested(600)}, {Value: nested(10001)},
	}
	for _, answer := range answers {
		assertCanonicalAnswer(t, answer)
		assertDigestIsTheThreePassOne(t, answer)
	}
	if _, direct := checklists.CanonicalAnswer(checklists.Answer{Value: map[string]any{"media_id": "m"}, Note: "n",
		Media: []string{"a"}}); !direct {
		t.Fatal("a signature's answer is not written directly")
	}
}

// AnswerDigest is what phones compute with the three-pass form.
func assertDigestIsTheThreePassOne(t *testing.T, answer checklists.Answer) {
	t.Helper()
	canonical, err := threePassCanonicalJSON(checklists.Answer{Value: answer.Value, Note: answer.Note, Media: answer.Media})
	if err != nil {
		canonical = []byte(err.Error())
	}
	sum := sha256.Sum256(canonical)
	if got, want := checklists.AnswerDigest(answer), hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("AnswerDigest(%#v) = %s, want %s", answer, got, want)
	}
}

func FuzzCanonicalAnswer(f *testing.F) {
	f.Add([]byte(`{"media_id":"m","signer_name":"Bench Guard"}`), "note", "id")
	f.Add([]byte(`[1.0,-0,1e21,"<&>",null,{"b":1,"a":[]}]`), "", "")
	f.Add([]byte(`"\u2028\ud800"`), "\xff", "é")
	f.Fuzz(func(t *testing.T, raw []byte, note, id string) {
		var value any
		if json.Unmarshal(raw, &value) != nil {
			return
		}
		for _, answer := range []checklists.Answer{{Value: value}, {Value: value, Note: note, Media: []string{id, note}}} {
			assertCanonicalAnswer(t, answer)
			assertDigestIsTheThreePassOne(t, answer)
		}
	})
}
