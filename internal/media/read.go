package media

import (
	"context"

	"github.com/patrolsync/patrolsync/internal/errs"
)

// DownloadURL is a short-lived URL of a stored blob whose inspection the
// caller may see.
func (s *Service) DownloadURL(ctx context.Context, id string) (string, error) {
	const op = "media.DownloadURL"
	row, err := s.visible(ctx, id)
	if err != nil {
		return "", errs.Wrap(op, err)
	}
	if row.Status != Stored {
		return "", errs.E(op, errs.Conflict, "the bytes of this media are not stored yet")
	}
	url, err := s.blobs.PresignGet(ctx, row.ObjectKey, s.limits.ReadTTL)
	return url, errs.Wrap(op, err)
}

// ThumbnailURL is a short-lived URL of the media's thumbnail. A thumbnail
// still being made is Conflict (ask again soon); media that cannot have one
// (a PDF, an undecodable image) is NotFound.
func (s *Service) ThumbnailURL(ctx context.Context, id string) (string, error) {
	const op = "media.ThumbnailURL"
	row, err := s.visible(ctx, id)
	if err != nil {
		return "", errs.Wrap(op, err)
	}
	switch {
	case row.ThumbnailKey != nil && *row.ThumbnailKey == "":
		return "", errs.E(op, errs.NotFound, "this media has no thumbnail")
	case row.Status == Stored && !isImage(row.ContentType):
		return "", errs.E(op, errs.NotFound, "this media has no thumbnail")
	case row.ThumbnailKey == nil:
		return "", errs.E(op, errs.Conflict, "the thumbnail is not made yet; ask again shortly")
	}
	url, err := s.blobs.PresignGet(ctx, *row.ThumbnailKey, s.limits.ReadTTL)
	return url, errs.Wrap(op, err)
}

func isImage(contentType string) bool {
	return contentType == "image/jpeg" || contentType == "image/png" || contentType == "image/webp"
}
