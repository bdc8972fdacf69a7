package media

import (
	"context"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// CollectArgs is the periodic sweep: orphans out, missing thumbnails in.
type CollectArgs struct {
	GraceSeconds int64 `json:"grace_seconds"`
}

// Kind names the job.
func (CollectArgs) Kind() string { return "media.collect" }

// sweepBatch bounds the rows one sweep handles per organisation; the next
// run takes the rest.
const sweepBatch = 500

// collectAttempts is how many times the sweep tries to mark one orphan
// whose row changed under it before leaving it to the next sweep.
const collectAttempts = 3

// Collect deletes the bytes of media declared more than the grace period
// ago and never linked to a submitted inspection, marking their rows
// deleted (a phone may declare them again), drops multipart uploads no row
// waits for, and makes thumbnails that a lost job left out.
func (s *Service) Collect(ctx context.Context, args CollectArgs) error {
	const op = "media.Collect"
	orgs, err := s.db.Read(ctx).OrgIDs()
	if err != nil {
		return errs.Wrap(op, err)
	}
	before := time.Now().UTC().Add(-time.Duration(args.GraceSeconds) * time.Second)
	for _, org := range orgs {
		orgCtx := principal.AsSystem(ctx, org, args.Kind())
		if err := s.collectOrphans(orgCtx, before); err != nil {
			return errs.Wrap(op, err)
		}
		if err := s.dropStaleUploads(orgCtx, org, before); err != nil {
			return errs.Wrap(op, err)
		}
		if err := s.catchUpThumbnails(orgCtx); err != nil {
			return errs.Wrap(op, err)
		}
	}
	return nil
}

func (s *Service) collectOrphans(ctx context.Context, before time.Time) error {
	rows, err := s.db.Read(ctx).OrphanMedia(before, sweepBatch)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if err := s.collect(ctx, row); err != nil {
			return err
		}
	}
	if len(rows) > 0 {
		s.log.Info("media orphans collected", "count", len(rows))
	}
	return nil
}

// collect marks one orphan deleted first, then removes its bytes unless a
// deduplicated twin still uses them. A crash in between leaves bytes no
// row names, which costs space but never breaks a live row.
func (s *Service) collect(ctx context.Context, row store.Media) error {
	var collected, shared bool
	var marked store.Media // the row as the mark found it: its upload, object and thumbnail
	mark := func(tx *store.Tx) error {
		current, err := tx.Media(row.ID)
		if err != nil || current.LinkedAt != nil || current.Status == Deleted {
			return err // linked or gone meanwhile: nothing to do
		}
		marked = current
		expected := current.Version
		current.Status, current.DeletedAt, current.UploadID, current.Version = Deleted, &tx.Now, nil, current.Version+1
		if err := tx.UpdateMedia(&current, expected); err != nil {
			return err
		}
		collected = true
		shared, err = tx.ObjectShared(current.ObjectKey, current.ID)
		return err
	}
	// The row may change between its read and the mark: a thumbnail
	// written for it (the job of a photo just stored), a twin declared on
	// its object. Such a change leaves it an orphan or links it, and the
	// mark reads it again to see which; only a row that keeps changing is
	// left to the next sweep.
	err := s.db.InTx(ctx, mark)
	for attempt := 1; errs.Is(err, errs.Stale) && attempt < collectAttempts; attempt++ {
		err = s.db.InTx(ctx, mark)
	}
	if errs.Is(err, errs.Stale) {
		return nil // changed each time; the next sweep looks again
	}
	if err != nil || !collected {
		return err
	}
	if marked.UploadID != nil {
		s.abort(ctx, marked.ObjectKey, *marked.UploadID)
	}
	if !shared {
		if err := s.blobs.Delete(ctx, marked.ObjectKey); err != nil {
			return err
		}
	}
	if marked.ThumbnailKey != nil && *marked.ThumbnailKey != "" {
		return s.blobs.Delete(ctx, *marked.ThumbnailKey)
	}
	return nil
}

// dropStaleUploads aborts multipart uploads older than the grace period
// that no pending row is waiting for.
func (s *Service) dropStaleUploads(ctx context.Context, org string, before time.Time) error {
	prefix := "orgs/" + org + "/media/"
	uploads, err := s.blobs.ListIncomplete(ctx, prefix)
	if err != nil {
		return err
	}
	for _, upload := range uploads {
		if upload.Initiated.After(before) {
			continue
		}
		row, err := s.db.Read(ctx).Media(strings.TrimPrefix(upload.Key, prefix))
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		waiting := err == nil && row.Status == Pending && row.UploadID != nil && *row.UploadID == upload.UploadID
		if !waiting {
			s.abort(ctx, upload.Key, upload.UploadID)
		}
	}
	return nil
}

func (s *Service) catchUpThumbnails(ctx context.Context) error {
	rows, err := s.db.Read(ctx).MediaWithoutThumbnail(sweepBatch)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if err := s.MakeThumbnail(ctx, ThumbnailArgs{OrgID: row.OrgID, MediaID: row.ID}); err != nil {
			s.log.Warn("thumbnail in sweep", "media_id", row.ID, "err", err)
		}
	}
	return nil
}
