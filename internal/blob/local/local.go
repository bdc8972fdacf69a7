// Package local is the filesystem blob store, the embedded default: objects
// are files under one directory, and clients upload and download through
// URLs signed with an HMAC that point at the API itself (see Handler). It
// must never let a key name a path outside its directory, and never leave a
// partly written object where a reader could see it.
package local

import (
	"bufio"
	"bytes"
	"context"
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
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/internal/blob"
	"github.com/patrolsync/patrolsync/internal/errs"
)

// marker is created in the root by New; Ping and every failed lookup check
// it, so an unmounted or deleted directory reads as Unavailable rather than
// as a store that lost every object.
const marker = ".patrolsync-blobs"

// maxHeader bounds the JSON header line at the start of each object file.
const maxHeader = 4096

// Local stores objects under a directory. Each object is one file whose
// name is the SHA-256 of its key (so no key can traverse), fanned out by
// the first two hex digits; the file starts with a one-line JSON header
// (key, size, sha256, content type) followed by the bytes, so data and
// metadata are replaced together by a single rename.
type Local struct {
	root   string
	base   *url.URL
	secret []byte
	now    func() time.Time
}

// New opens (creating if needed) a store in dir. baseURL is where Handler
// is reachable, e.g. "http://127.0.0.1:8080/v1/blobs"; secret signs the
// presigned URLs and must be at least 16 bytes.
func New(dir, baseURL string, secret []byte) (*Local, error) {
	const op = "local.New"
	base, err := url.Parse(strings.TrimSuffix(baseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, errs.E(op, errs.Invalid, "base URL must be an absolute http(s) URL", err)
	}
	if len(secret) < 16 {
		return nil, errs.E(op, errs.Invalid, "signing secret must be at least 16 bytes")
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, errs.E(op, err)
	}
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, errs.E(op, errs.Unavailable, "cannot create the blob directory", err)
	}
	if err := os.WriteFile(filepath.Join(root, marker), []byte("patrolsync blob store\n"), 0o640); err != nil {
		return nil, errs.E(op, errs.Unavailable, "cannot write to the blob directory", err)
	}
	return &Local{root: root, base: base, secret: secret, now: time.Now}, nil
}

// header is the first line of every object file.
type header struct {
	Key         string `json:"key"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
}

// path maps a key to its file; the name is a digest, never the key itself.
func (l *Local) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	name := hex.EncodeToString(sum[:])
	return filepath.Join(l.root, name[:2], name)
}

// Ping reports Unavailable unless the directory and its marker are there.
func (l *Local) Ping(ctx context.Context) error {
	if err := l.check(); err != nil {
		return errs.E("local.Ping", err)
	}
	return nil
}

func (l *Local) check() error {
	if _, err := os.Stat(filepath.Join(l.root, marker)); err != nil {
		return errs.E("local.check", errs.Unavailable, "blob directory is missing or unreadable", err)
	}
	return nil
}

// Put writes to a temporary file beside the target and renames it into
// place only after size and digest check out.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType, sha256hex string) error {
	const op = "local.Put"
	if err := blob.CheckPut(op, key, size, sha256hex); err != nil {
		return err
	}
	if err := l.check(); err != nil {
		return errs.E(op, err)
	}
	target := l.path(key)
	if err := os.Mkdir(filepath.Dir(target), 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
		return errs.E(op, errs.Unavailable, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), ".put-*")
	if err != nil {
		return errs.E(op, errs.Unavailable, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	err = writeObject(ctx, op, tmp, header{key, size, strings.ToLower(sha256hex), contentType},
		blob.Verify(op, r, size, sha256hex))
	if closeErr := tmp.Close(); err == nil && closeErr != nil {
		err = errs.E(op, errs.Unavailable, closeErr)
	}
	if err != nil {
		return errs.E(op, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return errs.E(op, errs.Unavailable, err)
	}
	return nil
}

func writeObject(ctx context.Context, op string, f *os.File, h header, body io.Reader) error {
	line, err := json.Marshal(h)
	if err != nil {
		return errs.E(op, err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		return errs.E(op, errs.Unavailable, err)
	}
	if _, err := io.Copy(f, contextReader{ctx, body}); err != nil {
		return readError(op, err)
	}
	if err := f.Sync(); err != nil {
		return errs.E(op, errs.Unavailable, err)
	}
	return nil
}

// readError classifies a failed copy: the verifier's own errors keep their
// kind, a cancelled caller is Unavailable, and anything else is a body
// the client could not deliver.
func readError(op string, err error) error {
	var classified *errs.Error
	switch {
	case errors.As(err, &classified):
		return err
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return errs.E(op, errs.Unavailable, "upload abandoned", err)
	default:
		return errs.E(op, errs.Malformed, "could not read the upload body", err)
	}
}

// contextReader stops a long copy when the caller gives up.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Get opens the object positioned after its header.
func (l *Local) Get(ctx context.Context, key string) (io.ReadCloser, blob.Info, error) {
	const op = "local.Get"
	f, info, err := l.open(op, key)
	if err != nil {
		return nil, blob.Info{}, err
	}
	return f, info, nil
}

// Stat reads the header of the object.
func (l *Local) Stat(ctx context.Context, key string) (blob.Info, error) {
	f, info, err := l.open("local.Stat", key)
	if err != nil {
		return blob.Info{}, err
	}
	f.Close()
	return info, nil
}

// open returns the object file seeked to its first byte of data.
func (l *Local) open(op, key string) (*os.File, blob.Info, error) {
	if err := blob.CheckKey(op, key); err != nil {
		return nil, blob.Info{}, err
	}
	f, err := os.Open(l.path(key))
	if err != nil {
		return nil, blob.Info{}, l.lookupError(op, key, err)
	}
	info, offset, err := readHeader(f)
	if err == nil && info.Key != key {
		err = fmt.Errorf("file holds key %q", info.Key)
	}
	if err == nil {
		_, err = f.Seek(offset, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, blob.Info{}, errs.E(op, errs.Internal, "corrupt object file", err)
	}
	return f, info, nil
}

// lookupError tells an absent object from an absent store.
func (l *Local) lookupError(op, key string, err error) error {
	if cerr := l.check(); cerr != nil {
		return errs.E(op, cerr)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return errs.E(op, errs.NotFound, "no such blob", err)
	}
	return errs.E(op, errs.Unavailable, err)
}

func readHeader(f *os.File) (blob.Info, int64, error) {
	line, err := bufio.NewReaderSize(io.LimitReader(f, maxHeader), maxHeader).ReadBytes('\n')
	if err != nil {
		return blob.Info{}, 0, fmt.Errorf("read header: %w", err)
	}
	var h header
	if err := json.NewDecoder(bytes.NewReader(line)).Decode(&h); err != nil {
		return blob.Info{}, 0, fmt.Errorf("decode header: %w", err)
	}
	stat, err := f.Stat()
	if err != nil {
		return blob.Info{}, 0, err
	}
	if stat.Size()-int64(len(line)) != h.Size {
		return blob.Info{}, 0, fmt.Errorf("file has %d data bytes, header says %d", stat.Size()-int64(len(line)), h.Size)
	}
	info := blob.Info{Key: h.Key, Size: h.Size, SHA256: h.SHA256, ContentType: h.ContentType, Modified: stat.ModTime().UTC()}
	return info, int64(len(line)), nil
}

// Delete removes the object; an absent object is not an error, an absent
// store is.
func (l *Local) Delete(ctx context.Context, key string) error {
	const op = "local.Delete"
	if err := blob.CheckKey(op, key); err != nil {
		return err
	}
	if err := l.check(); err != nil {
		return errs.E(op, err)
	}
	if err := os.Remove(l.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return errs.E(op, errs.Unavailable, err)
	}
	return nil
}
