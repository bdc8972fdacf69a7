package checklists

import (
	"bytes"
	"encoding/json"
	"maps"
	"math"
	"strings"
	"testing"
)

// sameAsMarshal fails unless MarshalAnswers gives json.Marshal's bytes, or
// fails where it fails: json.Marshal is the reference it replaces.
func sameAsMarshal(t *testing.T, answers map[string]Answer) {
	t.Helper()
	want, wantErr := json.Marshal(answers)
	got, err := MarshalAnswers(answers)
	if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
		t.Fatalf("MarshalAnswers(%#v)\n got %s, %v\nwant %s, %v", answers, got, err, want, wantErr)
	}
}

func TestMarshalAnswersIsJSONMarshal(t *testing.T) {
	deep := any("x")
	for range 600 {
		deep = []any{deep}
	}
	cases := map[string]map[string]Answer{
		"nil":   nil,
		"empty": {},
		"values": {"b": {Value: true}, "a": {Value: 1.5}, "c": {Value: "ok"}, "d": {Value: []any{1.0, "x", nil, map[string]any{"z": 1.0, "a": false}}},
			"e": {Value: map[string]any{}}, "f": {Value: []any(nil)}, "g": {Value: map[string]any(nil)}, "h": {}, "i": {Value: ""}},
		"numbers":        {"a": {Value: 1e21}, "b": {Value: 1e-7}, "c": {Value: math.Copysign(0, -1)}, "d": {Value: 123456789012345678.0}},
		"nan":            {"a": {Value: math.NaN()}},
		"int":            {"a": {Value: 3}, "b": {Value: json.Number("1.0")}, "c": {Value: json.RawMessage(`{ "a" : 1 }`)}},
		"note and media": {"a": {Note: "seen", Media: []string{"m1", "m2"}}, "b": {Media: []string{}}, "c": {Note: "é ünïcode"}},
		"html":           {"a": {Note: "<b>&</b>"}, "<k>": {Value: "x"}, "c": {Value: map[string]any{"&": 1.0}}, "d": {Media: []string{">"}}},
		"u2028":          {"a": {Note: "a\u2028b"}, "b": {Value: "\u2029"}},
		"invalid utf8":   {"a": {Note: "\xff"}, "b\xfe": {Value: "x"}},
		"escapes":        {"a": {Note: "a\"b\\c\n\t\x7f"}, "b": {Value: "\x00"}},
		"countersign": {"a": {Value: true, Countersign: &Countersignature{UserID: "u"}},
			"b": {Countersign: &Countersignature{UserID: "", SignatureMediaID: "s", KeyID: "k", SignedAt: "t", Signature: "c2ln+/=="}},
			"c": {Countersign: &Countersignature{UserID: "u", Signature: "<"}}},
		"repeats": {"g": {Repeats: []map[string]Answer{{"x": {Value: 1.0}}, nil, {}, {"y": {Note: "n", Repeats: []map[string]Answer{{"z": {Value: "deep"}}}}}}},
			"h": {Repeats: []map[string]Answer{}}},
		"deep value": {"a": {Value: deep}},
	}
	for name, answers := range cases {
		t.Run(name, func(t *testing.T) { sameAsMarshal(t, answers) })
	}
}

func FuzzMarshalAnswers(f *testing.F) {
	f.Add([]byte(`{"a":{"value":1,"note":"n","media":["m"]},"b":{"value":[1,"<",{"k":null}],"repeats":[{"c":{"value":true}}]}}`), "k", "note", 0.5, uint8(0xff))
	f.Add([]byte(`{"\u2028":{"value":"\u2029"},"x":{"countersign":{"user_id":"u","signature":"&"}}}`), "\xff", "<", math.Inf(1), uint8(0))
	f.Add([]byte(`{"a":{"value":1e400}}`), "", "", 1e-7, uint8(3))
	f.Fuzz(func(t *testing.T, raw []byte, key, s string, number float64, bits uint8) {
		var answers map[string]Answer
		if json.Unmarshal(raw, &answers) != nil {
			answers = map[string]Answer{}
		}
		sameAsMarshal(t, answers)
		if answers == nil {
			answers = map[string]Answer{}
		}
		answer := Answer{Value: number, Note: s}
		if bits&1 != 0 {
			answer.Value = []any{s, number, map[string]any{key: s, s: number}}
		}
		if bits&2 != 0 {
			answer.Media = strings.Split(s, ",")
		}
		if bits&4 != 0 {
			answer.Countersign = &Countersignature{UserID: key, KeyID: s, Signature: key + s}
		}
		if bits&8 != 0 {
			// A copy: answers decoded from JSON hold no cycle.
			answer.Repeats = []map[string]Answer{maps.Clone(answers), {key: {Value: s}}}
		}
		answers[key] = answer
		sameAsMarshal(t, answers)
	})
}

func BenchmarkMarshalAnswers(b *testing.B) {
	answers := map[string]Answer{}
	for i := range 30 {
		key := "item_" + strings.Repeat("x", i%7) + string(rune('a'+i))
		switch i % 3 {
		case 0:
			answers[key] = Answer{Value: true}
		case 1:
			answers[key] = Answer{Value: 12.5, Note: "checked at the gate"}
		default:
			answers[key] = Answer{Value: "ok", Media: []string{"0b7d0c1e-3f1a-4c55-9a57-2a3f0d1e2c3b"}}
		}
	}
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			json.Marshal(answers)
		}
	})
	b.Run("MarshalAnswers", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			MarshalAnswers(answers)
		}
	})
}
