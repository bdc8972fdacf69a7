package blob

import (
	"context"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
)

// Part is one part of a multipart upload that the store has received.
type Part struct {
	Number int
	Size   int64
	ETag   string
}

// Incomplete is a multipart upload that was started and neither completed
// nor aborted.
type Incomplete struct {
	Key       string
	UploadID  string
	Initiated time.Time
}

// Multipart is how large objects travel: the client sends numbered parts
// to presigned URLs, may ask which parts arrived to resume after a broken
// link, and the server joins them. Both stores implement it; the contract
// suite in blob/blobtest checks them the same way.
type Multipart interface {
	// StartMultipart opens an upload for key and returns its id.
	StartMultipart(ctx context.Context, key, contentType string) (string, error)
	// PresignPart lets a client send part number (1..MaxParts) itself.
	PresignPart(ctx context.Context, key, uploadID string, number int, ttl time.Duration) (Upload, error)
	// ListParts lists the parts received so far, by number. NotFound when
	// the upload is unknown (completed, aborted or never started).
	ListParts(ctx context.Context, key, uploadID string) ([]Part, error)
	// CompleteMultipart joins the given parts, in order, into the object.
	CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) error
	// AbortMultipart drops an upload and its parts; an unknown upload is
	// not an error.
	AbortMultipart(ctx context.Context, key, uploadID string) error
	// ListIncomplete lists open uploads whose key starts with prefix.
	ListIncomplete(ctx context.Context, prefix string) ([]Incomplete, error)
}

// MaxParts is S3's limit on the parts of one upload.
const MaxParts = 10000

// MinPartSize is S3's smallest part, except for the last one.
const MinPartSize = 5 << 20

// CheckPartNumber refuses part numbers S3 would refuse.
func CheckPartNumber(op string, number int) error {
	if number < 1 || number > MaxParts {
		return errs.E(op, errs.Invalid, "part number must be 1 to 10000", map[string]string{"part": "range"})
	}
	return nil
}
