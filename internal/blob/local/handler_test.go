package local_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/blob/local"
)

// The contract suite covers the happy paths and refused bodies; these are
// the ways a signed URL itself can be misused.
func TestHandlerRefusesMisusedURLs(t *testing.T) {
	store, err := local.New(t.TempDir(), base, secret)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	body := []byte("signature strokes")
	sum := sha256.Sum256(body)
	sha := hex.EncodeToString(sum[:])
	if err := store.Put(ctx, "org/a/sig.png", bytes.NewReader(body), int64(len(body)), "image/png", sha); err != nil {
		t.Fatal(err)
	}
	download, err := store.PresignGet(ctx, "org/a/sig.png", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	upload, err := store.PresignPut(ctx, "org/a/new.png", int64(len(body)), sha, "image/png", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	path := func(u string) string { return strings.TrimPrefix(u, "http://blobs.test") }
	cases := []struct {
		name, method, target string
		headers              map[string]string
		want                 int
	}{
		{"GET URL for another key", http.MethodGet, strings.Replace(path(download), "sig.png", "new.png", 1), nil, http.StatusForbidden},
		{"GET URL used to PUT", http.MethodPut, path(download), upload.Headers, http.StatusForbidden},
		{"PUT URL used to GET", http.MethodGet, path(upload.URL), nil, http.StatusForbidden},
		{"PUT without the checksum header", http.MethodPut, path(upload.URL), map[string]string{"Content-Type": "image/png"}, http.StatusBadRequest},
		{"PUT with another content type", http.MethodPut, path(upload.URL),
			map[string]string{"Content-Type": "text/html", "x-amz-checksum-sha256": upload.Headers["x-amz-checksum-sha256"]}, http.StatusForbidden},
		{"signature stripped", http.MethodGet, strings.Split(path(download), "&sig=")[0], nil, http.StatusForbidden},
		{"traversing key", http.MethodGet, "/v1/blobs/../../etc/passwd?expires=9999999999&sig=00", nil, http.StatusForbidden},
		{"outside the base path", http.MethodGet, "/elsewhere/org/a/sig.png", nil, http.StatusNotFound},
		{"DELETE", http.MethodDelete, path(download), nil, http.StatusMethodNotAllowed},
		{"GET as signed", http.MethodGet, path(download), nil, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			request := httptest.NewRequest(tc.method, tc.target, bytes.NewReader(body))
			for name, value := range tc.headers {
				request.Header.Set(name, value)
			}
			recorder := httptest.NewRecorder()
			store.Handler().ServeHTTP(recorder, request)
			if recorder.Code != tc.want {
				t.Fatalf("%s %s: status %d (%s), want %d", tc.method, tc.target, recorder.Code, recorder.Body, tc.want)
			}
		})
	}
	if _, err := store.Stat(ctx, "org/a/new.png"); err == nil {
		t.Fatal("a refused request stored an object")
	}
}
