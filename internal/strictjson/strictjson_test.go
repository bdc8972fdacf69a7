package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/mutation"
)

// push is the push body's shape (api.pushRequest).
type push struct {
	Mutations []mutation.Envelope `json:"mutations"`
}

// target is one type decoded on the push path, with the options it is
// decoded with.
type target struct {
	name string
	typ  reflect.Type
	o    Options
}

// targets are the push body, every mutation payload (syncer.decodePayload:
// UseNumber) and an answer (syncer's answer.set).
func targets() []target {
	out := []target{
		{"push", reflect.TypeFor[push](), Options{}},
		{"answer", reflect.TypeFor[checklists.Answer](), Options{}},
	}
	for _, spec := range mutation.Specs() {
		out = append(out, target{string(spec.Type), spec.Payload, Options{UseNumber: true}})
	}
	return out
}

// decodeV1Only is the decode as it was before this package: the reference.
func decodeV1Only(data []byte, v any, o Options, one bool) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if o.UseNumber {
		dec.UseNumber()
	}
	if err := dec.Decode(v); err != nil {
		return err
	}
	if one && dec.More() {
		return ErrTrailing
	}
	return nil
}

// sameAsEncodingJSON fails t unless Decode and Value answer data exactly
// as encoding/json's Decoder does (the same value, or the same error
// text), and unless whatever the one-pass decode accepts, encoding/json
// accepts as the same value.
func sameAsEncodingJSON(t *testing.T, data []byte) {
	t.Helper()
	for _, tc := range targets() {
		for _, one := range []bool{false, true} {
			want, got := reflect.New(tc.typ), reflect.New(tc.typ)
			wantErr := decodeV1Only(data, want.Interface(), tc.o, one)
			var gotErr error
			if one {
				gotErr = Value(data, got.Interface(), tc.o)
			} else {
				gotErr = Decode(data, got.Interface(), tc.o)
			}
			if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
				t.Fatalf("%s (one value: %v) of %q: error %v, encoding/json's %v", tc.name, one, data, gotErr, wantErr)
			}
			if wantErr == nil && !reflect.DeepEqual(got.Interface(), want.Interface()) {
				t.Fatalf("%s (one value: %v) of %q:\n got %#v\nwant %#v", tc.name, one, data, got.Elem(), want.Elem())
			}
		}
		// The one-pass decode alone: never more lenient, never different.
		fastOut, want := reflect.New(tc.typ), reflect.New(tc.typ)
		if fast(data, fastOut.Interface(), tc.o) {
			if err := decodeV1Only(data, want.Interface(), tc.o, true); err != nil {
				t.Fatalf("%s of %q: the one-pass decode accepted what encoding/json refuses: %v", tc.name, data, err)
			}
			if !reflect.DeepEqual(fastOut.Interface(), want.Interface()) {
				t.Fatalf("%s of %q: the one-pass decode made\n %#v\nencoding/json\n %#v", tc.name, data, fastOut.Elem(), want.Elem())
			}
		}
	}
}

// cases are inputs where the two decoders are known to differ in their
// defaults, each of which must come out as encoding/json's.
var cases = []struct{ name, data string }{
	{"empty", ``},
	{"not JSON", `{"mutations":[}`},
	{"cut short", `{"mutations":[`},
	{"two values", `{"mutations":[]} {}`},
	{"a value and a stray bracket", `{"mutations":[]} ]`},
	{"null", `null`},
	{"an array", `[]`},
	{"unknown top-level field", `{"mutations":[],"colour":1}`},
	{"unknown mutation field", `{"mutations":[{"mutation_id":"a","colour":1}]}`},
	{"field name in another case", `{"MUTATIONS":[{"Mutation_ID":"a"}],"Path":"/a","SIZE":3}`},
	{"field name with a Kelvin sign", `{"path":"/a","\u212Aind":"x"}`},
	{"duplicate field", `{"mutations":[],"mutations":[{"type":"x"}],"path":"/a","path":"/b"}`},
	{"duplicate inside a payload", `{"mutations":[{"payload":{"a":1,"a":2}}]}`},
	{"invalid UTF-8", "{\"mutations\":[{\"type\":\"\xff\"}],\"path\":\"\xfe\",\"note\":\"\xc3\"}"},
	{"lone surrogate", `{"mutations":[{"type":"\ud800"}],"path":"\udfff x","note":"\ud83d"}`},
	{"escapes", `{"mutations":[{"type":"\u0041\n\"\\\/"}],"path":"\u00e9\u2028","note":"\ud83d\ude00"}`},
	{"quoted number", `{"template_version":"3","size":"3","version":"1"}`},
	{"quoted non-number", `{"template_version":"abc"}`},
	{"number null", `{"template_version":null,"size":null,"version":null,"value":null}`},
	{"numbers", `{"template_version":-0,"size":-0,"version":1.0,"value":1e400}`},
	{"big numbers", `{"template_version":1e400,"size":9223372036854775808,"version":2147483648}`},
	{"fractions into integers", `{"size":1.5,"version":1e2,"mutations":[{"base_version":3.0}]}`},
	{"exponent into integers", `{"size":1e2,"mutations":[{"base_version":1E1}]}`},
	{"floats", `{"location":{"lat":1e308,"lng":-1e-320,"accuracy_m":0.1}}`},
	{"float overflow", `{"location":{"lat":1e309,"lng":0}}`},
	{"wrong types", `{"mutations":[{"base_version":"3"}],"path":3,"size":"x","media":"a"}`},
	{"nulls", `{"mutations":null,"path":null,"answer":null,"media":null,"signature":null,"strokes":null,"context":null,"value":null}`},
	{"null mutation", `{"mutations":[null,{"payload":null,"base_version":null}]}`},
	{"raw messages", `{"mutations":[{"payload":{ "a" : [ 1 , 2 ] }}],"answer": { "value" : true } ,"context":[1, "x"],"strokes":[[[1,2]]]}`},
	{"empty containers", `{"mutations":[],"media":[],"answers":{},"witnesses":[],"repeats":[{}]}`},
	{"answer values", `{"value":{"b":[1,2.5,"x",null,true,{"c":{}}]},"note":"n","media":["a"],"countersign":{"user_id":"u"}}`},
	{"answer repeats", `{"repeats":[{"a":{"value":1,"repeats":[{"b":{"note":"x"}}]}}]}`},
	{"finding patch", `{"title":"x","severity":"high","due_at":null}`},
	{"deep", `{"value":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`},
	{"whitespace around", " \t\n{\"path\":\"/a\"}\r\n "},
	{"a value after whitespace", `{"path":"/a"}  {"path":"/b"}`},
	{"a BOM", "\ufeff{\"path\":\"/a\"}"},
	{"literal controls in a string", "{\"path\":\"a\tb\"}"},
	{"invalid literal", `{"path":tru}`},
	{"numbers odd", `{"template_version":01,"size":-,"version":.5}`},
	{"plus sign", `{"template_version":+1}`},
	{"incident", `{"site_id":"s","type":"t","level":"l","occurred_at":"x","answers":{"a":{"v":1}},"witnesses":[{"name":"n"}],"cctv":[{"camera":"c","from":"f","to":"t"}]}`},
	{"handover", `{"site_id":"s","items":{"equipment":"e"},"signature":{"strokes":[],"signed_at":"t"},"incoming":{"strokes":null,"key_id":"k","signed_at":"t","signature":"s"}}`},
	{"plan version", `{"version":3}`},
}

// TestSameAsEncodingJSON: for every input above, the push body, every
// payload type and an answer decode exactly as encoding/json decodes them.
func TestSameAsEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sameAsEncodingJSON(t, []byte(tc.data))
		})
	}
}

// TestTheLoadToolsPushIsOnePass: a push as the load tool sends it (one
// 30-answer cu-opening-check, eight signatures declared in the push), and
// each of its payloads and answers, decode without falling back to
// encoding/json: the fallback, which decodes twice, is for inputs no
// phone sends.
func TestTheLoadToolsPushIsOnePass(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/push.json")
	if err != nil {
		t.Fatal(err)
	}
	sameAsEncodingJSON(t, body)
	var in push
	if !fast(body, &in, Options{}) {
		t.Fatal("the push body fell back to encoding/json")
	}
	if len(in.Mutations) != 40 {
		t.Fatalf("%d mutations, want 40", len(in.Mutations))
	}
	for i, m := range in.Mutations {
		spec, ok := mutation.Lookup(m.Type)
		if !ok {
			t.Fatalf("mutation %d: type %q", i, m.Type)
		}
		sameAsEncodingJSON(t, m.Payload)
		if !fast(m.Payload, spec.New(), Options{UseNumber: true}) {
			t.Errorf("mutation %d (%s): the payload fell back to encoding/json: %s", i, m.Type, m.Payload)
		}
		if m.Type == string(mutation.AnswerSet) {
			var a mutation.Answer
			if err := Decode(m.Payload, &a, Options{UseNumber: true}); err != nil {
				t.Fatal(err)
			}
			if !fast(a.Answer, new(checklists.Answer), Options{}) {
				t.Errorf("mutation %d: the answer fell back to encoding/json: %s", i, a.Answer)
			}
		}
	}
}

// TestUseNumberWithInterfacesIsEncodingJSONs: a type holding an interface,
// decoded with UseNumber, is left to encoding/json (the one-pass decode
// would make its numbers float64).
func TestUseNumberWithInterfacesIsEncodingJSONs(t *testing.T) {
	t.Parallel()
	var v struct {
		Value any `json:"value"`
	}
	if err := Decode([]byte(`{"value":[1.50]}`), &v, Options{UseNumber: true}); err != nil {
		t.Fatal(err)
	}
	if got, ok := v.Value.([]any); !ok || got[0] != json.Number("1.50") {
		t.Fatalf("value %#v, want [json.Number(\"1.50\")]", v.Value)
	}
	if err := Value([]byte(`{"value":1} {}`), &v, Options{}); !errors.Is(err, ErrTrailing) {
		t.Fatalf("two values: %v, want ErrTrailing", err)
	}
}

// TestTheStrictOptionsRefuse: what the one-pass decode must leave to
// encoding/json, because encoding/json decides it differently.
func TestTheStrictOptionsRefuse(t *testing.T) {
	t.Parallel()
	for _, data := range []string{
		`{"Path":"/a"}`, `{"path":"/a","path":"/b"}`, "{\"path\":\"\xff\"}", `{"path":"/a"} {}`,
		`{"path":"\ud800"}`, `{"path":"/a","colour":1}`,
	} {
		var a mutation.Answer
		if jsonv2.Unmarshal([]byte(data), &a, strict) == nil {
			t.Errorf("the one-pass decode took %q", data)
		}
	}
}

// FuzzSameAsEncodingJSON holds Decode and Value to encoding/json on
// arbitrary input, for the push body, every payload type and an answer.
func FuzzSameAsEncodingJSON(f *testing.F) {
	for _, tc := range cases {
		f.Add([]byte(tc.data))
	}
	if body, err := os.ReadFile("testdata/push.json"); err == nil {
		f.Add(body)
		var in push
		if json.Unmarshal(body, &in) == nil {
			for _, m := range in.Mutations[:10] {
				f.Add([]byte(m.Payload))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsEncodingJSON(t, data)
	})
}

// TestOnlyPlainTypesTakeTheOnePass: types the two decoders read
// differently are left to encoding/json whatever the input.
func TestOnlyPlainTypesTakeTheOnePass(t *testing.T) {
	t.Parallel()
	type embedded struct{ A string }
	for _, tc := range []struct {
		name  string
		typ   reflect.Type
		plain bool
	}{
		{"push", reflect.TypeFor[push](), true},
		{"answer", reflect.TypeFor[checklists.Answer](), true},
		{"bytes", reflect.TypeFor[struct{ B []byte }](), false},
		{"time", reflect.TypeFor[struct{ T time.Time }](), false},
		{"integer keys", reflect.TypeFor[map[int]string](), false},
		{"string option", reflect.TypeFor[struct {
			N int `json:"n,string"`
		}](), false},
		{"inline option", reflect.TypeFor[struct {
			M map[string]any `json:",inline"`
		}](), false},
		{"quoted name", reflect.TypeFor[struct {
			N int `json:"'n'"`
		}](), false},
		{"embedded", reflect.TypeFor[struct{ embedded }](), false},
		{"non-empty interface", reflect.TypeFor[struct{ E error }](), false},
		{"recursive", reflect.TypeFor[checklists.Answer](), true},
	} {
		if got := shapeOf(reflect.PointerTo(tc.typ)).plain; got != tc.plain {
			t.Errorf("%s: plain %v, want %v", tc.name, got, tc.plain)
		}
	}
}

// TestNumbersAreFoundWhereverTheyAre: the options with the json.Number
// function are chosen for every type holding one, however deep, and only
// for those (fast).
func TestNumbersAreFoundWhereverTheyAre(t *testing.T) {
	t.Parallel()
	type node struct {
		Next  *node         `json:"next"`
		Count []json.Number `json:"count"`
	}
	for _, tc := range []struct {
		name string
		typ  reflect.Type
		want bool
	}{
		{"push", reflect.TypeFor[push](), false},
		{"answer", reflect.TypeFor[checklists.Answer](), false},
		{"inspection.start", reflect.TypeFor[mutation.StartInspection](), true},
		{"number", reflect.TypeFor[json.Number](), true},
		{"map of slices of numbers", reflect.TypeFor[map[string][]json.Number](), true},
		{"array of pointers to numbers", reflect.TypeFor[[2]*json.Number](), true},
		{"recursive, number after the cycle", reflect.TypeFor[node](), true},
		{"interface", reflect.TypeFor[struct{ V any }](), false},
		{"raw message", reflect.TypeFor[struct{ R json.RawMessage }](), false},
		{"float", reflect.TypeFor[struct{ F float64 }](), false},
	} {
		if got := shapeOf(reflect.PointerTo(tc.typ)).holdsNumber; got != tc.want {
			t.Errorf("%s: holds a json.Number %v, want %v", tc.name, got, tc.want)
		}
	}
	// Each payload type holding one still refuses a quoted number in the
	// one pass, leaving it to encoding/json.
	for _, spec := range mutation.Specs() {
		if !shapeOf(reflect.PointerTo(spec.Payload)).holdsNumber {
			continue
		}
		for i := range spec.Payload.NumField() {
			field := spec.Payload.Field(i)
			if field.Type != reflect.TypeFor[json.Number]() {
				continue
			}
			name, _, _ := strings.Cut(field.Tag.Get("json"), ",")
			if fast([]byte(`{"`+name+`":"3"}`), reflect.New(spec.Payload).Interface(), Options{UseNumber: true}) {
				t.Errorf("%s: the one-pass decode took a quoted number for %s", spec.Type, name)
			}
		}
	}
}
