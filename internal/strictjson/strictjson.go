// Package strictjson decodes the JSON of requests strictly (unknown fields
// are errors) with encoding/json's meaning, in one pass where it can.
//
// encoding/json's Decoder scans every value twice (once to find its end,
// once to unmarshal it) and copies what it reads into a buffer of its own;
// on the push path that was a sixth of the server's CPU (issue 17). Every
// decode here is first tried with go-json-experiment/json (the maintained
// upstream of Go's encoding/json/v2) at its strictest: exact field names,
// no duplicate names, valid UTF-8 only, numbers as number tokens. Anything
// that strict decode refuses, including every malformed input, is decoded
// again by encoding/json exactly as before, so that what is accepted, the
// value produced and every error text (answered to devices, and stored in
// results replayed byte for byte) stay encoding/json's. What the strict
// decode accepts, encoding/json accepts as the same value: the tests in
// this package hold the two to that, for every payload type, on
// arbitrary input.
//
// It must never accept an input encoding/json refuses, nor decode one to
// a different value.
package strictjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"unicode"

	jsonv2 "github.com/go-json-experiment/json"
)

// ErrTrailing is Value's answer to an input that holds more than one JSON
// value.
var ErrTrailing = errors.New("strictjson: more than one JSON value")

// Options say how encoding/json would have been asked to decode.
type Options struct {
	// UseNumber is json.Decoder.UseNumber: numbers in interface values
	// become json.Number instead of float64.
	UseNumber bool
}

// Decode is json.NewDecoder(bytes.NewReader(data)) with
// DisallowUnknownFields (and UseNumber if asked), then Decode(v): one
// value is read and anything after it is not looked at, as that Decoder
// does. v must point to a zero value.
func Decode(data []byte, v any, o Options) error {
	if fast(data, v, o) {
		return nil
	}
	return decodeV1(data, v, o, false)
}

// Value is Decode that also refuses, with ErrTrailing, an input whose one
// value is followed by another (the Decoder's More after Decode).
func Value(data []byte, v any, o Options) error {
	if fast(data, v, o) {
		return nil
	}
	return decodeV1(data, v, o, true)
}

// OnePass is the one-pass decode alone: it reports whether it took data
// into v (pointing to a zero value), which is then what Decode would have
// made of it. On false, v may hold part of data and nothing is decided:
// the caller decodes another way.
func OnePass(data []byte, v any, o Options) bool {
	return fast(data, v, o)
}

// decodeV1 is the decode as it was, into a zeroed v: the strict attempt
// may have filled part of it, and encoding/json merges into what it finds.
func decodeV1(data []byte, v any, o Options, one bool) error {
	if target := reflect.ValueOf(v); target.Kind() == reflect.Pointer && !target.IsNil() {
		target.Elem().SetZero()
	}
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

// strict are the options of the one-pass attempt. Unknown members,
// duplicate names and invalid UTF-8 are refused by it (encoding/json then
// decides); a json.Number takes only a number token, as the Decoder
// would keep it (a quoted number, which encoding/json also takes, goes
// to encoding/json).
var strict = jsonv2.JoinOptions(
	strictWithoutNumbers,
	jsonv2.WithUnmarshalers(jsonv2.UnmarshalFunc(func(raw []byte, n *json.Number) error {
		if len(raw) == 0 || raw[0] == '"' || raw[0] == 'n' {
			return errNotNumber
		}
		*n = json.Number(raw)
		return nil
	})),
)

// strictWithoutNumbers is strict for a type that holds no json.Number,
// where strict's unmarshal function can never apply (it is for
// json.Number alone, and an interface value is decoded as a string,
// float64, bool, map or slice, never as a json.Number). Given any
// function at all, go-json-experiment looks up every field's and
// element's type among them, in a sync.Map: 7 % of a push's decode
// (issue 17, BenchmarkPushDecode), for one field of one payload type.
var strictWithoutNumbers = jsonv2.RejectUnknownMembers(true)

var errNotNumber = errors.New("strictjson: not a number token")

// fast reports whether the one-pass decode took data into v. It is
// tried only on types whose every part the two decoders read alike
// (plain), and not where encoding/json's UseNumber would change an
// interface value's numbers, which the one-pass decode makes float64.
func fast(data []byte, v any, o Options) bool {
	options, one := onePassOptions(v, o)
	return one && jsonv2.Unmarshal(data, v, options) == nil
}

// onePassOptions are the options of the one-pass decode for v's type, and
// whether it is tried for that type at all with o.
func onePassOptions(v any, o Options) (jsonv2.Options, bool) {
	shape := shapeOf(reflect.TypeOf(v))
	if !shape.plain || o.UseNumber && shape.holdsInterface {
		return nil, false
	}
	if shape.holdsNumber {
		return strict, true
	}
	return strictWithoutNumbers, true
}

// shape is what a type holds, as far as the choice of decoder goes.
type shape struct {
	// plain: made only of strings, booleans, numbers, slices, arrays,
	// maps with string keys, structs, pointers, empty interfaces,
	// json.RawMessage and json.Number, with field tags both decoders
	// read alike. The decoders differ elsewhere: []byte (base64),
	// time.Time and other unmarshal methods, integer map keys, the
	// ",string" option, and tags only go-json-experiment knows
	// (",inline", "format:"…).
	plain          bool
	holdsInterface bool
	holdsNumber    bool // a json.Number somewhere in it
}

var shapes sync.Map // reflect.Type → shape

func shapeOf(t reflect.Type) shape {
	if t == nil {
		return shape{}
	}
	if known, ok := shapes.Load(t); ok {
		return known.(shape)
	}
	var s shape
	s.plain = walk(t, map[reflect.Type]bool{}, &s)
	shapes.Store(t, s)
	return s
}

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	numberType      = reflect.TypeFor[json.Number]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textType        = reflect.TypeFor[encoding.TextUnmarshaler]()
	fromType        = reflect.TypeFor[jsonv2.UnmarshalerFrom]()
)

// walk reports whether t is plain, noting in s whether it can hold an
// interface value or a json.Number.
func walk(t reflect.Type, seen map[reflect.Type]bool, s *shape) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	if t == numberType {
		s.holdsNumber = true
		return true
	}
	if t == rawMessageType {
		return true
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface &&
		(reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textType) ||
			reflect.PointerTo(t).Implements(fromType)) {
		return false
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	case reflect.Interface:
		s.holdsInterface = true
		return t.NumMethod() == 0
	case reflect.Pointer:
		return walk(t.Elem(), seen, s)
	case reflect.Slice, reflect.Array:
		return t.Elem().Kind() != reflect.Uint8 && walk(t.Elem(), seen, s)
	case reflect.Map:
		return t.Key() == reflect.TypeFor[string]() && walk(t.Elem(), seen, s)
	case reflect.Struct:
		for i := range t.NumField() {
			field := t.Field(i)
			if field.Anonymous {
				return false // inlined by both, by rules of their own
			}
			if !field.IsExported() {
				continue
			}
			if !plainTag(field.Tag.Get("json")) || !walk(field.Type, seen, s) {
				return false
			}
		}
		return true
	}
	return false
}

// plainTag reports whether encoding/json and go-json-experiment read a
// field's json tag alike: a name of letters, digits, '_' and '-' (or
// none), and no option but omitempty and omitzero.
func plainTag(tag string) bool {
	name, options, _ := strings.Cut(tag, ",")
	for _, r := range name {
		if !(r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	for option := range strings.SplitSeq(options, ",") {
		if option != "" && option != "omitempty" && option != "omitzero" {
			return false
		}
	}
	return true
}
