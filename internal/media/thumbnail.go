package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/jpeg"

	"github.com/disintegration/imaging"
	_ "golang.org/x/image/webp" // registers the WebP decoder with image.Decode

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/jobs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// ThumbnailSize bounds a thumbnail's longer side, in pixels.
const ThumbnailSize = 320

// ThumbnailArgs is the job that makes one media's thumbnail.
type ThumbnailArgs struct {
	OrgID   string `json:"org_id"`
	MediaID string `json:"media_id"`
}

// Kind names the job.
func (ThumbnailArgs) Kind() string { return "media.thumbnail" }

// Queue puts thumbnails on the one-worker background queue: nobody waits
// for them, and four at once (the default queue's workers) could take both
// cores from the pushes at the day's peak (branch day17b,
// docs/benchmarks.md).
func (ThumbnailArgs) Queue() string { return jobs.Background }

// enqueueThumbnail asks for a thumbnail after the row was committed. A
// failure is only logged: the orphan sweep makes missing thumbnails too.
func (s *Service) enqueueThumbnail(ctx context.Context, row store.Media) {
	if s.jobs == nil || row.Status != Stored || !isImage(row.ContentType) {
		return
	}
	p, _ := principal.From(ctx)
	if err := s.jobs.Enqueue(ctx, ThumbnailArgs{OrgID: p.OrgID, MediaID: row.ID}); err != nil {
		s.log.Warn("enqueue thumbnail", "media_id", row.ID, "err", err)
	}
}

// MakeThumbnail decodes a stored image (respecting its EXIF orientation),
// fits it in ThumbnailSize pixels, stores it as JPEG and records it.
// Running it again does nothing; an image that does not decode is marked
// as having no thumbnail rather than retried forever.
func (s *Service) MakeThumbnail(ctx context.Context, args ThumbnailArgs) error {
	const op = "media.MakeThumbnail"
	ctx = principal.AsSystem(ctx, args.OrgID, args.Kind())
	row, err := s.db.Read(ctx).Media(args.MediaID)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	if err != nil {
		return errs.Wrap(op, err)
	}
	if row.Status != Stored || row.ThumbnailKey != nil || !isImage(row.ContentType) {
		return nil
	}
	key, err := s.renderThumbnail(ctx, row)
	if err != nil {
		return errs.Wrap(op, err)
	}
	return errs.Wrap(op, retryStale(func() error {
		return s.db.InTx(ctx, func(tx *store.Tx) error {
			current, err := tx.Media(row.ID)
			if err != nil || current.ThumbnailKey != nil {
				return err
			}
			expected := current.Version
			current.ThumbnailKey, current.Version = &key, current.Version+1
			return tx.UpdateMedia(&current, expected)
		})
	}))
}

// renderThumbnail returns the thumbnail's key, or "" when the image does
// not decode.
func (s *Service) renderThumbnail(ctx context.Context, row store.Media) (string, error) {
	reader, _, err := s.blobs.Get(ctx, row.ObjectKey)
	if err != nil {
		return "", err
	}
	defer reader.Close()
	img, err := imaging.Decode(reader, imaging.AutoOrientation(true))
	if err != nil {
		s.log.Warn("thumbnail: image does not decode", "media_id", row.ID, "err", err)
		return "", nil
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, fitThumbnail(img), &jpeg.Options{Quality: 80}); err != nil {
		return "", errs.E("media.renderThumbnail", errs.Internal, err)
	}
	sum := sha256.Sum256(out.Bytes())
	key := thumbnailKey(row.OrgID, row.ID)
	if err := s.blobs.Put(ctx, key, bytes.NewReader(out.Bytes()), int64(out.Len()), "image/jpeg", hex.EncodeToString(sum[:])); err != nil {
		return "", err
	}
	return key, nil
}

// fitThumbnail shrinks img to fit in ThumbnailSize pixels by averaging the
// source pixels under each thumbnail pixel (imaging.Box, which widens with
// the scale: OpenCV's INTER_AREA, the usual filter for shrinking). Lanczos
// buys a sharpness nobody sees at 320 pixels for 1.8 times the CPU of a
// whole thumbnail job (decode, resize, encode: 14.4 against 7.7 ms for the
// day scenario's 640×480 photo), and the job runs beside the pushes
// (branch day17, docs/benchmarks.md).
func fitThumbnail(img image.Image) image.Image {
	return asRGBA(imaging.Fit(img, ThumbnailSize, ThumbnailSize, imaging.Box))
}

// asRGBA turns imaging's NRGBA result into the RGBA image it equals, in
// place: image/jpeg encodes RGBA straight from its bytes, while NRGBA goes
// through a colour interface call per pixel, which was a third of the
// thumbnail job's CPU (branch day17b). The two layouts differ only where
// a pixel is not opaque, which RGBA stores premultiplied.
func asRGBA(img *image.NRGBA) *image.RGBA {
	pix := img.Pix
	for i := 3; i < len(pix); i += 4 {
		if alpha := uint32(pix[i]); alpha != 0xff {
			for c := i - 3; c < i; c++ {
				pix[c] = uint8((uint32(pix[c])*alpha + 0x7f) / 0xff)
			}
		}
	}
	return &image.RGBA{Pix: pix, Stride: img.Stride, Rect: img.Rect}
}
