package store

import (
	"strings"
	"testing"
)

var referenceQuote = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// referenceArrayLiteral is arrayLiteral's Value as it was first written:
// a strings.Replacer per element.
func referenceArrayLiteral(a []string) string {
	quote := referenceQuote
	var out strings.Builder
	out.WriteByte('{')
	for i, v := range a {
		if i > 0 {
			out.WriteByte(',')
		}
		out.WriteByte('"')
		quote.WriteString(&out, v)
		out.WriteByte('"')
	}
	out.WriteByte('}')
	return out.String()
}

var arrayLiteralCases = []struct {
	name string
	in   []string
	want string
}{
	{"none", nil, `{}`},
	{"empty element", []string{""}, `{""}`},
	{"ids", []string{"0190a3b4-0000-7000-8000-000000000100", "0190A3B4-0000-7000-8000-000000000101"},
		`{"0190a3b4-0000-7000-8000-000000000100","0190A3B4-0000-7000-8000-000000000101"}`},
	{"quote and backslash", []string{`a"b\c`, `\`, `"`, `\\""`}, `{"a\"b\\c","\\","\"","\\\\\"\""}`},
	{"braces, commas, spaces, NULL word", []string{"{a,b}", " x ", "NULL"}, `{"{a,b}"," x ","NULL"}`},
	{"non-ASCII and invalid UTF-8", []string{"中文", "\xff\"\xfe"}, "{\"中文\",\"\xff\\\"\xfe\"}"},
}

// TestArrayLiteral: each literal as written out, and as the Replacer wrote it.
func TestArrayLiteral(t *testing.T) {
	t.Parallel()
	for _, tc := range arrayLiteralCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := arrayLiteral(tc.in).Value()
			if err != nil || got != tc.want || got != referenceArrayLiteral(tc.in) {
				t.Errorf("%q: %q %v, want %q (the Replacer's %q)", tc.in, got, err, tc.want, referenceArrayLiteral(tc.in))
			}
		})
	}
}

// FuzzArrayLiteral holds Value to the Replacer's literal on arbitrary
// elements (the input split at NUL bytes, so that a run has several).
func FuzzArrayLiteral(f *testing.F) {
	for _, tc := range arrayLiteralCases {
		f.Add(strings.Join(tc.in, "\x00"))
	}
	f.Fuzz(func(t *testing.T, joined string) {
		elements := strings.Split(joined, "\x00")
		got, err := arrayLiteral(elements).Value()
		if want := referenceArrayLiteral(elements); err != nil || got != want {
			t.Fatalf("%q: %q %v, the Replacer's %q", elements, got, err, want)
		}
	})
}

// BenchmarkArrayLiteral writes the literal of a push's 40 mutation ids.
func BenchmarkArrayLiteral(b *testing.B) {
	ids := make([]string, 40)
	for i := range ids {
		ids[i] = "0190a3b4-0000-7000-8000-0000000002" + string(rune('a'+i%26)) + "0"
	}
	b.Run("Replacer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = referenceArrayLiteral(ids)
		}
	})
	b.Run("Value", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = arrayLiteral(ids).Value()
		}
	})
}
