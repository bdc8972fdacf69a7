package checklists

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// CanonicalJSON encodes v the way the server hashes submitted content:
// encoded, decoded (numbers become float64) and encoded again with Go's
// encoding/json, so object keys are sorted, there is no insignificant
// whitespace, numbers take their shortest round-trip form, and <, >, &,
// U+2028 and U+2029 are escaped as \u003c, \u003e, \u0026, \u2028, \u2029.
// docs/sync-protocol.md states the rules for other languages.
//
// The decode and second encode are done in one pass over the first
// encoding (canonical); whatever that pass does not handle itself (a string
// with an escape or invalid UTF-8, a number beyond float64, nesting deeper
// than maxCanonicalDepth) goes through encoding/json as before, so the bytes
// and the errors are the three-pass form's for every input.
//
// A value made of what decoding JSON gives (nil, booleans, float64,
// strings that need no escape, []any and map[string]any: an audit entry's
// details, say) is its own decoded form and is written directly
// (appendCanonicalValue), without encoding it first.
func CanonicalJSON(v any) ([]byte, error) {
	switch v.(type) {
	case nil, bool, float64, string, []any, map[string]any:
		if out, ok := appendCanonicalValue(make([]byte, 0, 128), v, 0); ok {
			return out, nil
		}
	}
	first, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	c := canonicalizer{in: first, out: make([]byte, 0, len(first))}
	if c.value(0) && c.skipSpace() == len(first) {
		return c.out, nil
	}
	var decoded any
	if err := json.Unmarshal(first, &decoded); err != nil {
		return nil, err
	}
	return json.Marshal(decoded)
}

// maxCanonicalDepth bounds the one pass's recursion; deeper values take the
// encoding/json path, which refuses nesting beyond 10 000.
const maxCanonicalDepth = 512

// canonicalizer rewrites JSON text (encoding/json's own output, so valid
// and compact) into its canonical form. Each method returns false for
// anything it does not handle exactly as decode-then-encode would.
type canonicalizer struct {
	in  []byte
	at  int
	out []byte
}

func (c *canonicalizer) skipSpace() int {
	for c.at < len(c.in) {
		switch c.in[c.at] {
		case ' ', '\t', '\n', '\r':
			c.at++
		default:
			return c.at
		}
	}
	return c.at
}

func (c *canonicalizer) value(depth int) bool {
	if depth > maxCanonicalDepth || c.skipSpace() == len(c.in) {
		return false
	}
	switch c.in[c.at] {
	case '{':
		return c.object(depth)
	case '[':
		return c.array(depth)
	case '"':
		_, ok := c.str()
		return ok
	case 't':
		return c.literal("true")
	case 'f':
		return c.literal("false")
	case 'n':
		return c.literal("null")
	default:
		return c.number()
	}
}

func (c *canonicalizer) literal(word string) bool {
	if !bytes.HasPrefix(c.in[c.at:], []byte(word)) {
		return false
	}
	c.at += len(word)
	c.out = append(c.out, word...)
	return true
}

func (c *canonicalizer) array(depth int) bool {
	c.at++ // [
	c.out = append(c.out, '[')
	if c.skipSpace() < len(c.in) && c.in[c.at] == ']' {
		c.at++
		c.out = append(c.out, ']')
		return true
	}
	for {
		if !c.value(depth + 1) {
			return false
		}
		if c.skipSpace() == len(c.in) {
			return false
		}
		switch c.in[c.at] {
		case ',':
			c.at++
			c.out = append(c.out, ',')
		case ']':
			c.at++
			c.out = append(c.out, ']')
			return true
		default:
			return false
		}
	}
}

// member is one "key":value of an object being rewritten: its decoded key
// and where its canonical bytes are in the output.
type member struct {
	key        []byte
	start, end int
}

// object writes the members as they come and, when their keys are not
// already strictly ascending, writes them again sorted, the last of equal
// keys kept: what decoding into a map and encoding it does.
func (c *canonicalizer) object(depth int) bool {
	c.at++ // {
	begin := len(c.out)
	c.out = append(c.out, '{')
	if c.skipSpace() < len(c.in) && c.in[c.at] == '}' {
		c.at++
		c.out = append(c.out, '}')
		return true
	}
	var members []member
	sorted := true
	for {
		if c.skipSpace() == len(c.in) || c.in[c.at] != '"' {
			return false
		}
		start := len(c.out)
		key, ok := c.str()
		if !ok || c.skipSpace() == len(c.in) || c.in[c.at] != ':' {
			return false
		}
		c.at++
		c.out = append(c.out, ':')
		if !c.value(depth + 1) {
			return false
		}
		if n := len(members); n > 0 && bytes.Compare(members[n-1].key, key) >= 0 {
			sorted = false
		}
		members = append(members, member{key, start, len(c.out)})
		if c.skipSpace() == len(c.in) {
			return false
		}
		switch c.in[c.at] {
		case ',':
			c.at++
			c.out = append(c.out, ',')
			continue
		case '}':
			c.at++
		default:
			return false
		}
		break
	}
	if !sorted {
		c.sortMembers(begin, members)
	}
	c.out = append(c.out, '}')
	return true
}

func (c *canonicalizer) sortMembers(begin int, members []member) {
	written := bytes.Clone(c.out[begin:])
	slices.SortStableFunc(members, func(a, b member) int { return bytes.Compare(a.key, b.key) })
	c.out = append(c.out[:begin], '{')
	for i, m := range members {
		if i+1 < len(members) && bytes.Equal(members[i+1].key, m.key) {
			continue // a later duplicate replaces it
		}
		if len(c.out) > begin+1 {
			c.out = append(c.out, ',')
		}
		c.out = append(c.out, written[m.start-begin:m.end-begin]...)
	}
}

// str rewrites a string and returns its decoded value. A string of
// printable ASCII and valid UTF-8 with nothing to escape is its own
// canonical form; any other goes through encoding/json (decoded, then
// encoded), which is where escapes and invalid UTF-8 are settled.
func (c *canonicalizer) str() ([]byte, bool) {
	begin := c.at
	for i := begin + 1; i < len(c.in); {
		b := c.in[i]
		switch {
		case b == '"':
			c.at = i + 1
			c.out = append(c.out, c.in[begin:c.at]...)
			return c.in[begin+1 : i], true
		case b == '\\' || b < 0x20 || b == '<' || b == '>' || b == '&':
			return c.escapedString()
		case b < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(c.in[i:])
			if r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
				return c.escapedString()
			}
			i += size
		}
	}
	return nil, false
}

func (c *canonicalizer) escapedString() ([]byte, bool) {
	end := c.at + 1
	for end < len(c.in) && c.in[end] != '"' {
		if c.in[end] == '\\' {
			end++
		}
		end++
	}
	if end >= len(c.in) {
		return nil, false
	}
	var decoded string
	if json.Unmarshal(c.in[c.at:end+1], &decoded) != nil {
		return nil, false
	}
	encoded, err := json.Marshal(decoded)
	if err != nil {
		return nil, false
	}
	c.at = end + 1
	c.out = append(c.out, encoded...)
	return []byte(decoded), true
}

// number writes a number as encoding/json writes the float64 it decodes
// to. An integer of at most 15 digits is exact in a float64 and printed
// with the same digits, so it is copied.
func (c *canonicalizer) number() bool {
	begin := c.at
	plain := true
	for c.at < len(c.in) {
		b := c.in[c.at]
		if b >= '0' && b <= '9' || b == '-' && c.at == begin {
			c.at++
			continue
		}
		if b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-' {
			plain = false
			c.at++
			continue
		}
		break
	}
	token := c.in[begin:c.at]
	digits := len(token)
	if digits > 0 && token[0] == '-' {
		digits--
	}
	if digits == 0 {
		return false
	}
	if plain && digits <= 15 {
		c.out = append(c.out, token...)
		return true
	}
	f, err := strconv.ParseFloat(string(token), 64)
	if err != nil {
		return false
	}
	c.out = AppendFloat(c.out, f)
	return true
}

// AppendFloat appends encoding/json's encoding of a finite float64: the shortest
// round-trip form, in exponent form only below 1e-6 and from 1e21 on, with
// a one-digit negative exponent written without its leading zero.
func AppendFloat(out []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	out = strconv.AppendFloat(out, f, format, -1, 64)
	if format == 'e' {
		n := len(out)
		if n >= 4 && out[n-4] == 'e' && out[n-3] == '-' && out[n-2] == '0' {
			out[n-2] = out[n-1]
			out = out[:n-1]
		}
	}
	return out
}

// canonicalAnswer is CanonicalJSON of an answer without countersign or
// repeats (what AnswerDigest hashes) written directly, for a value made of
// what decoding JSON gives (nil, booleans, float64, strings, []any and
// map[string]any) with strings that need no escape; false for anything
// else, which CanonicalJSON then encodes.
func canonicalAnswer(answer Answer) ([]byte, bool) {
	if answer.Countersign != nil || answer.Repeats != nil {
		return nil, false
	}
	out := append(make([]byte, 0, 128), '{')
	if len(answer.Media) > 0 {
		var ok bool
		if out, ok = appendPlainStrings(append(out, `"media":`...), answer.Media); !ok {
			return nil, false
		}
	}
	if answer.Note != "" {
		if len(out) > 1 {
			out = append(out, ',')
		}
		var ok bool
		if out, ok = AppendPlainString(append(out, `"note":`...), answer.Note); !ok {
			return nil, false
		}
	}
	if answer.Value != nil {
		if len(out) > 1 {
			out = append(out, ',')
		}
		var ok bool
		if out, ok = appendCanonicalValue(append(out, `"value":`...), answer.Value, 0); !ok {
			return nil, false
		}
	}
	return append(out, '}'), true
}

func appendCanonicalValue(out []byte, v any, depth int) ([]byte, bool) {
	if depth > maxCanonicalDepth {
		return nil, false
	}
	switch v := v.(type) {
	case nil:
		return append(out, "null"...), true
	case bool:
		return strconv.AppendBool(out, v), true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
		return AppendFloat(out, v), true
	case string:
		return AppendPlainString(out, v)
	case []any:
		if v == nil {
			return append(out, "null"...), true
		}
		out = append(out, '[')
		for i, element := range v {
			if i > 0 {
				out = append(out, ',')
			}
			var ok bool
			if out, ok = appendCanonicalValue(out, element, depth+1); !ok {
				return nil, false
			}
		}
		return append(out, ']'), true
	case map[string]any:
		if v == nil {
			return append(out, "null"...), true
		}
		return appendObject(out, v, depth, appendCanonicalValue)
	}
	return nil, false
}

// appendObject writes m as encoding/json writes a map with string keys:
// keys sorted, each written by AppendPlainString, each value by value at
// depth+1; false when a key or a value is not one the fast path writes.
func appendObject[V any](out []byte, m map[string]V, depth int, value func([]byte, V, int) ([]byte, bool)) ([]byte, bool) {
	out = append(out, '{')
	keys := make([]string, 0, len(m)) // slices.Sorted(maps.Keys(m)) grows its slice as it goes
	for key := range m {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for i, key := range keys {
		if i > 0 {
			out = append(out, ',')
		}
		var ok bool
		if out, ok = AppendPlainString(out, key); !ok {
			return nil, false
		}
		if out, ok = value(append(out, ':'), m[key], depth+1); !ok {
			return nil, false
		}
	}
	return append(out, '}'), true
}

// appendPlainStrings writes ids as a JSON array of plain strings
// (AppendPlainString); false when one is not.
func appendPlainStrings(out []byte, ids []string) ([]byte, bool) {
	out = append(out, '[')
	for i, id := range ids {
		if i > 0 {
			out = append(out, ',')
		}
		var ok bool
		if out, ok = AppendPlainString(out, id); !ok {
			return nil, false
		}
	}
	return append(out, ']'), true
}

// AppendPlainString appends s quoted when encoding/json would write it as it is:
// valid UTF-8 with no control character, quote, backslash, <, >, &,
// U+2028 or U+2029.
func AppendPlainString(out []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b < 0x20 || b == '"' || b == '\\' || b == '<' || b == '>' || b == '&' {
				return nil, false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return nil, false
		}
		i += size
	}
	out = append(out, '"')
	out = append(out, s...)
	return append(out, '"'), true
}
