package media

import (
	"context"
	"io"

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

// Thumbnail returns a thumbnail's bytes for reports rendered on the
// server. A thumbnail not made yet, or media without one, is NotFound so
// that the report leaves the photo out instead of failing.
func (s *Service) Thumbnail(ctx context.Context, id string) ([]byte, string, error) {
	const op = "media.Thumbnail"
	row, err := s.visible(ctx, id)
	if err != nil {
		return nil, "", errs.Wrap(op, err)
	}
	if row.ThumbnailKey == nil || *row.ThumbnailKey == "" {
		return nil, "", errs.E(op, errs.NotFound, "this media has no thumbnail yet")
	}
	body, _, err := s.blobs.Get(ctx, *row.ThumbnailKey)
	if err != nil {
		return nil, "", errs.Wrap(op, err)
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, 4<<20))
	if err != nil {
		return nil, "", errs.E(op, errs.Unavailable, err)
	}
	return data, "image/jpeg", nil
}
