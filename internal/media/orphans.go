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
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		current, err := tx.Media(row.ID)
		if err != nil || current.LinkedAt != nil || current.Status == Deleted {
			return err // linked or gone meanwhile: nothing to do
		}
		expected := current.Version
		current.Status, current.DeletedAt, current.UploadID, current.Version = Deleted, &tx.Now, nil, current.Version+1
		if err := tx.UpdateMedia(&current, expected); err != nil {
			return err
		}
		collected = true
		shared, err = tx.ObjectShared(current.ObjectKey, current.ID)
		return err
	})
	if errs.Is(err, errs.Stale) {
		return nil // changed meanwhile; the next sweep looks again
	}
	if err != nil || !collected {
		return err
	}
	if row.UploadID != nil {
		s.abort(ctx, row.ObjectKey, *row.UploadID)
	}
	if !shared {
		if err := s.blobs.Delete(ctx, row.ObjectKey); err != nil {
			return err
		}
	}
	if row.ThumbnailKey != nil && *row.ThumbnailKey != "" {
		return s.blobs.Delete(ctx, *row.ThumbnailKey)
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
