package blobtest

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/blob"
	"github.com/patrolsync/patrolsync/internal/errs"
)

// sendParts uploads the given parts (1-based numbers) of body through
// presigned part URLs.
func (h *harness) sendParts(t *testing.T, key, uploadID string, body []byte, size int, numbers ...int) {
	t.Helper()
	for _, number := range numbers {
		upload, err := h.store.PresignPart(h.ctx, key, uploadID, number, time.Minute)
		if err != nil {
			t.Fatalf("PresignPart(%d): %v", number, err)
		}
		start := (number - 1) * size
		end := min(start+size, len(body))
		if status, answer := h.send(t, upload.Method, upload.URL, upload.Headers, body[start:end]); status != http.StatusOK {
			t.Fatalf("PUT part %d: status %d: %s", number, status, summary(answer))
		}
	}
}

func (h *harness) wantParts(t *testing.T, key, uploadID string, want ...int) []blob.Part {
	t.Helper()
	parts, err := h.store.ListParts(h.ctx, key, uploadID)
	if err != nil {
		t.Fatalf("ListParts: %v", err)
	}
	var got []int
	for _, part := range parts {
		got = append(got, part.Number)
	}
	if len(got) != len(want) {
		t.Fatalf("ListParts: got parts %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ListParts: got parts %v, want %v", got, want)
		}
	}
	return parts
}

func (h *harness) incomplete(t *testing.T, prefix, uploadID string) bool {
	t.Helper()
	uploads, err := h.store.ListIncomplete(h.ctx, prefix)
	if err != nil {
		t.Fatalf("ListIncomplete: %v", err)
	}
	for _, upload := range uploads {
		if upload.UploadID == uploadID {
			return true
		}
	}
	return false
}

// A client sends part 1, loses its link, asks which parts arrived and
// sends only the rest; the joined object is the whole body.
func testMultipartResume(t *testing.T, h *harness) {
	o := newObject(t, "multipart/resumed", 2*blob.MinPartSize+1000)
	uploadID, err := h.store.StartMultipart(h.ctx, o.key, o.contentType)
	if err != nil {
		t.Fatalf("StartMultipart: %v", err)
	}
	h.sendParts(t, o.key, uploadID, o.body, blob.MinPartSize, 1)
	h.wantParts(t, o.key, uploadID, 1)
	if !h.incomplete(t, "multipart/", uploadID) {
		t.Fatal("ListIncomplete does not list the open upload")
	}
	h.sendParts(t, o.key, uploadID, o.body, blob.MinPartSize, 2, 3)
	parts := h.wantParts(t, o.key, uploadID, 1, 2, 3)
	if parts[0].Size != blob.MinPartSize || parts[2].Size != 1000 {
		t.Fatalf("ListParts sizes: %+v", parts)
	}
	if err := h.store.CompleteMultipart(h.ctx, o.key, uploadID, parts); err != nil {
		t.Fatalf("CompleteMultipart: %v", err)
	}
	reader, info, err := h.store.Get(h.ctx, o.key)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	defer reader.Close()
	got, err := io.ReadAll(reader)
	if err != nil || !bytes.Equal(got, o.body) || info.Size != int64(len(o.body)) || info.ContentType != o.contentType {
		t.Fatalf("Get after multipart: %d bytes (equal %v), info %+v, err %v", len(got), bytes.Equal(got, o.body), info, err)
	}
	if h.incomplete(t, "multipart/", uploadID) {
		t.Fatal("a completed upload is still listed as incomplete")
	}
}

func testMultipartAbort(t *testing.T, h *harness) {
	o := newObject(t, "multipart/aborted", 1000)
	uploadID, err := h.store.StartMultipart(h.ctx, o.key, o.contentType)
	if err != nil {
		t.Fatalf("StartMultipart: %v", err)
	}
	h.sendParts(t, o.key, uploadID, o.body, 1000, 1)
	for i := range 2 { // aborting twice is fine
		if err := h.store.AbortMultipart(h.ctx, o.key, uploadID); err != nil {
			t.Fatalf("AbortMultipart #%d: %v", i+1, err)
		}
	}
	_, err = h.store.ListParts(h.ctx, o.key, uploadID)
	wantKind(t, "ListParts of an aborted upload", err, errs.NotFound)
	if h.incomplete(t, "multipart/", uploadID) {
		t.Fatal("an aborted upload is still listed")
	}
	h.wantAbsent(t, o.key)
}

func testMultipartMissingPart(t *testing.T, h *harness) {
	o := newObject(t, "multipart/gap", 2*blob.MinPartSize)
	uploadID, err := h.store.StartMultipart(h.ctx, o.key, o.contentType)
	if err != nil {
		t.Fatalf("StartMultipart: %v", err)
	}
	h.sendParts(t, o.key, uploadID, o.body, blob.MinPartSize, 2)
	parts := h.wantParts(t, o.key, uploadID, 2)
	claimed := []blob.Part{{Number: 1, Size: blob.MinPartSize, ETag: parts[0].ETag}, parts[0]}
	err = h.store.CompleteMultipart(h.ctx, o.key, uploadID, claimed)
	wantKind(t, "CompleteMultipart with a part never sent", err, errs.Invalid)
	h.wantAbsent(t, o.key)
	if err := h.store.AbortMultipart(h.ctx, o.key, uploadID); err != nil {
		t.Fatalf("AbortMultipart: %v", err)
	}
}

func testMultipartInvalid(t *testing.T, h *harness) {
	for _, number := range []int{0, -1, blob.MaxParts + 1} {
		_, err := h.store.PresignPart(h.ctx, "k", strings.Repeat("a", 32), number, time.Minute)
		wantKind(t, "PresignPart with a bad part number", err, errs.Invalid)
	}
	_, err := h.store.StartMultipart(h.ctx, "../escape", "image/jpeg")
	wantKind(t, "StartMultipart with a bad key", err, errs.Invalid)
}
