package local

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/patrolsync/patrolsync/internal/blob"
	"github.com/patrolsync/patrolsync/internal/errs"
)

// Handler serves the presigned URLs: PUT stores a body, GET and HEAD read
// an object. It expects the full request path, the base URL's path
// followed by the key, so mount it without stripping the prefix (for
// "http://host/v1/blobs" mount it at "/v1/blobs/"). Answers follow S3:
// 403 for a bad or expired signature, 400 for a body of the wrong size or
// digest, 404 for a missing object, 503 when the directory is gone.
func (l *Local) Handler() http.Handler {
	return http.HandlerFunc(l.serve)
}

func (l *Local) serve(w http.ResponseWriter, r *http.Request) {
	key, ok := strings.CutPrefix(r.URL.Path, l.base.Path+"/")
	if !ok {
		writeProblem(w, errs.E("local.Handler", errs.NotFound, "not a blob URL"))
		return
	}
	switch r.Method {
	case http.MethodPut:
		if r.URL.Query().Has("upload_id") {
			writeProblem(w, l.servePart(w, r, key))
			return
		}
		writeProblem(w, l.servePut(w, r, key))
	case http.MethodGet, http.MethodHead:
		writeProblem(w, l.serveGet(w, r, key))
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (l *Local) servePut(w http.ResponseWriter, r *http.Request, key string) error {
	const op = "local.Handler.Put"
	query := r.URL.Query()
	expires, err1 := strconv.ParseInt(query.Get("expires"), 10, 64)
	size, err2 := strconv.ParseInt(query.Get("size"), 10, 64)
	if err1 != nil || err2 != nil {
		return errs.E(op, errs.Forbidden, "presigned URL lacks expires or size")
	}
	sha256hex := blob.ChecksumHex(r.Header.Get(blob.ChecksumHeader))
	if sha256hex == "" {
		return errs.E(op, errs.Malformed, "the "+blob.ChecksumHeader+" header must hold the base64 SHA-256 of the body")
	}
	contentType := r.Header.Get("Content-Type")
	if err := l.verify(op, query.Get("sig"), "PUT", key, expires, size, sha256hex, contentType); err != nil {
		return err
	}
	if r.ContentLength >= 0 && r.ContentLength != size {
		return errs.E(op, errs.Invalid, "Content-Length differs from the signed size", map[string]string{"size": "mismatch"})
	}
	if err := l.Put(r.Context(), key, r.Body, size, contentType, sha256hex); err != nil {
		return err
	}
	w.Header().Set(blob.ChecksumHeader, r.Header.Get(blob.ChecksumHeader))
	w.WriteHeader(http.StatusOK)
	return nil
}

// servePart stores one part of a multipart upload; like S3 it answers the
// part's ETag.
func (l *Local) servePart(w http.ResponseWriter, r *http.Request, key string) error {
	const op = "local.Handler.Part"
	query := r.URL.Query()
	expires, err1 := strconv.ParseInt(query.Get("expires"), 10, 64)
	number, err2 := strconv.Atoi(query.Get("part"))
	if err1 != nil || err2 != nil {
		return errs.E(op, errs.Forbidden, "presigned URL lacks expires or part")
	}
	uploadID := query.Get("upload_id")
	if err := l.verify(op, query.Get("sig"), "PART", key, expires, int64(number), uploadID, ""); err != nil {
		return err
	}
	etag, err := l.putPart(r.Context(), key, uploadID, number, r.Body)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", `"`+etag+`"`)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (l *Local) serveGet(w http.ResponseWriter, r *http.Request, key string) error {
	const op = "local.Handler.Get"
	query := r.URL.Query()
	expires, err := strconv.ParseInt(query.Get("expires"), 10, 64)
	if err != nil {
		return errs.E(op, errs.Forbidden, "presigned URL lacks expires")
	}
	if err := l.verify(op, query.Get("sig"), "GET", key, expires, 0, "", ""); err != nil {
		return err
	}
	body, info, err := l.Get(r.Context(), key)
	if err != nil {
		return err
	}
	defer body.Close()
	header := w.Header()
	if info.ContentType != "" {
		header.Set("Content-Type", info.ContentType)
	}
	header.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	header.Set("Last-Modified", info.Modified.Format(http.TimeFormat))
	header.Set("ETag", `"`+info.SHA256+`"`)
	if checksum, err := blob.ChecksumBase64(op, info.SHA256); err == nil {
		header.Set(blob.ChecksumHeader, checksum)
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		io.Copy(w, body) // the client hung up if this fails; nothing to tell it
	}
	return nil
}

// statuses maps error kinds to answers; this handler is plain net/http
// and cannot use the api package's table.
var statuses = map[errs.Kind]int{
	errs.Malformed:   http.StatusBadRequest,
	errs.Invalid:     http.StatusBadRequest, // S3 answers a bad digest or length with 400
	errs.Forbidden:   http.StatusForbidden,
	errs.NotFound:    http.StatusNotFound,
	errs.TooLarge:    http.StatusRequestEntityTooLarge,
	errs.Unavailable: http.StatusServiceUnavailable,
}

// writeProblem answers with an RFC 9457 problem; nil writes nothing.
func writeProblem(w http.ResponseWriter, err error) {
	if err == nil {
		return
	}
	status, ok := statuses[errs.KindOf(err)]
	problem := map[string]any{"type": "about:blank", "status": status, "title": http.StatusText(status)}
	if !ok {
		status = http.StatusInternalServerError
		problem["status"], problem["title"] = status, http.StatusText(status)
	} else if detail := detailOf(err); detail != "" {
		problem["detail"] = detail
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(problem)
}

func detailOf(err error) string {
	if e, ok := err.(*errs.Error); ok {
		return e.Detail
	}
	return ""
}
