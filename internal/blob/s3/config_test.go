package s3_test

import (
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/internal/blob/s3"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want s3.S3Config
		ok   bool
	}{
		{
			raw:  "s3://media?endpoint=127.0.0.1:9000&region=eu-west-1&secure=false&access_key=ak&secret_key=sk",
			want: s3.S3Config{Endpoint: "127.0.0.1:9000", Region: "eu-west-1", Bucket: "media", AccessKey: "ak", SecretKey: "sk"},
			ok:   true,
		},
		{
			raw:  "s3://media",
			want: s3.S3Config{Endpoint: "s3.amazonaws.com", Region: "us-east-1", Bucket: "media", Secure: true},
			ok:   true,
		},
		{raw: "http://media", ok: false},
		{raw: "s3://", ok: false},
		{raw: "s3://media/path", ok: false},
		{raw: "s3://media?secure=maybe", ok: false},
	} {
		got, err := s3.ParseURL(tc.raw)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v, ok=%v", tc.raw, got, err, tc.want, tc.ok)
		}
	}
}

func TestConfigStringMasksSecret(t *testing.T) {
	cfg := s3.S3Config{Bucket: "b", Endpoint: "e:1", SecretKey: "hunter2"}
	if s := cfg.String(); strings.Contains(s, "hunter2") {
		t.Fatalf("String() leaks the secret: %s", s)
	}
}
