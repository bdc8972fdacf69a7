package client

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/internal/mutation"
)

// Media kinds, as the server names them.
const (
	KindPhoto      = "photo"
	KindSignature  = "signature"
	KindAttachment = "attachment"
)

// States of a media in the device's queue. A media moves queued →
// declared (the server knows its digest) → uploaded (the bytes were sent)
// → stored (the server checked them). failed is final: the server refused
// the declaration for good (the reason is in last_error).
const (
	MediaQueued   = "queued"
	MediaDeclared = "declared"
	MediaUploaded = "uploaded"
	MediaStored   = "stored"
	MediaFailed   = "failed"
)

// Evidence is a photo, signature or attachment taken on the device.
type Evidence struct {
	InspectionID string
	Path         string // JSON pointer of the item it belongs to, e.g. "/extinguishers/0/photo"
	Kind         string // KindPhoto, KindSignature or KindAttachment
	ContentType  string // image/jpeg, image/png, image/webp; application/pdf for attachments
	Data         []byte
	CapturedAt   time.Time  // zero: now
	Signature    *Signature // required for KindSignature, nil otherwise
}

// Signature is what a signature carries besides its image: the strokes as
// drawn ([[[x, y], ...], ...]), who signed in which role, when (RFC 3339),
// and the SHA-256 (hex) of the inspection content signed.
type Signature = mutation.Signature

// Media is one entry of the device's media queue.
type Media struct {
	ID           string
	InspectionID string
	Path         string
	Kind         string
	ContentType  string
	SHA256       string
	Size         int64
	State        string
	Attempts     int
	LastError    string
}

// AttachMedia keeps evidence for an inspection offline and returns the
// media id to put in the answer. The bytes are on disk (synced) and queued
// before it returns; push uploads them before the inspection's answers.
func (c *Client) AttachMedia(ctx context.Context, e Evidence) (string, error) {
	id := newID()
	if err := checkEvidence(e); err != nil {
		return "", fmt.Errorf("client.AttachMedia: %w", err)
	}
	queued, err := c.writeMedia(id, e)
	if err != nil {
		return "", fmt.Errorf("client.AttachMedia: %w", err)
	}
	if err := c.inTx(ctx, func(tx *sql.Tx) error { return queueMedia(tx, queued) }); err != nil {
		return "", fmt.Errorf("client.AttachMedia: %w", err)
	}
	return id, nil
}

func checkEvidence(e Evidence) error {
	var problems []string
	if e.InspectionID == "" {
		problems = append(problems, "an inspection id")
	}
	if e.Kind != KindPhoto && e.Kind != KindSignature && e.Kind != KindAttachment {
		problems = append(problems, "a kind (photo, signature or attachment)")
	}
	if e.ContentType == "" {
		problems = append(problems, "a content type")
	}
	if len(e.Data) == 0 {
		problems = append(problems, "some bytes")
	}
	if (e.Kind == KindSignature) != (e.Signature != nil) {
		problems = append(problems, "a signature block exactly when the kind is signature")
	}
	if len(problems) > 0 {
		return errors.New("evidence needs " + strings.Join(problems, ", "))
	}
	return nil
}

// queuedMedia is a media row about to be inserted: its file is written.
type queuedMedia struct {
	Evidence
	ID, SHA256, File, SignatureJSON string
}

// writeMedia stores the bytes in a file of their own under the state
// directory: written to a temporary name, synced, renamed and the
// directory synced, so that a queued row never names a missing or partial
// file. A crash before the row is committed leaves only an unused file.
func (c *Client) writeMedia(id string, e Evidence) (queuedMedia, error) {
	sum := sha256.Sum256(e.Data)
	q := queuedMedia{Evidence: e, ID: id, SHA256: hex.EncodeToString(sum[:]), File: filepath.Join("media", id)}
	if e.Signature != nil {
		raw, err := json.Marshal(e.Signature)
		if err != nil {
			return q, err
		}
		q.SignatureJSON = string(raw)
	}
	if q.CapturedAt.IsZero() {
		q.CapturedAt = time.Now()
	}
	dir := filepath.Join(c.opts.StateDir, "media")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return q, err
	}
	return q, writeSynced(dir, id, e.Data)
}

func writeSynced(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// queueMedia inserts the row of a written file, in the caller's transaction.
func queueMedia(tx *sql.Tx, q queuedMedia) error {
	_, err := tx.Exec(`INSERT INTO media (id, inspection_id, path, kind, content_type, sha256, size, file, signature, captured_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, q.ID, q.InspectionID, q.Path, q.Kind, q.ContentType, q.SHA256, len(q.Data), q.File,
		nullable(q.SignatureJSON), q.CapturedAt.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("media queue: %w", err)
	}
	return nil
}

// MediaQueue lists the device's media in the order they were taken.
func (c *Client) MediaQueue(ctx context.Context) ([]Media, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT id, inspection_id, path, kind, content_type, sha256, size, state, attempts,
coalesce(last_error, '') FROM media ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("client.MediaQueue: %w", err)
	}
	defer rows.Close()
	var out []Media
	for rows.Next() {
		var m Media
		if err := rows.Scan(&m.ID, &m.InspectionID, &m.Path, &m.Kind, &m.ContentType, &m.SHA256, &m.Size, &m.State,
			&m.Attempts, &m.LastError); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
