package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/patrolsync/patrolsync/internal/mutation"
)

// mediaUpload is how the server wants the bytes: one PUT, or one PUT per
// part of PartSize bytes.
type mediaUpload struct {
	Method   string            `json:"method"`
	URL      string            `json:"url"`
	Headers  map[string]string `json:"headers"`
	PartSize int64             `json:"part_size"`
	Parts    []partUpload      `json:"parts"`
}

type partUpload struct {
	Number  int               `json:"number"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
}

// queueRow is a media row with what sending it needs.
type queueRow struct {
	Media
	File, Signature, CapturedAt string
	PartSize                    int64
}

// maxUploadRounds bounds how often one media is declared and sent again
// within one push after the server found its bytes missing or wrong.
const maxUploadRounds = 3

// sendMedia takes every media not stored yet through declare, upload and
// complete, oldest first. It runs before each push batch, so that every
// media an answer names is declared before the submit that needs it. A
// media the server refuses for good is marked failed and skipped (its
// inspection's submit will say why); any other error stops the push.
func (c *Client) sendMedia(ctx context.Context) error {
	rows, err := c.unsentMedia(ctx)
	if err != nil {
		return fmt.Errorf("media queue: %w", err)
	}
	for _, r := range rows {
		if err := c.sendOne(ctx, r); err != nil {
			c.noteMediaError(ctx, r.ID, err)
			return fmt.Errorf("media %s: %w", r.ID, err)
		}
	}
	return nil
}

func (c *Client) unsentMedia(ctx context.Context) ([]queueRow, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT id, inspection_id, path, kind, content_type, sha256, size, state, attempts,
file, coalesce(signature, ''), captured_at, part_size FROM media WHERE state NOT IN ('stored', 'failed') ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []queueRow
	for rows.Next() {
		var r queueRow
		if err := rows.Scan(&r.ID, &r.InspectionID, &r.Path, &r.Kind, &r.ContentType, &r.SHA256, &r.Size, &r.State,
			&r.Attempts, &r.File, &r.Signature, &r.CapturedAt, &r.PartSize); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// sendOne resumes one media from its recorded state. Every step is
// idempotent on the server, so a crash between a step and its record here
// only repeats the step.
func (c *Client) sendOne(ctx context.Context, r queueRow) error {
	if _, err := c.db.ExecContext(ctx, `UPDATE media SET attempts = attempts + 1 WHERE id = ?`, r.ID); err != nil {
		return err
	}
	data, err := c.mediaBytes(r)
	if err != nil {
		return c.failMedia(ctx, r.ID, err) // no upload can fix a damaged local file
	}
	var last error
	for range maxUploadRounds {
		if r.State == MediaUploaded {
			stored, err := c.completeMedia(ctx, r)
			if err != nil || stored {
				return err
			}
			r.State = MediaDeclared // the bytes are missing or were wrong: send them again
			continue
		}
		upload, stored, err := c.uploadPlan(ctx, &r)
		if refused(err) {
			return c.failMedia(ctx, r.ID, err)
		}
		if err != nil {
			return err
		}
		if stored {
			return c.setMediaState(ctx, r.ID, MediaStored, r.PartSize)
		}
		err = c.uploadBytes(ctx, r, upload, data)
		if refused(err) {
			last = err // an expired URL, or a store that refused the bytes: declare again for fresh URLs
			r.State = MediaQueued
			continue
		}
		if err != nil {
			return err
		}
		if err := c.setMediaState(ctx, r.ID, MediaUploaded, r.PartSize); err != nil {
			return err
		}
		r.State = MediaUploaded
	}
	return c.failMedia(ctx, r.ID, fmt.Errorf("not stored after %d uploads: %w", maxUploadRounds, last))
}

// refused reports an answer that repeating the same request cannot change.
func refused(err error) bool { return StatusOf(err) != 0 }

// mediaBytes reads the queued file back and checks it is what was queued.
func (c *Client) mediaBytes(r queueRow) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(c.opts.StateDir, r.File))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != r.SHA256 || int64(len(data)) != r.Size {
		return nil, errors.New("the local file changed since it was queued")
	}
	return data, nil
}

// uploadPlan asks the server where the bytes go. A multipart upload that
// was under way asks which parts arrived; anything else is declared
// (again: the same content gets the same answer with fresh URLs).
func (c *Client) uploadPlan(ctx context.Context, r *queueRow) (mediaUpload, bool, error) {
	if r.State == MediaDeclared && r.PartSize > 0 {
		var parts struct {
			Status   string       `json:"status"`
			PartSize int64        `json:"part_size"`
			Missing  []partUpload `json:"missing"`
		}
		err := c.callJSON(ctx, http.MethodGet, "/v1/media/"+r.ID+"/parts", nil, nil, &parts, true)
		switch {
		case err == nil && parts.Status == "stored":
			return mediaUpload{}, true, nil
		case err == nil && parts.Status == "pending":
			return mediaUpload{Method: http.MethodPut, PartSize: parts.PartSize, Parts: parts.Missing}, false, nil
		case err != nil && !refused(err):
			return mediaUpload{}, false, err
		}
		// Collected, or no longer in parts: declaring again tells.
	}
	var declared struct {
		Status string       `json:"status"`
		Upload *mediaUpload `json:"upload"`
	}
	if err := c.callJSON(ctx, http.MethodPost, "/v1/media", nil, declaration(*r), &declared, true); err != nil {
		return mediaUpload{}, false, err
	}
	if declared.Status == "stored" || declared.Upload == nil {
		return mediaUpload{}, true, nil
	}
	r.PartSize = declared.Upload.PartSize
	if err := c.setMediaState(ctx, r.ID, MediaDeclared, r.PartSize); err != nil {
		return mediaUpload{}, false, err
	}
	r.State = MediaDeclared
	return *declared.Upload, false, nil
}

// declaration is the POST /v1/media body of a queued medium.
func declaration(r queueRow) mutation.Declare {
	in := mutation.Declare{ID: r.ID, SHA256: r.SHA256, Size: r.Size, ContentType: r.ContentType, Kind: r.Kind,
		InspectionID: r.InspectionID, ItemKey: itemKey(r.Path), CapturedAt: r.CapturedAt}
	if r.Signature != "" {
		in.Signature = &mutation.Signature{}
		if err := json.Unmarshal([]byte(r.Signature), in.Signature); err != nil {
			in.Signature = nil // written by enqueue from a Signature: cannot happen
		}
	}
	return in
}

// itemKey is the key of the item a JSON pointer names: its last token
// that is not a repeat index.
func itemKey(path string) string {
	tokens := strings.Split(strings.TrimPrefix(path, "/"), "/")
	key := tokens[len(tokens)-1]
	key = strings.ReplaceAll(strings.ReplaceAll(key, "~1", "/"), "~0", "~")
	if len(key) > 200 {
		key = key[:200]
	}
	return key
}

// uploadBytes sends the bytes where the server said: one PUT, or each
// part still missing, recording each part as it lands.
func (c *Client) uploadBytes(ctx context.Context, r queueRow, upload mediaUpload, data []byte) error {
	if upload.PartSize <= 0 {
		return c.put(ctx, upload.Method, upload.URL, upload.Headers, data)
	}
	for _, part := range upload.Parts {
		start := int64(part.Number-1) * upload.PartSize
		if part.Number < 1 || start >= int64(len(data)) {
			return fmt.Errorf("the server asked for part %d of a %d-byte blob", part.Number, len(data))
		}
		end := min(start+upload.PartSize, int64(len(data)))
		if err := c.put(ctx, part.Method, part.URL, part.Headers, data[start:end]); err != nil {
			return fmt.Errorf("part %d: %w", part.Number, err)
		}
		if _, err := c.db.ExecContext(ctx, `UPDATE media SET parts_done = parts_done + 1 WHERE id = ?`, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// put sends bytes to a presigned URL with exactly its headers, retried
// like any API call: a PUT of the same bytes is idempotent.
func (c *Client) put(ctx context.Context, method, target string, headers map[string]string, body []byte) error {
	if method == "" {
		method = http.MethodPut
	}
	if headers == nil {
		headers = map[string]string{}
	}
	if _, err := c.call(ctx, request{method: method, target: target, headers: headers, body: body}); err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	c.counters.mediaPuts.Add(1)
	return nil
}

// completeMedia asks the server to check the bytes. It reports false when
// they must be sent again: 409 (missing) or 422 (wrong, and deleted).
func (c *Client) completeMedia(ctx context.Context, r queueRow) (bool, error) {
	var view struct {
		Status string `json:"status"`
	}
	err := c.callJSON(ctx, http.MethodPost, "/v1/media/"+r.ID+"/complete", nil, nil, &view, true)
	switch status := StatusOf(err); {
	case err == nil && view.Status == "stored":
		return true, c.setMediaState(ctx, r.ID, MediaStored, r.PartSize)
	case err == nil:
		return false, fmt.Errorf("complete answered %q", view.Status)
	case status == http.StatusConflict || status == http.StatusUnprocessableEntity:
		c.log.Info("media bytes missing or wrong; sending again", "media", r.ID, "err", err)
		return false, c.setMediaState(ctx, r.ID, MediaDeclared, r.PartSize)
	case refused(err):
		return false, c.failMedia(ctx, r.ID, err)
	default:
		return false, err
	}
}

func (c *Client) setMediaState(ctx context.Context, id, state string, partSize int64) error {
	_, err := c.db.ExecContext(ctx, `UPDATE media SET state = ?, part_size = ?,
parts_done = CASE WHEN ? = 'uploaded' THEN parts_done ELSE 0 END, last_error = NULL WHERE id = ?`, state, partSize, state, id)
	return err
}

// failMedia gives a media up for good; the push goes on without it.
func (c *Client) failMedia(ctx context.Context, id string, cause error) error {
	c.log.Warn("media refused; giving it up", "media", id, "err", cause)
	_, err := c.db.ExecContext(ctx, `UPDATE media SET state = 'failed', last_error = ? WHERE id = ?`, cause.Error(), id)
	return err
}

func (c *Client) noteMediaError(ctx context.Context, id string, cause error) {
	_, err := c.db.ExecContext(ctx, `UPDATE media SET last_error = ? WHERE id = ?`, cause.Error(), id)
	if err != nil && ctx.Err() == nil {
		c.log.Warn("note media error", "err", err)
	}
}
