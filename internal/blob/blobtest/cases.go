package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/blob"
	"github.com/patrolsync/patrolsync/internal/errs"
)

func testPutGetStat(t *testing.T, h *harness) {
	o := newObject(t, "org-1/inspections/0190a1b2-c3d4/photo_1.jpg", 100_000)
	h.put(t, o)
	h.wantStored(t, o)
}

func testEmptyObject(t *testing.T, h *harness) {
	o := newObject(t, "empty", 0)
	h.put(t, o)
	h.wantStored(t, o)
}

func testOverwrite(t *testing.T, h *harness) {
	first := newObject(t, "same/key", 10)
	second := newObject(t, "same/key", 20)
	second.contentType = "image/png"
	h.put(t, first)
	h.put(t, second)
	h.wantStored(t, second)
}

func testPutMismatch(t *testing.T, h *harness) {
	o := newObject(t, "mismatch", 1000)
	other := newObject(t, "other", 1000)
	err := h.store.Put(h.ctx, o.key, bytes.NewReader(o.body), int64(len(o.body)), o.contentType, other.sha256)
	wantKind(t, "Put with another body's sha256", err, errs.Invalid)
	h.wantAbsent(t, o.key)
}

func testPutWrongSize(t *testing.T, h *harness) {
	o := newObject(t, "sized", 1000)
	for _, tc := range []struct {
		name string
		size int64
	}{{"declared larger", 1001}, {"declared smaller", 999}} {
		err := h.store.Put(h.ctx, o.key, bytes.NewReader(o.body), tc.size, o.contentType, o.sha256)
		wantKind(t, "Put "+tc.name, err, errs.Invalid)
		h.wantAbsent(t, o.key)
	}
}

func testRefusedPutKeepsOld(t *testing.T, h *harness) {
	old := newObject(t, "kept", 500)
	h.put(t, old)
	bad := newObject(t, "kept", 500)
	err := h.store.Put(h.ctx, bad.key, bytes.NewReader(bad.body), int64(len(bad.body)), bad.contentType, old.sha256)
	wantKind(t, "Put with a wrong sha256 over an object", err, errs.Invalid)
	h.wantStored(t, old)
}

func testMissing(t *testing.T, h *harness) {
	h.wantAbsent(t, "never/put")
	_, _, err := h.store.Get(h.ctx, "never/put")
	wantKind(t, "Get of a missing key", err, errs.NotFound)
}

func testDelete(t *testing.T, h *harness) {
	o := newObject(t, "doomed", 10)
	h.put(t, o)
	for i := range 2 { // the second delete finds nothing and still succeeds
		if err := h.store.Delete(h.ctx, o.key); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
		h.wantAbsent(t, o.key)
	}
}

func testInvalidArguments(t *testing.T, h *harness) {
	o := newObject(t, "fine", 1)
	for _, key := range []string{"", "../escape", "a/../../b", "/absolute", "a//b", "a/./b", "back\\slash", "nul\x00", "sp ace"} {
		err := h.store.Put(h.ctx, key, bytes.NewReader(o.body), 1, o.contentType, o.sha256)
		wantKind(t, "Put with key "+key, err, errs.Invalid)
		_, err = h.store.Stat(h.ctx, key)
		wantKind(t, "Stat with key "+key, err, errs.Invalid)
		_, _, err = h.store.Get(h.ctx, key)
		wantKind(t, "Get with key "+key, err, errs.Invalid)
		wantKind(t, "Delete with key "+key, h.store.Delete(h.ctx, key), errs.Invalid)
		_, err = h.store.PresignPut(h.ctx, key, 1, o.sha256, o.contentType, time.Minute)
		wantKind(t, "PresignPut with key "+key, err, errs.Invalid)
	}
	err := h.store.Put(h.ctx, o.key, bytes.NewReader(o.body), 1, o.contentType, "not-hex")
	wantKind(t, "Put with a malformed sha256", err, errs.Invalid)
	_, err = h.store.PresignPut(h.ctx, o.key, 1, o.sha256, o.contentType, 8*24*time.Hour)
	wantKind(t, "PresignPut for eight days", err, errs.Invalid)
	h.wantAbsent(t, o.key)
}

func testPresignedPutGet(t *testing.T, h *harness) {
	o := newObject(t, "org-1/media/signature.png", 70_000)
	o.contentType = "image/png"
	upload, err := h.store.PresignPut(h.ctx, o.key, int64(len(o.body)), o.sha256, o.contentType, time.Minute)
	if err != nil {
		t.Fatalf("PresignPut: %v", err)
	}
	if upload.Method != http.MethodPut || time.Until(upload.ExpiresAt) <= 0 || time.Until(upload.ExpiresAt) > 2*time.Minute {
		t.Fatalf("PresignPut: got method %q expiring %v, want PUT in about a minute", upload.Method, upload.ExpiresAt)
	}
	if got := upload.Headers[blob.ChecksumHeader]; got != checksumOf(t, o.body) {
		t.Fatalf("PresignPut: %s header is %q, want %q", blob.ChecksumHeader, got, checksumOf(t, o.body))
	}
	if status, answer := h.send(t, upload.Method, upload.URL, upload.Headers, o.body); status != http.StatusOK {
		t.Fatalf("presigned PUT: status %d: %s", status, summary(answer))
	}
	h.wantStored(t, o)
	download, err := h.store.PresignGet(h.ctx, o.key, time.Minute)
	if err != nil {
		t.Fatalf("PresignGet: %v", err)
	}
	status, body := h.send(t, http.MethodGet, download, nil, nil)
	if status != http.StatusOK || !bytes.Equal(body, o.body) {
		t.Fatalf("presigned GET: status %d with %d bytes, want 200 with the %d uploaded", status, len(body), len(o.body))
	}
}

func testPresignedPutMismatch(t *testing.T, h *harness) {
	o := newObject(t, "presigned/mismatch", 2000)
	upload, err := h.store.PresignPut(h.ctx, o.key, int64(len(o.body)), o.sha256, o.contentType, time.Minute)
	if err != nil {
		t.Fatalf("PresignPut: %v", err)
	}
	corrupt := bytes.Clone(o.body)
	corrupt[len(corrupt)/2] ^= 0xff
	status, answer := h.send(t, upload.Method, upload.URL, upload.Headers, corrupt)
	if status != http.StatusBadRequest {
		t.Fatalf("presigned PUT of corrupt bytes: status %d (%s), want 400", status, summary(answer))
	}
	h.wantAbsent(t, o.key)
}

// A client cannot make a corrupt body pass by sending that body's own
// checksum: the declared one is part of the signature.
func testPresignedPutTampered(t *testing.T, h *harness) {
	o := newObject(t, "presigned/tampered", 2000)
	upload, err := h.store.PresignPut(h.ctx, o.key, int64(len(o.body)), o.sha256, o.contentType, time.Minute)
	if err != nil {
		t.Fatalf("PresignPut: %v", err)
	}
	other := newObject(t, o.key, 2000)
	headers := map[string]string{}
	for name, value := range upload.Headers {
		headers[name] = value
	}
	headers[blob.ChecksumHeader] = checksumOf(t, other.body)
	status, answer := h.send(t, upload.Method, upload.URL, headers, other.body)
	if !clientError(status) {
		t.Fatalf("presigned PUT with a swapped checksum: status %d (%s), want 4xx", status, summary(answer))
	}
	h.wantAbsent(t, o.key)
}

func testPresignedPutWrongSize(t *testing.T, h *harness) {
	o := newObject(t, "presigned/short", 2000)
	upload, err := h.store.PresignPut(h.ctx, o.key, int64(len(o.body)), o.sha256, o.contentType, time.Minute)
	if err != nil {
		t.Fatalf("PresignPut: %v", err)
	}
	for _, body := range [][]byte{o.body[:1999], append(bytes.Clone(o.body), 0)} {
		status, answer := h.send(t, upload.Method, upload.URL, upload.Headers, body)
		if !clientError(status) {
			t.Fatalf("presigned PUT of %d bytes for %d: status %d (%s), want 4xx", len(body), len(o.body), status, summary(answer))
		}
		h.wantAbsent(t, o.key)
	}
}

// testPresignExpired waits, by polling, until a one-second URL is refused,
// then checks that uploads and downloads through expired URLs fail.
func testPresignExpired(t *testing.T, h *harness) {
	stored := newObject(t, "expiring/get", 10)
	h.put(t, stored)
	o := newObject(t, "expiring/put", 10)
	upload, err := h.store.PresignPut(h.ctx, o.key, int64(len(o.body)), o.sha256, o.contentType, time.Second)
	if err != nil {
		t.Fatalf("PresignPut: %v", err)
	}
	download, err := h.store.PresignGet(h.ctx, stored.key, time.Second)
	if err != nil {
		t.Fatalf("PresignGet: %v", err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		status, _ := h.send(t, http.MethodGet, download, nil, nil)
		if status == http.StatusForbidden {
			break
		}
		if status != http.StatusOK || time.Now().After(deadline) {
			t.Fatalf("presigned GET with a 1s lifetime: status %d, still not 403 at the deadline", status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	status, answer := h.send(t, upload.Method, upload.URL, upload.Headers, o.body)
	if status != http.StatusForbidden {
		t.Fatalf("expired presigned PUT: status %d (%s), want 403", status, summary(answer))
	}
	h.wantAbsent(t, o.key)
}

func testPing(t *testing.T, h *harness) {
	if err := h.store.Ping(h.ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testDown(t *testing.T, store blob.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	body := []byte("x")
	sum := sha256.Sum256(body)
	sha := hex.EncodeToString(sum[:])
	wantKind(t, "Ping", store.Ping(ctx), errs.Unavailable)
	wantKind(t, "Put", store.Put(ctx, "k", bytes.NewReader(body), 1, "text/plain", sha), errs.Unavailable)
	_, err := store.Stat(ctx, "k")
	wantKind(t, "Stat", err, errs.Unavailable)
	_, _, err = store.Get(ctx, "k")
	wantKind(t, "Get", err, errs.Unavailable)
	wantKind(t, "Delete", store.Delete(ctx, "k"), errs.Unavailable)
	_, err = store.StartMultipart(ctx, "k", "text/plain")
	wantKind(t, "StartMultipart", err, errs.Unavailable)
}
