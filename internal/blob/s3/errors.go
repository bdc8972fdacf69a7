package s3

import (
	"context"
	"errors"
	"net"
	"syscall"

	"github.com/minio/minio-go/v7"
	"github.com/patrolsync/patrolsync/internal/errs"
)

// codes classifies the S3 error codes whose meaning is known. Anything else
// from a 5xx is Unavailable and from a 4xx Internal (a bug of ours).
var codes = map[string]errs.Kind{
	"NoSuchKey":                    errs.NotFound,
	"NoSuchBucket":                 errs.Unavailable, // misconfigured or wiped store
	"BadDigest":                    errs.Invalid,
	"InvalidDigest":                errs.Invalid,
	"XAmzContentChecksumMismatch":  errs.Invalid,
	"XAmzContentSHA256Mismatch":    errs.Invalid,
	"IncompleteBody":               errs.Invalid,
	"EntityTooLarge":               errs.TooLarge,
	"AccessDenied":                 errs.Unavailable, // wrong credentials: the store is unusable
	"InvalidAccessKeyId":           errs.Unavailable,
	"SignatureDoesNotMatch":        errs.Unavailable,
	"SlowDown":                     errs.Unavailable,
	"ServiceUnavailable":           errs.Unavailable,
	"RequestTimeout":               errs.Unavailable,
	"InternalError":                errs.Unavailable,
	"XMinioServerNotInitialized":   errs.Unavailable,
	"InvalidChecksumPart":          errs.Invalid,
	"XAmzChecksumMismatch":         errs.Invalid,
	"MissingContentLength":         errs.Invalid,
	"XAmzContentChecksumAlgorithm": errs.Invalid,
}

// translate classifies a minio-go error; errors we raised ourselves (the
// body verifier) keep their kind.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var classified *errs.Error
	if errors.As(err, &classified) {
		return errs.E(op, err)
	}
	var response minio.ErrorResponse
	errors.As(err, &response)
	if kind, ok := codes[response.Code]; ok {
		return errs.E(op, kind, err)
	}
	switch {
	case response.StatusCode == 404:
		return errs.E(op, errs.NotFound, err)
	case response.StatusCode >= 500:
		return errs.E(op, errs.Unavailable, err)
	case response.StatusCode != 0:
		return errs.E(op, errs.Internal, err)
	}
	if unreachable(err) {
		return errs.E(op, errs.Unavailable, "object store unreachable", err)
	}
	return errs.E(op, errs.Internal, err)
}

// unreachable reports network failures and timeouts.
func unreachable(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, context.Canceled)
}
