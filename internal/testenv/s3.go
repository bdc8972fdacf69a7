package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/blob/s3"
)

// S3 variables, set by cmd/testrun (make test) or by hand to use another
// S3-compatible server.
const (
	envS3Endpoint  = "TEST_S3_ENDPOINT" // host:port
	envS3AccessKey = "TEST_S3_ACCESS_KEY"
	envS3SecretKey = "TEST_S3_SECRET_KEY"
	envS3Region    = "TEST_S3_REGION" // optional, us-east-1
	envS3Secure    = "TEST_S3_SECURE" // optional, false
)

// S3 returns the config of a fresh, empty bucket on the test S3 server,
// removed with its objects when the test ends. Without the TEST_S3_*
// variables it fails the test: run the tests with `make test`, which
// starts a server. It never skips, so a missing server cannot pass as
// green.
func S3(t testing.TB) s3.S3Config {
	t.Helper()
	cfg, err := s3FromEnv(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Bucket = "test-" + bucketSuffix(t)
	store, err := s3.NewS3(cfg)
	if err != nil {
		t.Fatalf("testenv.S3: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := store.EnsureBucket(ctx); err != nil {
		t.Fatalf("testenv.S3: create bucket %s on %s: %v", cfg.Bucket, cfg.Endpoint, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s3.RemoveBucket(ctx, cfg); err != nil {
			t.Errorf("testenv.S3: remove bucket %s: %v", cfg.Bucket, err)
		}
	})
	return cfg
}

// s3FromEnv reads the server's address and root credentials.
func s3FromEnv(getenv func(string) string) (s3.S3Config, error) {
	cfg := s3.S3Config{
		Endpoint:  getenv(envS3Endpoint),
		AccessKey: getenv(envS3AccessKey),
		SecretKey: getenv(envS3SecretKey),
		Region:    getenv(envS3Region),
	}
	if cfg.Endpoint == "" || cfg.AccessKey == "" || cfg.SecretKey == "" {
		return s3.S3Config{}, errMissingS3
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if secure := getenv(envS3Secure); secure != "" {
		var err error
		if cfg.Secure, err = strconv.ParseBool(secure); err != nil {
			return s3.S3Config{}, errBadSecure
		}
	}
	return cfg, nil
}

type testenvError string

func (e testenvError) Error() string { return string(e) }

const (
	errMissingS3 = testenvError("testenv.S3: TEST_S3_ENDPOINT, TEST_S3_ACCESS_KEY and TEST_S3_SECRET_KEY " +
		"are not set; run the tests with `make test` (go run ./cmd/testrun), which starts an S3 server " +
		"(versitygw) and sets them, or set them to a server of your own")
	errBadSecure = testenvError("testenv.S3: TEST_S3_SECURE must be true or false")
)

// bucketSuffix makes bucket names unique across parallel test processes.
func bucketSuffix(t testing.TB) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("testenv: random: %v", err)
	}
	return hex.EncodeToString(b)
}
