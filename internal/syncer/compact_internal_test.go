package syncer

import (
	"bytes"
	"encoding/json"
	"testing"
)

// referenceCompactPayload is compactPayload as the stored body hashes were
// first made: json.Compact of every payload, the payload as it came when
// it is not JSON.
func referenceCompactPayload(payload []byte) []byte {
	var out bytes.Buffer
	if json.Compact(&out, payload) != nil {
		return payload
	}
	return out.Bytes()
}

var compactCases = []struct {
	name    string
	payload string
	spaced  bool // whitespace outside strings
}{
	{"empty", ``, false},
	{"compact object", `{"path":"/a","answer":{"value":"yes"}}`, false},
	{"space inside a string", `{"note":"checked at the east door"}`, false},
	{"every JSON space inside strings", "{\"a\":\"x y\",\"b\":\"\\t\\n\",\"c\":\"\\\" \\\\\"}", false},
	{"raw tab inside a string (not JSON)", "{\"a\":\"x\ty\"}", false},
	{"space after an escaped quote", `{"a":"say \" hi"}`, false},
	{"escaped backslash then space outside", `{"a":"\\" , "b":1}`, true},
	{"space between members", `{"a":1, "b":2}`, true},
	{"leading newline", "\n{}", true},
	{"trailing CR", "[1]\r", true},
	{"tab in an array", "[1,\t2]", true},
	{"unterminated string", `{"a":"x y`, false},
	{"backslash at the end", `"\`, false},
	{"not JSON with a space", `{"a": nope }`, true},
	{"not JSON without a space", `{"a":`, false},
	{"non-ASCII and NUL", "{\"\u00e4\":\"\u4e2d \u6587\",\"n\":\"\\u0000\"}", false},
	{"space only", ` `, true},
	{"form feed is not JSON space", "{\"a\":1}\f", false},
}

func TestCompactPayloadIsJSONCompact(t *testing.T) {
	for _, tc := range compactCases {
		t.Run(tc.name, func(t *testing.T) {
			payload := []byte(tc.payload)
			if got := hasSpaceOutsideStrings(payload); got != tc.spaced {
				t.Errorf("hasSpaceOutsideStrings(%q) = %v, want %v", tc.payload, got, tc.spaced)
			}
			if got, want := compactPayload(payload), referenceCompactPayload(payload); !bytes.Equal(got, want) {
				t.Errorf("compactPayload(%q) = %q, json.Compact made %q", tc.payload, got, want)
			}
		})
	}
}

// FuzzCompactPayload holds compactPayload to json.Compact on arbitrary
// bytes: the body hash of every stored mutation was made with the latter.
func FuzzCompactPayload(f *testing.F) {
	for _, tc := range compactCases {
		f.Add([]byte(tc.payload))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if got, want := compactPayload(payload), referenceCompactPayload(payload); !bytes.Equal(got, want) {
			t.Errorf("compactPayload(%q) = %q, json.Compact made %q", payload, got, want)
		}
	})
}

// BenchmarkCompactPayload compacts the 32 payloads of one inspection, as
// the load tool sends them: their notes hold spaces inside strings.
func BenchmarkCompactPayload(b *testing.B) {
	push := pushOfOneInspection()
	for _, v := range []struct {
		name    string
		compact func([]byte) []byte
	}{{"json.Compact", referenceCompactPayload}, {"compactPayload", compactPayload}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, m := range push {
					v.compact(m.Payload)
				}
			}
		})
	}
}
