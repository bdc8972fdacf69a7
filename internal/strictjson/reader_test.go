package strictjson

import (
	"encoding/json"
	"testing"
)

// TestReaderReadsAsDecodes: a Reader's parts are the document's own bytes
// and what Decode makes of them, and it takes nothing the one-pass decode
// would not.
func TestReaderReadsAsDecodes(t *testing.T) {
	t.Parallel()
	doc := []byte(" {\"a\\u0062\" : [ {\"x\":1} , \"s\\n\", null, 7 ] }\n")
	r := NewReader(doc)
	if !r.Delim('{') {
		t.Fatal("no object")
	}
	if name, ok := r.Name(); !ok || string(name) != "ab" {
		t.Fatalf("Name = %q, %v", name, ok)
	}
	if !r.Delim('[') || r.Next() != '{' {
		t.Fatal("no array of an object")
	}
	var x struct {
		X int `json:"x"`
	}
	if tried, ok := r.Decode(&x, Options{}); !tried || !ok || x.X != 1 || string(r.Last()) != `{"x":1}` {
		t.Fatalf("Decode = %v, %v, %+v, last %q", tried, ok, x, r.Last())
	}
	if s, ok := r.String(); !ok || string(s) != "s\n" {
		t.Fatalf("String = %q, %v", s, ok)
	}
	if s, ok := r.String(); !ok || len(s) != 0 {
		t.Fatalf("String of null = %q, %v", s, ok)
	}
	var held any
	if tried, _ := r.Decode(&held, Options{UseNumber: true}); tried {
		t.Fatal("tried the one-pass decode where Decode would not (UseNumber into an interface)")
	}
	raw, ok := r.Raw()
	if !ok || string(raw) != "7" || cap(raw) != len(raw) || &raw[0] != &doc[len(doc)-6] {
		t.Fatalf("Raw = %q, %v: not the document's own byte, or with room after it", raw, ok)
	}
	if !r.Delim(']') || !r.Delim('}') || !r.End() {
		t.Fatal("the document does not end")
	}
	for _, bad := range []string{`{"a":1,"a":2}`, `{"a":"\xff"}`, `{"a":1} {}`, `{"a":`} {
		r := NewReader([]byte(bad))
		ok := r.Delim('{')
		if ok {
			_, ok = r.Name()
		}
		if ok {
			_, ok = r.Raw()
		}
		if ok && r.Next() != '}' {
			_, ok = r.Name()
			if ok {
				_, ok = r.Raw()
			}
		}
		if ok = ok && r.Delim('}') && r.End(); ok {
			t.Errorf("a Reader took %q in full", bad)
		}
	}
	var n struct {
		N json.Number `json:"n"`
	}
	r = NewReader([]byte(`{"n":"1"}`))
	if tried, ok := r.Decode(&n, Options{UseNumber: true}); !tried || ok {
		t.Fatalf("a quoted json.Number: tried %v, took %v (Decode leaves it to encoding/json)", tried, ok)
	}
}
