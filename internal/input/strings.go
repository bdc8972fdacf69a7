package input

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// The string rule. Every string a client sends, in any field, at any depth
// of a JSON document (object names included), must be free of the C0
// control characters U+0000 to U+001F other than tab, line feed and
// carriage return. PostgreSQL cannot store NUL in text or jsonb at all, and
// the other controls are never part of what a guard types; refusing them on
// both dialects keeps SQLite and PostgreSQL answering alike. Everything
// else, including U+007F and the C1 range, is stored faithfully.

// ControlRule is the detail given for a refused string.
const ControlRule = "must not contain control characters other than tab, line feed and carriage return"

// allowedControl reports whether r is a control character the rule allows.
func allowedControl(r rune) bool { return r == '\t' || r == '\n' || r == '\r' }

// CleanString reports whether s follows the string rule.
func CleanString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && !allowedControl(rune(c)) {
			return false
		}
	}
	return true
}

// ControlProblems checks every string of a JSON document against the
// string rule and returns, by JSON pointer (RFC 6901, under prefix), each
// one that breaks it: a string value is named by its own pointer, an object
// name by the pointer of its object. Run it on a document already decoded
// without error: it stops at the first token that is not valid JSON. A
// document with no escape sequence that could stand for a refused
// character is clean without being walked, as raw control characters are
// not valid JSON.
func ControlProblems(doc []byte, prefix string) map[string]string {
	if !mayHoldControl(doc) {
		return nil
	}
	w := walker{dec: json.NewDecoder(bytes.NewReader(doc)), prefix: prefix}
	w.dec.UseNumber()
	w.value(prefix)
	return w.problems
}

// mayHoldControl reports whether doc has an escape that decodes to a C0
// control other than the allowed ones: \b, \f or \u00XX.
func mayHoldControl(doc []byte) bool {
	return bytes.Contains(doc, []byte(`\u`)) || bytes.Contains(doc, []byte(`\b`)) || bytes.Contains(doc, []byte(`\f`))
}

type walker struct {
	dec      *json.Decoder
	prefix   string
	problems map[string]string
	broken   bool // the document is not valid JSON: stop
}

func (w *walker) flag(pointer string) {
	if w.problems == nil {
		w.problems = map[string]string{}
	}
	w.problems[pointer] = ControlRule
}

func (w *walker) token() json.Token {
	if w.broken {
		return nil
	}
	tok, err := w.dec.Token()
	if err != nil {
		w.broken = true
		return nil
	}
	return tok
}

// value walks the value that starts at the next token.
func (w *walker) value(pointer string) {
	switch tok := w.token().(type) {
	case string:
		if !CleanString(tok) {
			w.flag(pointer)
		}
	case json.Delim:
		switch tok {
		case '{':
			for !w.broken && w.dec.More() {
				name, _ := w.token().(string)
				if !CleanString(name) {
					w.flag(pointer)
					name = strconv.Quote(name) // named without the character itself
				}
				w.value(pointer + "/" + escapePointer(name))
			}
			w.token() // }
		case '[':
			for i := 0; !w.broken && w.dec.More(); i++ {
				w.value(pointer + "/" + strconv.Itoa(i))
			}
			w.token() // ]
		}
	}
}

func escapePointer(name string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
}
