// Package blob defines what the rest of the server knows about object
// storage: the Store contract, the Info and Upload types, and the key and
// checksum rules every implementation enforces the same way. It holds no
// implementation and must never import a vendor SDK: those live in
// blob/local and blob/s3.
package blob

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"io"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
)

// Info describes a stored object.
type Info struct {
	Key         string
	Size        int64
	SHA256      string // lower-case hex; empty when the store does not know it
	ContentType string
	Modified    time.Time
}

// Upload tells a client how to send the bytes of one object itself:
// the request method, the URL, and the headers it must send unchanged.
type Upload struct {
	Method    string
	URL       string
	Headers   map[string]string
	ExpiresAt time.Time
}

// Store is the whole contract an object store offers. Consumers declare
// the smaller interface they need; this one is for wiring and for the
// contract suite in blob/blobtest that every implementation passes.
type Store interface {
	// Put stores exactly size bytes whose SHA-256 is sha256hex. A reader
	// that yields other bytes or another length is refused with Invalid and
	// nothing is left behind.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType, sha256hex string) error
	// Get opens an object; the caller closes it. NotFound when absent.
	Get(ctx context.Context, key string) (io.ReadCloser, Info, error)
	// Stat describes an object. NotFound when absent.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes an object; deleting an absent object succeeds.
	Delete(ctx context.Context, key string) error
	// PresignPut lets a client upload the object directly. The store
	// refuses bytes whose SHA-256 differs from sha256hex.
	PresignPut(ctx context.Context, key string, size int64, sha256hex, contentType string, ttl time.Duration) (Upload, error)
	// PresignGet returns a URL that downloads the object until ttl passes.
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)
	// Ping reports Unavailable when the store cannot serve requests.
	Ping(ctx context.Context) error
	// Multipart carries large objects part by part (see multipart.go).
	Multipart
}

// ChecksumHeader is the S3 header carrying the base64 SHA-256 of a body.
// Both stores demand it on presigned uploads so a corrupt upload never lands.
const ChecksumHeader = "x-amz-checksum-sha256"

// MaxKeyLength is the longest key accepted, S3's own limit.
const MaxKeyLength = 1024

// CheckKey refuses keys that could escape a directory or confuse an object
// store: empty, too long, absolute, with empty, "." or ".." segments, or
// with characters outside [A-Za-z0-9._=-] and the "/" separator.
func CheckKey(op, key string) error {
	if key == "" || len(key) > MaxKeyLength {
		return errs.E(op, errs.Invalid, "blob key must be 1 to 1024 bytes", map[string]string{"key": "length"})
	}
	for _, segment := range strings.Split(key, "/") {
		if segment == "" || segment == "." || segment == ".." {
			return errs.E(op, errs.Invalid, "blob key has an empty, '.' or '..' segment", map[string]string{"key": "segment"})
		}
		for _, c := range segment {
			if !keyRune(c) {
				return errs.E(op, errs.Invalid, "blob key has a character outside [A-Za-z0-9._=-/]", map[string]string{"key": "character"})
			}
		}
	}
	return nil
}

func keyRune(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '-' || c == '='
}

// CheckSHA256 parses a hex SHA-256 (either case) and returns its 32 bytes.
func CheckSHA256(op, sha256hex string) ([]byte, error) {
	sum, err := hex.DecodeString(sha256hex)
	if err != nil || len(sum) != 32 {
		return nil, errs.E(op, errs.Invalid, "sha256 must be 64 hex digits", map[string]string{"sha256": "format"})
	}
	return sum, nil
}

// ChecksumBase64 converts a hex SHA-256 to the base64 form S3 headers use.
func ChecksumBase64(op, sha256hex string) (string, error) {
	sum, err := CheckSHA256(op, sha256hex)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sum), nil
}

// ChecksumHex converts the base64 form S3 headers use to lower-case hex;
// it returns "" when the value is not a base64 SHA-256.
func ChecksumHex(b64 string) string {
	sum, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sum) != 32 {
		return ""
	}
	return hex.EncodeToString(sum)
}

// CheckPut validates the arguments shared by Put and PresignPut.
func CheckPut(op, key string, size int64, sha256hex string) error {
	if err := CheckKey(op, key); err != nil {
		return err
	}
	if size < 0 {
		return errs.E(op, errs.Invalid, "size must not be negative", map[string]string{"size": "negative"})
	}
	_, err := CheckSHA256(op, sha256hex)
	return err
}

// MaxTTL is the longest a presigned URL may live, S3's own limit.
const MaxTTL = 7 * 24 * time.Hour

// CheckTTL refuses presign lifetimes S3 would refuse: under a second or
// over seven days.
func CheckTTL(op string, ttl time.Duration) error {
	if ttl < time.Second || ttl > MaxTTL {
		return errs.E(op, errs.Invalid, "ttl must be between one second and seven days", map[string]string{"ttl": "range"})
	}
	return nil
}
