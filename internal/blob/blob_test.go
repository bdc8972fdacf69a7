package blob_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/patrolsync/patrolsync/internal/blob"
	"github.com/patrolsync/patrolsync/internal/errs"
)

func TestCheckKey(t *testing.T) {
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{"org/0190a1b2/photo.jpg", true},
		{"a=b_c-d.e", true},
		{strings.Repeat("k", blob.MaxKeyLength), true},
		{strings.Repeat("k", blob.MaxKeyLength+1), false},
		{"", false},
		{"..", false},
		{"a/../b", false},
		{"./a", false},
		{"/a", false},
		{"a/", false},
		{"a//b", false},
		{`a\b`, false},
		{"a b", false},
		{"é", false},
	} {
		err := blob.CheckKey("test", tc.key)
		if (err == nil) != tc.ok {
			t.Errorf("CheckKey(%q) = %v, want ok=%v", tc.key, err, tc.ok)
		}
		if err != nil && !errs.Is(err, errs.Invalid) {
			t.Errorf("CheckKey(%q): kind %s, want invalid", tc.key, errs.KindOf(err))
		}
	}
}

func TestVerify(t *testing.T) {
	body := []byte("the quick brown fox")
	sum := sha256.Sum256(body)
	good := hex.EncodeToString(sum[:])
	for _, tc := range []struct {
		name   string
		reader io.Reader
		size   int64
		sha    string
		ok     bool
	}{
		{"exact", bytes.NewReader(body), int64(len(body)), good, true},
		{"upper-case digest", bytes.NewReader(body), int64(len(body)), strings.ToUpper(good), true},
		{"one byte at a time", iotest.OneByteReader(bytes.NewReader(body)), int64(len(body)), good, true},
		{"short body", bytes.NewReader(body[:5]), int64(len(body)), good, false},
		{"long body", bytes.NewReader(append(bytes.Clone(body), '!')), int64(len(body)), good, false},
		{"wrong digest", bytes.NewReader(body), int64(len(body)), strings.Repeat("0", 64), false},
		{"empty", bytes.NewReader(nil), 0, hex.EncodeToString(sha256.New().Sum(nil)), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := io.ReadAll(blob.Verify("test", tc.reader, tc.size, tc.sha))
			if tc.ok && (err != nil || !bytes.Equal(got, body[:tc.size])) {
				t.Fatalf("got %q, %v; want the body and no error", got, err)
			}
			if !tc.ok && !errs.Is(err, errs.Invalid) {
				t.Fatalf("got %v, want an invalid error", err)
			}
		})
	}
}

func TestChecksumRoundTrip(t *testing.T) {
	hexSum := strings.Repeat("ab", 32)
	b64, err := blob.ChecksumBase64("test", hexSum)
	if err != nil {
		t.Fatal(err)
	}
	if back := blob.ChecksumHex(b64); back != hexSum {
		t.Fatalf("ChecksumHex(ChecksumBase64(%s)) = %s", hexSum, back)
	}
	if blob.ChecksumHex("not base64!") != "" {
		t.Fatal("ChecksumHex accepted garbage")
	}
}
