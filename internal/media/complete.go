package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/patrolsync/patrolsync/internal/blob"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/finding"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Complete checks the uploaded bytes (size, SHA-256 and sniffed type)
// and marks the media stored; bytes that do not match are deleted and the
// phone is told to upload again. Completing a stored media answers it as
// it is.
func (s *Service) Complete(ctx context.Context, id string) (View, error) {
	const op = "media.Complete"
	row, err := s.visible(ctx, id)
	if err != nil {
		return View{}, errs.Wrap(op, err)
	}
	switch row.Status {
	case Stored:
		return ViewOf(row), nil
	case Deleted:
		return View{}, errs.E(op, errs.Conflict, "this media was collected as an orphan: declare it again")
	}
	if row.UploadID != nil {
		if err := s.joinParts(ctx, row); err != nil {
			return View{}, errs.Wrap(op, err)
		}
	}
	contentType, err := s.verify(ctx, row)
	if err != nil {
		return View{}, errs.Wrap(op, err)
	}
	stored, err := s.markStored(ctx, row, contentType)
	if err != nil {
		return View{}, errs.Wrap(op, err)
	}
	if merged := s.mergeTwins(ctx, stored); merged != "" {
		stored.ObjectKey = merged
	}
	s.enqueueThumbnail(ctx, stored)
	return ViewOf(stored), nil
}

// mergeTwins makes the stored media of the organisation that hold the same
// bytes share one object, and removes the others' objects. Declarations
// of new bytes at the same moment each upload their own copy, as none of
// them finds a stored twin; whichever completes last sees every copy
// committed and merges them all, so the copies always end as one. The
// object kept is the one with the smallest key, so that concurrent
// mergers agree. It returns the key row ends up with, "" when unchanged.
// Merging saves space only: a failure is logged and the copies stay
// usable until a later completion of the same bytes merges them.
//
// Nearly every completion has no twin: a read outside a transaction tells
// so, and only bytes held by more than one object open one (which reads
// them again). Both reads see what was committed when they ran, so the
// first one skips nothing the second would have merged; the empty
// transaction cost a BEGIN and a COMMIT for every photo (branch day17).
func (s *Service) mergeTwins(ctx context.Context, row store.Media) string {
	var keep string
	var drop []string
	err := retryStale(func() error {
		twins, err := s.db.Read(ctx).StoredWithBytes(row.SHA256, row.Size)
		if err != nil {
			return err
		}
		if keep, drop = mergePlan(twins); len(drop) == 0 {
			return nil
		}
		return s.db.InTx(ctx, func(tx *store.Tx) error {
			twins, err := tx.StoredWithBytes(row.SHA256, row.Size)
			if err != nil {
				return err
			}
			keep, drop = mergePlan(twins)
			for _, t := range twins {
				if t.ObjectKey == keep {
					continue
				}
				expected := t.Version
				t.ObjectKey, t.Version = keep, t.Version+1
				if err := tx.UpdateMedia(&t, expected); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		s.log.Warn("merge media with the same bytes", "media_id", row.ID, "err", err)
		return ""
	}
	for _, key := range drop {
		// No row names it any more; a new declaration of these bytes
		// finds the kept object, so nothing uploads here again.
		if err := s.blobs.Delete(ctx, key); err != nil && !errs.Is(err, errs.NotFound) {
			s.log.Warn("remove a merged copy", "key", key, "err", err)
		}
	}
	if keep == row.ObjectKey {
		return ""
	}
	return keep
}

// mergePlan picks the object that twins keep (the smallest key, so that
// concurrent mergers agree) and the other objects they point at, to drop.
func mergePlan(twins []store.Media) (keep string, drop []string) {
	for _, t := range twins {
		if keep == "" || t.ObjectKey < keep {
			keep = t.ObjectKey
		}
	}
	for _, t := range twins {
		if t.ObjectKey != keep && !slices.Contains(drop, t.ObjectKey) {
			drop = append(drop, t.ObjectKey)
		}
	}
	return keep, drop
}

// joinParts completes the multipart upload once every part is there. An
// upload the store no longer knows may have been completed by an earlier
// try whose answer was lost; verify then finds the object.
func (s *Service) joinParts(ctx context.Context, row store.Media) error {
	parts, err := s.blobs.ListParts(ctx, row.ObjectKey, *row.UploadID)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	byNumber := map[int]blob.Part{}
	for _, part := range parts {
		byNumber[part.Number] = part
	}
	var missing []string
	var join []blob.Part
	for number := 1; number <= partCount(row); number++ {
		part, ok := byNumber[number]
		if !ok || part.Size != partLength(row, number) {
			missing = append(missing, fmt.Sprint(number))
			continue
		}
		join = append(join, part)
	}
	if len(missing) > 0 {
		return errs.E("media.joinParts", errs.Conflict, "parts "+strings.Join(missing, ", ")+
			" have not arrived (or have the wrong size): GET /v1/media/{id}/parts and send them")
	}
	sort.Slice(join, func(i, j int) bool { return join[i].Number < join[j].Number })
	return s.blobs.CompleteMultipart(ctx, row.ObjectKey, *row.UploadID, join)
}

// verify reads the stored object back: its size, its digest (the store's
// own checksum of a single PUT, or a hash of the bytes when the store
// does not know it, as after a multipart upload) and its sniffed type.
// Bytes that fail are deleted.
func (s *Service) verify(ctx context.Context, row store.Media) (string, error) {
	const op = "media.verify"
	reader, info, err := s.blobs.Get(ctx, row.ObjectKey)
	if errs.Is(err, errs.NotFound) {
		return "", errs.E(op, errs.Conflict, "the bytes have not arrived: upload them, then complete")
	}
	if err != nil {
		return "", err
	}
	defer reader.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(reader, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", errs.E(op, errs.Unavailable, "could not read the stored bytes", err)
	}
	head = head[:n]
	digest := info.SHA256
	if digest == "" || row.UploadID != nil {
		hash := sha256.New()
		hash.Write(head)
		if _, err := io.Copy(hash, reader); err != nil {
			return "", errs.E(op, errs.Unavailable, "could not read the stored bytes", err)
		}
		digest = hex.EncodeToString(hash.Sum(nil))
	}
	contentType := sniff(head)
	fields := map[string]string{}
	if info.Size != row.Size {
		fields["/size"] = fmt.Sprintf("declared %d bytes, %d arrived: upload again", row.Size, info.Size)
	}
	if !strings.EqualFold(digest, row.SHA256) {
		fields["/sha256"] = "the bytes that arrived have another SHA-256: upload again"
	}
	if len(fields) == 0 && !allowedTypes[row.Kind][contentType] {
		fields["/content_type"] = fmt.Sprintf("the bytes are %s; a %s must be one of %s", contentType, row.Kind,
			typeList(allowedTypes[row.Kind]))
	}
	if len(fields) > 0 {
		s.reject(ctx, row)
		return "", errs.Fields(op, fields)
	}
	return contentType, nil
}

// sniff reads the type from the bytes, never from what the phone said.
func sniff(head []byte) string {
	contentType := http.DetectContentType(head)
	if i := strings.IndexByte(contentType, ';'); i >= 0 {
		contentType = contentType[:i]
	}
	return contentType
}

// reject deletes bytes that failed verification and forgets their upload,
// so that the next declaration or parts request starts afresh.
func (s *Service) reject(ctx context.Context, row store.Media) {
	if err := s.blobs.Delete(ctx, row.ObjectKey); err != nil {
		s.log.Warn("delete rejected upload", "key", row.ObjectKey, "err", err)
	}
	if row.UploadID == nil {
		return
	}
	s.abort(ctx, row.ObjectKey, *row.UploadID)
	expected := row.Version
	row.UploadID, row.Version = nil, row.Version+1
	if err := s.db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateMedia(&row, expected) }); err != nil {
		s.log.Warn("forget rejected upload", "media_id", row.ID, "err", err)
	}
}

// markStored records the blob as stored and recomputes its inspection's
// media_pending in the same transaction.
func (s *Service) markStored(ctx context.Context, row store.Media, contentType string) (store.Media, error) {
	var out store.Media
	err := retryStale(func() error {
		return s.db.InTx(ctx, func(tx *store.Tx) error {
			current, err := tx.Media(row.ID)
			if err != nil || current.Status == Stored {
				out = current
				return err
			}
			expected := current.Version
			current.Status, current.ContentType, current.UploadID = Stored, contentType, nil
			current.StoredAt, current.Version = &tx.Now, current.Version+1
			if err := tx.UpdateMedia(&current, expected); err != nil {
				return err
			}
			out = current
			return refreshPending(tx, current.InspectionID)
		})
	})
	return out, err
}

// retryStale runs fn again when a compare-and-set lost a race.
func retryStale(fn func() error) error {
	var err error
	for range 4 {
		if err = fn(); !errs.Is(err, errs.Stale) {
			return err
		}
	}
	return err
}

// visible reads a media row whose inspection the caller may see (or,
// while the inspection has not arrived, that the caller declared);
// anything else is NotFound, as if it did not exist.
func (s *Service) visible(ctx context.Context, id string) (store.Media, error) {
	tx := s.db.Read(ctx)
	row, err := tx.Media(id)
	if err != nil {
		return store.Media{}, err
	}
	_, err = visibleInspection(ctx, tx, row.InspectionID)
	if p, _ := principal.From(ctx); errs.Is(err, errs.NotFound) && row.UploadedBy == p.UserID {
		if _, absent := tx.Inspection(row.InspectionID); errs.Is(absent, errs.NotFound) {
			err = nil
		}
	}
	if errs.Is(err, errs.NotFound) {
		// Evidence of a finding's rectification is declared under the
		// finding's id, not an inspection's: whoever may see the finding
		// that names it may see it (the supervisor verifying the fix).
		if seen, linkErr := visibleThroughFinding(ctx, tx, row.ID); linkErr != nil || seen {
			err = linkErr
		}
	}
	if err != nil {
		return store.Media{}, err
	}
	return row, nil
}

// visibleThroughFinding reports whether a finding the caller may see names
// the medium.
func visibleThroughFinding(ctx context.Context, tx *store.Tx, mediaID string) (bool, error) {
	p, _ := principal.From(ctx)
	links, err := tx.MediaLinksOf(mediaID)
	if err != nil {
		return false, err
	}
	for _, link := range links {
		if link.RecordType != "finding" {
			continue
		}
		row, err := tx.Finding(link.RecordID)
		if errs.Is(err, errs.NotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		if finding.CanSee(p, row) {
			return true, nil
		}
	}
	return false, nil
}
