package s3

import (
	"bytes"
	"context"

	"github.com/minio/minio-go/v7"

	"github.com/patrolsync/patrolsync/internal/blob"
)

// DirectPut uploads with minio-go's PutObject, the way a server-side client
// would, with the same checksum header a presigned upload carries. Only the
// upload benchmark uses it: the server itself never uploads for a phone.
func DirectPut(ctx context.Context, s *S3, key string, body []byte, sha256hex string) error {
	checksum, err := blob.ChecksumBase64("s3.DirectPut", sha256hex)
	if err != nil {
		return err
	}
	_, err = s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{
		ContentType: "image/jpeg", DisableMultipart: true,
		UserMetadata: map[string]string{"x-amz-checksum-sha256": checksum}})
	return translate("s3.DirectPut", err)
}
