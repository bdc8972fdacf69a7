// Package blobtest is the one contract every blob.Store implementation
// passes, run from each implementation's tests against a real backend.
// It must never be imported by non-test code.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/blob"
	"github.com/patrolsync/patrolsync/internal/errs"
)

// NewStore makes a fresh, empty store for one test. Handler is what serves
// its presigned URLs when the store itself does (blob/local), nil when the
// URLs point at an object store (blob/s3). The suite serves a non-nil
// handler with httptest and sends presigned requests there, keeping their
// path and query.
type NewStore func(t *testing.T) (blob.Store, http.Handler)

// NewDownStore makes a store whose backend is gone (a closed port, a
// removed directory); every call on it must answer Unavailable.
type NewDownStore func(t *testing.T) blob.Store

// Run checks the whole blob.Store contract.
func Run(t *testing.T, newStore NewStore, newDownStore NewDownStore) {
	cases := []struct {
		name string
		test func(t *testing.T, h *harness)
	}{
		{"put get stat", testPutGetStat},
		{"empty object", testEmptyObject},
		{"overwrite", testOverwrite},
		{"put sha256 mismatch", testPutMismatch},
		{"put wrong size", testPutWrongSize},
		{"refused put keeps the old object", testRefusedPutKeepsOld},
		{"missing object", testMissing},
		{"delete", testDelete},
		{"invalid arguments", testInvalidArguments},
		{"presigned put then get", testPresignedPutGet},
		{"presigned put sha256 mismatch", testPresignedPutMismatch},
		{"presigned put tampered checksum", testPresignedPutTampered},
		{"presigned put wrong size", testPresignedPutWrongSize},
		{"presign expired", testPresignExpired},
		{"ping", testPing},
		{"multipart resume", testMultipartResume},
		{"multipart abort", testMultipartAbort},
		{"multipart missing part", testMultipartMissingPart},
		{"multipart invalid arguments", testMultipartInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, newHarness(t, newStore))
		})
	}
	t.Run("store down", func(t *testing.T) {
		t.Parallel()
		testDown(t, newDownStore(t))
	})
}

// harness is one store and where its presigned URLs are served.
type harness struct {
	store  blob.Store
	server *httptest.Server // nil for stores whose URLs are absolute
	ctx    context.Context
}

func newHarness(t *testing.T, newStore NewStore) *harness {
	store, handler := newStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	h := &harness{store: store, ctx: ctx}
	if handler != nil {
		h.server = httptest.NewServer(handler)
		t.Cleanup(h.server.Close)
	}
	return h
}

// object is a payload and its digest.
type object struct {
	key         string
	body        []byte
	sha256      string
	contentType string
}

func newObject(t *testing.T, key string, size int) object {
	t.Helper()
	body := make([]byte, size)
	if _, err := rand.Read(body); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	return object{key: key, body: body, sha256: hex.EncodeToString(sum[:]), contentType: "image/jpeg"}
}

func (h *harness) put(t *testing.T, o object) {
	t.Helper()
	if err := h.store.Put(h.ctx, o.key, bytes.NewReader(o.body), int64(len(o.body)), o.contentType, o.sha256); err != nil {
		t.Fatalf("Put(%q): %v", o.key, err)
	}
}

// send makes a real HTTP request to a presigned URL.
func (h *harness) send(t *testing.T, method, rawURL string, headers map[string]string, body []byte) (int, []byte) {
	t.Helper()
	target, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("presigned URL %q: %v", rawURL, err)
	}
	if h.server != nil {
		served, _ := url.Parse(h.server.URL)
		target.Scheme, target.Host = served.Scheme, served.Host
	}
	request, err := http.NewRequestWithContext(h.ctx, method, target.String(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		request.Body, request.ContentLength = http.NoBody, 0
	}
	for name, value := range headers {
		request.Header.Set(name, value)
	}
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target.Redacted(), err)
	}
	defer response.Body.Close()
	answer, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatalf("%s %s: read answer: %v", method, target.Redacted(), err)
	}
	return response.StatusCode, answer
}

// wantKind fails unless err is classified as kind.
func wantKind(t *testing.T, what string, err error, kind errs.Kind) {
	t.Helper()
	if !errs.Is(err, kind) {
		t.Fatalf("%s: want a %s error, got %v (kind %s)", what, kind, err, errs.KindOf(err))
	}
}

// wantAbsent fails unless the key is absent.
func (h *harness) wantAbsent(t *testing.T, key string) {
	t.Helper()
	_, err := h.store.Stat(h.ctx, key)
	wantKind(t, "Stat of "+key, err, errs.NotFound)
}

// wantStored fails unless the key holds exactly o.
func (h *harness) wantStored(t *testing.T, o object) {
	t.Helper()
	info, err := h.store.Stat(h.ctx, o.key)
	if err != nil {
		t.Fatalf("Stat(%q): %v", o.key, err)
	}
	wantInfo(t, "Stat", info, o)
	reader, info, err := h.store.Get(h.ctx, o.key)
	if err != nil {
		t.Fatalf("Get(%q): %v", o.key, err)
	}
	defer reader.Close()
	wantInfo(t, "Get", info, o)
	got, err := io.ReadAll(reader)
	if err != nil {
		t.Fatalf("Get(%q): read: %v", o.key, err)
	}
	if !bytes.Equal(got, o.body) {
		t.Fatalf("Get(%q): got %d bytes that differ from the %d stored", o.key, len(got), len(o.body))
	}
}

func wantInfo(t *testing.T, what string, info blob.Info, o object) {
	t.Helper()
	if info.Key != o.key || info.Size != int64(len(o.body)) || info.SHA256 != o.sha256 || info.ContentType != o.contentType {
		t.Fatalf("%s: got {key %q size %d sha256 %s type %q}, want {key %q size %d sha256 %s type %q}", what,
			info.Key, info.Size, info.SHA256, info.ContentType, o.key, len(o.body), o.sha256, o.contentType)
	}
	if age := time.Since(info.Modified); age < -time.Minute || age > time.Minute {
		t.Fatalf("%s: Modified %v is not about now", what, info.Modified)
	}
}

// checksumOf is the base64 digest header value for body.
func checksumOf(t *testing.T, body []byte) string {
	t.Helper()
	sum := sha256.Sum256(body)
	value, err := blob.ChecksumBase64("blobtest", hex.EncodeToString(sum[:]))
	if err != nil {
		t.Fatal(err)
	}
	return value
}

// clientError reports a 4xx answer, what S3 gives a refused upload.
func clientError(status int) bool { return status >= 400 && status < 500 }

// summary shortens an error body for a failure message.
func summary(body []byte) string {
	s := strings.TrimSpace(string(body))
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
