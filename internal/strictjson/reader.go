package strictjson

import (
	"bytes"
	"io"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Reader reads one JSON document a part at a time, by the one-pass
// decode's rules, for a caller that decodes each part into its own type
// as it meets it: a push body's payloads into their payload types as the
// body is read, instead of each kept as raw JSON, checked, and parsed
// again (issue 17). Any method answering false means the document does
// not go on as the caller asked, or a part does not fit: the Reader is
// then spoiled, and the caller decodes the whole document with Decode or
// Value, which decide what it holds and which error to answer. A Reader
// never decides an input is bad; it only takes the inputs it can.
type Reader struct {
	data []byte
	in   bytes.Buffer // data, read by dec in place
	dec  jsontext.Decoder
	last []byte // the value read last, as it is in data
}

// readers keep their decoders' stacks of names from one document to the
// next, as go-json-experiment keeps its own decoders'.
var readers = sync.Pool{New: func() any { return new(Reader) }}

// NewReader reads data, which must not change while the Reader or any
// part it answered is in use: Raw and Last answer parts of data itself.
// Close it when done.
func NewReader(data []byte) *Reader {
	r := readers.Get().(*Reader)
	r.data, r.last = data, nil
	r.in = *bytes.NewBuffer(data)
	r.dec.Reset(&r.in)
	return r
}

// Close gives the Reader back; the parts it answered stay valid.
func (r *Reader) Close() {
	r.data, r.last = nil, nil
	r.in = bytes.Buffer{}
	r.dec.Reset(&r.in)
	readers.Put(r)
}

// Next is the kind of the next token ('{', '}', '[', ']', '"', '0' for a
// number, 'n', 't', 'f'), or 0 at the end or on an error.
func (r *Reader) Next() byte { return byte(r.dec.PeekKind()) }

// Delim reads the next token, which must be the delimiter d ('{', '}',
// '[' or ']').
func (r *Reader) Delim(d byte) bool {
	if r.Next() != d {
		return false
	}
	_, err := r.dec.ReadToken()
	return err == nil
}

// Name reads the next object member's name, unquoted. The bytes are
// valid until the next call. A name the object had already is an error,
// as the one-pass decode has it.
func (r *Reader) Name() ([]byte, bool) {
	raw, ok := r.value()
	if !ok || len(raw) < 2 || raw[0] != '"' {
		return nil, false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1], true
	}
	name, err := jsontext.AppendUnquote(nil, raw)
	return name, err == nil
}

// Raw reads the next value and answers it as it is in data: a slice of
// data itself, with no room after it (appending to it copies).
func (r *Reader) Raw() ([]byte, bool) {
	return r.value()
}

// String reads the next value as Decode would read it into a string (a
// JSON string, or null for ""), and answers the string's bytes: a slice of
// data when it has no escape, so that the caller may compare them before
// making a string of them.
func (r *Reader) String() ([]byte, bool) {
	raw, ok := r.value()
	if !ok {
		return nil, false
	}
	if len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1], true
	}
	var s string
	if !OnePass(raw, &s, Options{}) {
		return nil, false
	}
	return []byte(s), true
}

// Decode reads the next value into v (pointing to a zero value) by the
// one-pass decode of Decode. tried is false, and nothing is read, when
// Decode would not try the one-pass decode for v's type with o: the
// caller reads the value another way. When tried, ok says whether v took
// the value, which Last then answers as it is in data.
func (r *Reader) Decode(v any, o Options) (tried, ok bool) {
	options, one := onePassOptions(v, o)
	if !one {
		return false, false
	}
	start := r.dec.InputOffset()
	if err := jsonv2.UnmarshalDecode(&r.dec, v, options); err != nil {
		r.last = nil
		return true, false
	}
	r.last = r.slice(start, r.dec.InputOffset())
	return true, true
}

// Last is the value the last Decode took, as it is in data.
func (r *Reader) Last() []byte { return r.last }

// End reports whether nothing but whitespace follows the value read, as
// Value requires.
func (r *Reader) End() bool {
	_, err := r.dec.ReadToken()
	return err == io.EOF
}

func (r *Reader) value() ([]byte, bool) {
	start := r.dec.InputOffset()
	if _, err := r.dec.ReadValue(); err != nil {
		return nil, false
	}
	return r.slice(start, r.dec.InputOffset()), true
}

// slice is data from start to end without what may come before a value
// there: whitespace and the ',' or ':' before it, which no value starts
// with.
func (r *Reader) slice(start, end int64) []byte {
	raw := r.data[start:end:end]
	for len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\t' || raw[0] == '\n' || raw[0] == '\r' || raw[0] == ',' || raw[0] == ':') {
		raw = raw[1:]
	}
	return raw
}
