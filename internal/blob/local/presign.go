package local

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/internal/blob"
	"github.com/patrolsync/patrolsync/internal/errs"
)

// PresignPut signs a PUT of exactly this object to Handler. The client must
// send the returned headers: the checksum header binds the digest, as it
// does on S3, and the size travels signed in the query.
func (l *Local) PresignPut(ctx context.Context, key string, size int64, sha256hex, contentType string, ttl time.Duration) (blob.Upload, error) {
	const op = "local.PresignPut"
	if err := blob.CheckPut(op, key, size, sha256hex); err != nil {
		return blob.Upload{}, err
	}
	checksum, err := blob.ChecksumBase64(op, sha256hex)
	if err != nil {
		return blob.Upload{}, err
	}
	expires, err := l.expiry(op, ttl)
	if err != nil {
		return blob.Upload{}, err
	}
	query := url.Values{}
	query.Set("expires", strconv.FormatInt(expires.Unix(), 10))
	query.Set("size", strconv.FormatInt(size, 10))
	query.Set("sig", l.sign("PUT", key, expires.Unix(), size, strings.ToLower(sha256hex), contentType))
	headers := map[string]string{blob.ChecksumHeader: checksum}
	if contentType != "" {
		headers["Content-Type"] = contentType
	}
	return blob.Upload{Method: "PUT", URL: l.url(key, query), Headers: headers, ExpiresAt: expires}, nil
}

// PresignGet signs a GET of the object from Handler. Like S3 it does not
// check that the object exists.
func (l *Local) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	const op = "local.PresignGet"
	if err := blob.CheckKey(op, key); err != nil {
		return "", err
	}
	expires, err := l.expiry(op, ttl)
	if err != nil {
		return "", err
	}
	query := url.Values{}
	query.Set("expires", strconv.FormatInt(expires.Unix(), 10))
	query.Set("sig", l.sign("GET", key, expires.Unix(), 0, "", ""))
	return l.url(key, query), nil
}

func (l *Local) expiry(op string, ttl time.Duration) (time.Time, error) {
	if err := blob.CheckTTL(op, ttl); err != nil {
		return time.Time{}, err
	}
	return l.now().Add(ttl).Truncate(time.Second).UTC(), nil
}

func (l *Local) url(key string, query url.Values) string {
	u := *l.base
	u.Path = l.base.Path + "/" + key
	u.RawQuery = query.Encode()
	return u.String()
}

// sign is the HMAC over everything a URL grants. GET URLs sign size 0 and
// empty digest and type; the method keeps the two from standing in for
// each other. The host is left out so the API can sit behind a proxy.
func (l *Local) sign(method, key string, expires, size int64, sha256hex, contentType string) string {
	mac := hmac.New(sha256.New, l.secret)
	for _, part := range []string{method, key, strconv.FormatInt(expires, 10), strconv.FormatInt(size, 10), sha256hex, contentType} {
		mac.Write([]byte(part))
		mac.Write([]byte{'\n'})
	}
	return hex.EncodeToString(mac.Sum(nil))
}

// verify checks a signature in constant time and the expiry.
func (l *Local) verify(op, signature, method, key string, expires, size int64, sha256hex, contentType string) error {
	want := l.sign(method, key, expires, size, sha256hex, contentType)
	if !hmac.Equal([]byte(signature), []byte(want)) {
		return errs.E(op, errs.Forbidden, "signature does not match")
	}
	if l.now().Unix() > expires {
		return errs.E(op, errs.Forbidden, "presigned URL has expired")
	}
	return nil
}
