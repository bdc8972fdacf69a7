package local

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/internal/blob"
	"github.com/patrolsync/patrolsync/internal/errs"
)

// uploadsDir holds one directory per open multipart upload: a meta.json
// naming the key and content type, and one file per received part. The
// upload id is random hex, checked before it names a path.
const uploadsDir = ".multipart"

// maxPartSize is S3's largest part.
const maxPartSize = 5 << 30

type uploadMeta struct {
	Key         string `json:"key"`
	ContentType string `json:"content_type"`
}

func (l *Local) uploadDir(uploadID string) string { return filepath.Join(l.root, uploadsDir, uploadID) }

func partName(number int) string { return fmt.Sprintf("part-%05d", number) }

// checkUpload refuses ids this store could not have made.
func checkUpload(op, uploadID string) error {
	if len(uploadID) != 32 {
		return errs.E(op, errs.NotFound, "no such upload")
	}
	if _, err := hex.DecodeString(uploadID); err != nil {
		return errs.E(op, errs.NotFound, "no such upload")
	}
	return nil
}

// StartMultipart creates the upload's directory.
func (l *Local) StartMultipart(ctx context.Context, key, contentType string) (string, error) {
	const op = "local.StartMultipart"
	if err := blob.CheckKey(op, key); err != nil {
		return "", err
	}
	if err := l.check(); err != nil {
		return "", errs.E(op, err)
	}
	raw := make([]byte, 16)
	rand.Read(raw)
	uploadID := hex.EncodeToString(raw)
	dir := l.uploadDir(uploadID)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", errs.E(op, errs.Unavailable, err)
	}
	meta, _ := json.Marshal(uploadMeta{Key: key, ContentType: contentType})
	if err := os.WriteFile(filepath.Join(dir, "meta.json"), meta, 0o640); err != nil {
		return "", errs.E(op, errs.Unavailable, err)
	}
	return uploadID, nil
}

// meta reads an open upload and checks that it is for key.
func (l *Local) meta(op, key, uploadID string) (uploadMeta, error) {
	if err := blob.CheckKey(op, key); err != nil {
		return uploadMeta{}, err
	}
	if err := checkUpload(op, uploadID); err != nil {
		return uploadMeta{}, err
	}
	raw, err := os.ReadFile(filepath.Join(l.uploadDir(uploadID), "meta.json"))
	if err != nil {
		return uploadMeta{}, l.lookupError(op, key, err)
	}
	var meta uploadMeta
	if err := json.Unmarshal(raw, &meta); err != nil {
		return uploadMeta{}, errs.E(op, errs.Internal, "corrupt upload", err)
	}
	if meta.Key != key {
		return uploadMeta{}, errs.E(op, errs.NotFound, "no such upload for this key")
	}
	return meta, nil
}

// PresignPart signs a PUT of one part to Handler; the upload id and part
// number travel signed in the query.
func (l *Local) PresignPart(ctx context.Context, key, uploadID string, number int, ttl time.Duration) (blob.Upload, error) {
	const op = "local.PresignPart"
	if err := blob.CheckKey(op, key); err != nil {
		return blob.Upload{}, err
	}
	if err := blob.CheckPartNumber(op, number); err != nil {
		return blob.Upload{}, err
	}
	if err := checkUpload(op, uploadID); err != nil {
		return blob.Upload{}, err
	}
	expires, err := l.expiry(op, ttl)
	if err != nil {
		return blob.Upload{}, err
	}
	query := url.Values{}
	query.Set("expires", strconv.FormatInt(expires.Unix(), 10))
	query.Set("upload_id", uploadID)
	query.Set("part", strconv.Itoa(number))
	query.Set("sig", l.sign("PART", key, expires.Unix(), int64(number), uploadID, ""))
	return blob.Upload{Method: "PUT", URL: l.url(key, query), Headers: map[string]string{}, ExpiresAt: expires}, nil
}

// putPart stores one part through a temporary file, so a broken upload
// never leaves half a part behind.
func (l *Local) putPart(ctx context.Context, key, uploadID string, number int, r io.Reader) (string, error) {
	const op = "local.putPart"
	if _, err := l.meta(op, key, uploadID); err != nil {
		return "", err
	}
	dir := l.uploadDir(uploadID)
	tmp, err := os.CreateTemp(dir, ".part-*")
	if err != nil {
		return "", errs.E(op, errs.Unavailable, err)
	}
	defer os.Remove(tmp.Name())
	hash := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, hash), contextReader{ctx, io.LimitReader(r, maxPartSize+1)})
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	switch {
	case err != nil:
		return "", readError(op, err)
	case n > maxPartSize:
		return "", errs.E(op, errs.TooLarge, "a part holds at most 5 GiB")
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, partName(number))); err != nil {
		return "", errs.E(op, errs.Unavailable, err)
	}
	return hex.EncodeToString(hash.Sum(nil)), nil
}

// ListParts lists the part files. The ETag is the part's SHA-256, read
// back by hashing the file, so it is only as cheap as the parts are small;
// resuming is rare enough for that.
func (l *Local) ListParts(ctx context.Context, key, uploadID string) ([]blob.Part, error) {
	const op = "local.ListParts"
	if _, err := l.meta(op, key, uploadID); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(l.uploadDir(uploadID))
	if err != nil {
		return nil, l.lookupError(op, key, err)
	}
	parts := []blob.Part{}
	for _, entry := range entries {
		number, err := strconv.Atoi(strings.TrimPrefix(entry.Name(), "part-"))
		if err != nil || !strings.HasPrefix(entry.Name(), "part-") {
			continue
		}
		part, err := l.describePart(filepath.Join(l.uploadDir(uploadID), entry.Name()), number)
		if err != nil {
			return nil, errs.E(op, errs.Unavailable, err)
		}
		parts = append(parts, part)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].Number < parts[j].Number })
	return parts, nil
}

func (l *Local) describePart(path string, number int) (blob.Part, error) {
	f, err := os.Open(path)
	if err != nil {
		return blob.Part{}, err
	}
	defer f.Close()
	hash := sha256.New()
	n, err := io.Copy(hash, f)
	return blob.Part{Number: number, Size: n, ETag: hex.EncodeToString(hash.Sum(nil))}, err
}

// CompleteMultipart hashes the parts, then writes them as one object with
// Put (which checks that digest again on the way in), and drops the upload.
func (l *Local) CompleteMultipart(ctx context.Context, key, uploadID string, parts []blob.Part) error {
	const op = "local.CompleteMultipart"
	meta, err := l.meta(op, key, uploadID)
	if err != nil {
		return err
	}
	if len(parts) == 0 {
		return errs.E(op, errs.Invalid, "a multipart upload needs at least one part", map[string]string{"parts": "empty"})
	}
	have, err := l.ListParts(ctx, key, uploadID)
	if err != nil {
		return err
	}
	received := map[int]blob.Part{}
	for _, part := range have {
		received[part.Number] = part
	}
	hash, total, previous := sha256.New(), int64(0), 0
	files := make([]io.Reader, 0, len(parts))
	for _, part := range parts {
		got, ok := received[part.Number]
		if !ok || part.Number <= previous || (part.ETag != "" && part.ETag != got.ETag) {
			return errs.E(op, errs.Invalid, fmt.Sprintf("part %d is missing, out of order or changed", part.Number),
				map[string]string{"parts": "mismatch"})
		}
		previous = part.Number
		f, err := os.Open(filepath.Join(l.uploadDir(uploadID), partName(part.Number)))
		if err != nil {
			return errs.E(op, errs.Unavailable, err)
		}
		defer f.Close()
		if _, err := io.Copy(hash, f); err != nil {
			return errs.E(op, errs.Unavailable, err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return errs.E(op, errs.Unavailable, err)
		}
		files = append(files, f)
		total += got.Size
	}
	sum := hex.EncodeToString(hash.Sum(nil))
	if err := l.Put(ctx, key, io.MultiReader(files...), total, meta.ContentType, sum); err != nil {
		return errs.E(op, err)
	}
	return l.AbortMultipart(ctx, key, uploadID)
}

// AbortMultipart removes the upload's directory.
func (l *Local) AbortMultipart(ctx context.Context, key, uploadID string) error {
	const op = "local.AbortMultipart"
	if _, err := l.meta(op, key, uploadID); err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil
		}
		return err
	}
	if err := os.RemoveAll(l.uploadDir(uploadID)); err != nil {
		return errs.E(op, errs.Unavailable, err)
	}
	return nil
}

// ListIncomplete reads every upload directory.
func (l *Local) ListIncomplete(ctx context.Context, prefix string) ([]blob.Incomplete, error) {
	const op = "local.ListIncomplete"
	if err := l.check(); err != nil {
		return nil, errs.E(op, err)
	}
	entries, err := os.ReadDir(filepath.Join(l.root, uploadsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return []blob.Incomplete{}, nil
	}
	if err != nil {
		return nil, errs.E(op, errs.Unavailable, err)
	}
	out := []blob.Incomplete{}
	for _, entry := range entries {
		raw, err := os.ReadFile(filepath.Join(l.uploadDir(entry.Name()), "meta.json"))
		if err != nil {
			continue // a directory being created or removed right now
		}
		var meta uploadMeta
		if json.Unmarshal(raw, &meta) != nil || !strings.HasPrefix(meta.Key, prefix) {
			continue
		}
		info, err := entry.Info()
		if err != nil {
			continue
		}
		out = append(out, blob.Incomplete{Key: meta.Key, UploadID: entry.Name(), Initiated: info.ModTime().UTC()})
	}
	return out, nil
}
