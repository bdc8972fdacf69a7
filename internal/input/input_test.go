package input

import (
	"testing"
	"time"
)

func TestIsUUID(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"0194f2a0-1111-7000-8000-000000000001", true},
		{"0194F2A0-1111-7000-8000-000000000001", true},
		{"", false},
		{"0194f2a011117000800000000000000001", false},
		{"{0194f2a0-1111-7000-8000-000000000001}", false},
		{"urn:uuid:0194f2a0-1111-7000-8000-000000000001", false},
		{"0194f2a0-1111-7000-8000-00000000000g", false},
	}
	for _, tc := range cases {
		if got := IsUUID(tc.in); got != tc.want {
			t.Errorf("IsUUID(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	got := ParseTime("2026-11-26T22:01:00.5+08:00")
	if got == nil || !got.Equal(time.Date(2026, 11, 26, 14, 1, 0, 5e8, time.UTC)) || got.Location() != time.UTC {
		t.Fatalf("ParseTime = %v, want 14:01:00.5 UTC", got)
	}
	for _, bad := range []string{"", "yesterday", "2026-11-26", "2026-11-26 14:01:00"} {
		if got := ParseTime(bad); got != nil {
			t.Errorf("ParseTime(%q) = %v, want nil", bad, got)
		}
	}
}

func TestControlProblems(t *testing.T) {
	cases := []struct {
		doc  string
		want map[string]string
	}{
		{`{"a":"plain","b":"tab\there\nline\r"}`, nil},
		{`{"a":"caf\u00e9 \u4e2d"}`, nil},
		{`{"a":"x\u0000y"}`, map[string]string{"/a": ControlRule}},
		{`{"a":{"b":["ok","bell\u0007"]}}`, map[string]string{"/a/b/1": ControlRule}},
		{`{"a":"back\bspace","c/d":"form\ffeed"}`, map[string]string{"/a": ControlRule, "/c~1d": ControlRule}},
		{`{"k\u0000":"v"}`, map[string]string{"": ControlRule}},
		{`{"a":"\\u0000 is text"}`, nil},
		{`{"a":"DEL \u007f and C1 \u0085 are stored"}`, nil},
		{`["\u001f"]`, map[string]string{"/0": ControlRule}},
	}
	for _, tc := range cases {
		got := ControlProblems([]byte(tc.doc), "")
		if len(got) != len(tc.want) {
			t.Errorf("ControlProblems(%s) = %v, want %v", tc.doc, got, tc.want)
			continue
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("ControlProblems(%s) = %v, want %v", tc.doc, got, tc.want)
			}
		}
	}
	if got := ControlProblems([]byte(`{"t":"\u0000"}`), "/payload"); got["/payload/t"] == "" {
		t.Errorf("prefix not applied: %v", got)
	}
}
