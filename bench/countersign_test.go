package main

import (
	"bytes"
	"testing"
)

// countersignItems are the two-person items of the push scenario's plan,
// as media of one inspection.
func countersignItems(tb testing.TB) (*plan, []medium) {
	tb.Helper()
	p := testPlan(tb, defaultPushTemplate, true)
	var media []medium
	for _, m := range p.newMedia(0, newID) {
		if m.item.kind == countersignKind {
			media = append(media, m)
		}
	}
	if len(media) == 0 {
		tb.Fatalf("%s has no two-person item", defaultPushTemplate)
	}
	return p, media
}

// TestCountersignMessage: the spliced message is, byte for byte,
// CountersignSubject.Message for every two-person item, and so is the
// long way's for ids Message lower-cases.
func TestCountersignMessage(t *testing.T) {
	t.Parallel()
	p, media := countersignItems(t)
	for _, tc := range []struct{ name, inspection, signedAt string }{
		{"a fresh id", newID(), "2026-12-06T11:00:00Z"},
		{"upper-case id", "01938F6E-AAAA-7000-8000-000000000001", "2026-12-06T11:00:00Z"},
		{"empty id and time", "", ""},
		{"an offset", newID(), "2026-12-06T19:00:00+08:00"},
		{"a stand-in as the id", "bench-stand-in-signed-at", "bench-stand-in-inspection-id"},
		{"non-ASCII id", "Ünspected", "now\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, m := range media {
				want := p.countersignSubject(m, tc.inspection, tc.signedAt).Message()
				if got := p.countersignMessage(nil, m, tc.inspection, tc.signedAt); !bytes.Equal(got, want) {
					t.Errorf("%s: got\n%q\nMessage is\n%q", m.item.path, got, want)
				}
			}
		})
	}
}

// FuzzCountersignMessage: whatever the id and time, the message is
// Message's.
func FuzzCountersignMessage(f *testing.F) {
	p, media := countersignItems(f)
	f.Add(newID(), "2026-12-06T11:00:00Z")
	f.Add("01938F6E-AAAA-7000-8000-000000000001", "")
	f.Fuzz(func(t *testing.T, inspection, signedAt string) {
		for _, m := range media {
			want := p.countersignSubject(m, inspection, signedAt).Message()
			if got := p.countersignMessage(nil, m, inspection, signedAt); !bytes.Equal(got, want) {
				t.Fatalf("%s: got\n%q\nMessage is\n%q", m.item.path, got, want)
			}
		}
	})
}
