package s3_test

import (
	"net"
	"net/http"
	"testing"

	"github.com/patrolsync/patrolsync/internal/blob"
	"github.com/patrolsync/patrolsync/internal/blob/blobtest"
	"github.com/patrolsync/patrolsync/internal/blob/s3"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

func TestContract(t *testing.T) {
	blobtest.Run(t,
		func(t *testing.T) (blob.Store, http.Handler) {
			store, err := s3.NewS3(testenv.S3(t))
			if err != nil {
				t.Fatal(err)
			}
			return store, nil
		},
		func(t *testing.T) blob.Store {
			cfg := testenv.S3(t)
			cfg.Endpoint = closedPort(t)
			store, err := s3.NewS3(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return store
		})
}

// closedPort returns an address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := listener.Addr().String()
	listener.Close()
	return address
}
