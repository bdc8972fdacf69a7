package s3_test

import (
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
			cfg.Endpoint = testenv.DownAddress(t)
			store, err := s3.NewS3(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return store
		})
}
