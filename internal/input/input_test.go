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
