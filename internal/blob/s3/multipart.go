package s3

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/patrolsync/patrolsync/internal/blob"
	"github.com/patrolsync/patrolsync/internal/errs"
)

func (s *S3) core() minio.Core { return minio.Core{Client: s.client} }

// StartMultipart opens an S3 multipart upload.
func (s *S3) StartMultipart(ctx context.Context, key, contentType string) (string, error) {
	const op = "s3.StartMultipart"
	if err := blob.CheckKey(op, key); err != nil {
		return "", err
	}
	uploadID, err := s.core().NewMultipartUpload(ctx, s.bucket, key, minio.PutObjectOptions{ContentType: contentType})
	return uploadID, translate(op, err)
}

// PresignPart signs an UploadPart request (PUT ?partNumber=&uploadId=).
func (s *S3) PresignPart(ctx context.Context, key, uploadID string, number int, ttl time.Duration) (blob.Upload, error) {
	const op = "s3.PresignPart"
	if err := blob.CheckKey(op, key); err != nil {
		return blob.Upload{}, err
	}
	if err := blob.CheckPartNumber(op, number); err != nil {
		return blob.Upload{}, err
	}
	if err := blob.CheckTTL(op, ttl); err != nil {
		return blob.Upload{}, err
	}
	if uploadID == "" {
		return blob.Upload{}, errs.E(op, errs.NotFound, "no such upload")
	}
	expires := time.Now().Add(ttl).UTC()
	params := url.Values{"partNumber": {strconv.Itoa(number)}, "uploadId": {uploadID}}
	u, err := s.client.Presign(ctx, http.MethodPut, s.bucket, key, ttl, params)
	if err != nil {
		return blob.Upload{}, translate(op, err)
	}
	return blob.Upload{Method: http.MethodPut, URL: u.String(), Headers: map[string]string{}, ExpiresAt: expires}, nil
}

// ListParts pages through ListObjectParts.
func (s *S3) ListParts(ctx context.Context, key, uploadID string) ([]blob.Part, error) {
	const op = "s3.ListParts"
	if err := blob.CheckKey(op, key); err != nil {
		return nil, err
	}
	if uploadID == "" {
		return nil, errs.E(op, errs.NotFound, "no such upload")
	}
	parts, marker := []blob.Part{}, 0
	for {
		result, err := s.core().ListObjectParts(ctx, s.bucket, key, uploadID, marker, 1000)
		if err != nil {
			if minio.ToErrorResponse(err).Code == "NoSuchUpload" {
				return nil, errs.E(op, errs.NotFound, "no such upload", err)
			}
			return nil, translate(op, err)
		}
		for _, part := range result.ObjectParts {
			parts = append(parts, blob.Part{Number: part.PartNumber, Size: part.Size, ETag: strings.Trim(part.ETag, `"`)})
		}
		if !result.IsTruncated {
			return parts, nil
		}
		marker = result.NextPartNumberMarker
	}
}

// CompleteMultipart joins the parts into the object.
func (s *S3) CompleteMultipart(ctx context.Context, key, uploadID string, parts []blob.Part) error {
	const op = "s3.CompleteMultipart"
	if err := blob.CheckKey(op, key); err != nil {
		return err
	}
	if len(parts) == 0 {
		return errs.E(op, errs.Invalid, "a multipart upload needs at least one part", map[string]string{"parts": "empty"})
	}
	complete := make([]minio.CompletePart, len(parts))
	for i, part := range parts {
		complete[i] = minio.CompletePart{PartNumber: part.Number, ETag: part.ETag}
	}
	_, err := s.core().CompleteMultipartUpload(ctx, s.bucket, key, uploadID, complete, minio.PutObjectOptions{})
	switch minio.ToErrorResponse(err).Code {
	case "NoSuchUpload":
		return errs.E(op, errs.NotFound, "no such upload", err)
	case "InvalidPart", "InvalidPartOrder", "EntityTooSmall":
		return errs.E(op, errs.Invalid, "parts are missing, out of order or too small", map[string]string{"parts": "mismatch"}, err)
	}
	return translate(op, err)
}

// AbortMultipart drops an upload; S3's NoSuchUpload counts as done.
func (s *S3) AbortMultipart(ctx context.Context, key, uploadID string) error {
	const op = "s3.AbortMultipart"
	if err := blob.CheckKey(op, key); err != nil {
		return err
	}
	err := s.core().AbortMultipartUpload(ctx, s.bucket, key, uploadID)
	if code := minio.ToErrorResponse(err).Code; code == "NoSuchUpload" {
		return nil
	}
	return translate(op, err)
}

// ListIncomplete lists open uploads under prefix.
func (s *S3) ListIncomplete(ctx context.Context, prefix string) ([]blob.Incomplete, error) {
	const op = "s3.ListIncomplete"
	out := []blob.Incomplete{}
	for upload := range s.client.ListIncompleteUploads(ctx, s.bucket, prefix, true) {
		if upload.Err != nil {
			return nil, translate(op, upload.Err)
		}
		out = append(out, blob.Incomplete{Key: upload.Key, UploadID: upload.UploadID, Initiated: upload.Initiated.UTC()})
	}
	return out, nil
}
