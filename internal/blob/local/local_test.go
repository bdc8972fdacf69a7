package local_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/patrolsync/patrolsync/internal/blob"
	"github.com/patrolsync/patrolsync/internal/blob/blobtest"
	"github.com/patrolsync/patrolsync/internal/blob/local"
)

// The base URL's host is a placeholder: the suite sends presigned requests
// to its own httptest server, keeping path and query.
const base = "http://blobs.test/v1/blobs"

var secret = []byte("0123456789abcdef0123456789abcdef")

func TestContract(t *testing.T) {
	blobtest.Run(t,
		func(t *testing.T) (blob.Store, http.Handler) {
			store, err := local.New(t.TempDir(), base, secret)
			if err != nil {
				t.Fatal(err)
			}
			return store, store.Handler()
		},
		// Root ignores permissions, so the store is taken down by removing
		// its directory, as an unmounted volume would.
		func(t *testing.T) blob.Store {
			dir := filepath.Join(t.TempDir(), "blobs")
			store, err := local.New(dir, base, secret)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			return store
		})
}
