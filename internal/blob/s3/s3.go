// Package s3 is the blob store on S3-compatible object storage (MinIO, AWS
// S3, versitygw and other gateways) through minio-go, the only package
// allowed to import it. Presigned uploads carry the declared SHA-256 as a
// signed x-amz-checksum-sha256 header, so the object store itself refuses
// bytes that do not match and a corrupt upload never lands.
package s3

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/patrolsync/patrolsync/internal/blob"
	"github.com/patrolsync/patrolsync/internal/errs"
)

// maxSinglePut is S3's limit for one PUT; larger objects need multipart.
const maxSinglePut = 5 << 30

// S3 is a blob store in one bucket.
type S3 struct {
	client *minio.Client
	bucket string
	region string
}

// NewS3 builds the client; it does no I/O. Call EnsureBucket at start-up.
func NewS3(cfg S3Config) (*S3, error) {
	const op = "s3.NewS3"
	if cfg.Bucket == "" || cfg.Endpoint == "" {
		return nil, errs.E(op, errs.Invalid, "S3 bucket and endpoint are required")
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:           credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:          cfg.Secure,
		Region:          cfg.Region,
		BucketLookup:    minio.BucketLookupPath,
		TrailingHeaders: true, // lets Put send its own x-amz-checksum-sha256
		MaxRetries:      3,    // a down store answers Unavailable in seconds, not a minute
	})
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "bad S3 endpoint", err)
	}
	return &S3{client: client, bucket: cfg.Bucket, region: cfg.Region}, nil
}

// EnsureBucket creates the bucket when it does not exist yet.
func (s *S3) EnsureBucket(ctx context.Context) error {
	const op = "s3.EnsureBucket"
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return translate(op, err)
	}
	if exists {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region})
	if code := minio.ToErrorResponse(err).Code; code == "BucketAlreadyOwnedByYou" || code == "BucketAlreadyExists" {
		return nil // another replica won the race
	}
	return translate(op, err)
}

// Ping checks that the bucket answers.
func (s *S3) Ping(ctx context.Context) error {
	const op = "s3.Ping"
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return translate(op, err)
	}
	if !exists {
		return errs.E(op, errs.Unavailable, "the bucket does not exist")
	}
	return nil
}

// Put uploads in one request with the declared digest as a checksum
// header, so the server refuses other bytes; the body is also verified on
// the way out, so a short or long body fails before the request completes.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType, sha256hex string) error {
	const op = "s3.Put"
	if err := blob.CheckPut(op, key, size, sha256hex); err != nil {
		return err
	}
	if size > maxSinglePut {
		return errs.E(op, errs.TooLarge, "objects over 5 GiB need a multipart upload")
	}
	checksum, err := blob.ChecksumBase64(op, sha256hex)
	if err != nil {
		return err
	}
	_, err = s.client.PutObject(ctx, s.bucket, key, blob.Verify(op, r, size, sha256hex), size, minio.PutObjectOptions{
		ContentType:      contentType,
		UserMetadata:     map[string]string{strings.ToLower(blob.ChecksumHeader): checksum},
		DisableMultipart: true,
	})
	return translate(op, err)
}

// Get opens the object; reads verify the stored checksum at EOF.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, blob.Info, error) {
	const op = "s3.Get"
	if err := blob.CheckKey(op, key); err != nil {
		return nil, blob.Info{}, err
	}
	object, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{Checksum: true})
	if err != nil {
		return nil, blob.Info{}, translate(op, err)
	}
	stat, err := object.Stat() // GetObject is lazy; this sends the request
	if err != nil {
		object.Close()
		return nil, blob.Info{}, translate(op, err)
	}
	return object, info(stat), nil
}

// Stat reads the object's metadata and stored checksum.
func (s *S3) Stat(ctx context.Context, key string) (blob.Info, error) {
	const op = "s3.Stat"
	if err := blob.CheckKey(op, key); err != nil {
		return blob.Info{}, err
	}
	stat, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{Checksum: true})
	if err != nil {
		return blob.Info{}, translate(op, err)
	}
	return info(stat), nil
}

func info(stat minio.ObjectInfo) blob.Info {
	return blob.Info{
		Key:         stat.Key,
		Size:        stat.Size,
		SHA256:      blob.ChecksumHex(stat.ChecksumSHA256),
		ContentType: stat.ContentType,
		Modified:    stat.LastModified.UTC(),
	}
}

// Delete removes the object; S3 answers success for absent keys too.
func (s *S3) Delete(ctx context.Context, key string) error {
	const op = "s3.Delete"
	if err := blob.CheckKey(op, key); err != nil {
		return err
	}
	return translate(op, s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}))
}

// PresignPut signs a PUT that must carry the declared checksum (and the
// content type, when given); the store answers 400 to other bytes.
func (s *S3) PresignPut(ctx context.Context, key string, size int64, sha256hex, contentType string, ttl time.Duration) (blob.Upload, error) {
	const op = "s3.PresignPut"
	if err := blob.CheckPut(op, key, size, sha256hex); err != nil {
		return blob.Upload{}, err
	}
	if err := blob.CheckTTL(op, ttl); err != nil {
		return blob.Upload{}, err
	}
	checksum, err := blob.ChecksumBase64(op, sha256hex)
	if err != nil {
		return blob.Upload{}, err
	}
	headers := map[string]string{blob.ChecksumHeader: checksum}
	if contentType != "" {
		headers["Content-Type"] = contentType
	}
	signed := http.Header{}
	for name, value := range headers {
		signed.Set(name, value)
	}
	expires := time.Now().Add(ttl).UTC()
	u, err := s.client.PresignHeader(ctx, http.MethodPut, s.bucket, key, ttl, nil, signed)
	if err != nil {
		return blob.Upload{}, translate(op, err)
	}
	return blob.Upload{Method: http.MethodPut, URL: u.String(), Headers: headers, ExpiresAt: expires}, nil
}

// PresignGet signs a download URL.
func (s *S3) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	const op = "s3.PresignGet"
	if err := blob.CheckKey(op, key); err != nil {
		return "", err
	}
	if err := blob.CheckTTL(op, ttl); err != nil {
		return "", err
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, key, ttl, nil)
	if err != nil {
		return "", translate(op, err)
	}
	return u.String(), nil
}

// RemoveBucket deletes every object, every unfinished upload and then the
// bucket itself. It is for tests and tooling, never for the server.
func RemoveBucket(ctx context.Context, cfg S3Config) error {
	const op = "s3.RemoveBucket"
	s, err := NewS3(cfg)
	if err != nil {
		return err
	}
	for object := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Recursive: true}) {
		if object.Err != nil {
			return translate(op, object.Err)
		}
		if err := s.client.RemoveObject(ctx, s.bucket, object.Key, minio.RemoveObjectOptions{}); err != nil {
			return translate(op, err)
		}
	}
	for upload := range s.client.ListIncompleteUploads(ctx, s.bucket, "", true) {
		if upload.Err != nil {
			return translate(op, upload.Err)
		}
		if err := s.client.RemoveIncompleteUpload(ctx, s.bucket, upload.Key); err != nil {
			return translate(op, err)
		}
	}
	return translate(op, s.client.RemoveBucket(ctx, s.bucket))
}
