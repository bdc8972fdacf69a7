package s3_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/blob/s3"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// BenchmarkUpload compares what a phone does (a PUT to a presigned URL
// carrying the signed x-amz-checksum-sha256) with a direct minio-go
// PutObject of the same bytes, against the real S3 server, so that the
// cost of keeping the API out of the data path is known. Compare the MB/s
// of the two sub-benchmarks per size; docs/benchmarks.md records them.
func BenchmarkUpload(b *testing.B) {
	store, err := s3.NewS3(testenv.S3(b))
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{256 << 10, 4 << 20} {
		body := make([]byte, size)
		rand.Read(body)
		sum := sha256.Sum256(body)
		digest := hex.EncodeToString(sum[:])
		b.Run(fmt.Sprintf("presigned/%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			for i := 0; b.Loop(); i++ {
				presignedPut(b, store, fmt.Sprintf("bench/presigned/%d", i), body, digest)
			}
		})
		b.Run(fmt.Sprintf("direct/%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			for i := 0; b.Loop(); i++ {
				directPut(b, store, fmt.Sprintf("bench/direct/%d", i), body, digest)
			}
		})
	}
}

func presignedPut(b *testing.B, store *s3.S3, key string, body []byte, digest string) {
	upload, err := store.PresignPut(context.Background(), key, int64(len(body)), digest, "image/jpeg", time.Minute)
	if err != nil {
		b.Fatal(err)
	}
	request, err := http.NewRequest(upload.Method, upload.URL, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	for name, value := range upload.Headers {
		request.Header.Set(name, value)
	}
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, response.Body)
	response.Body.Close()
	if response.StatusCode != http.StatusOK {
		b.Fatalf("presigned PUT: status %d", response.StatusCode)
	}
}

// directPut is the same upload through minio-go's PutObject.
func directPut(b *testing.B, store *s3.S3, key string, body []byte, digest string) {
	if err := s3.DirectPut(context.Background(), store, key, body, digest); err != nil {
		b.Fatal(err)
	}
}
