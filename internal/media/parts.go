package media

import (
	"context"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
)

// PartStatus tells a client resuming a large upload which parts arrived
// and where to send the rest.
type PartStatus struct {
	ID        string         `json:"id"`
	Status    string         `json:"status"`
	PartSize  int64          `json:"part_size"`
	PartCount int            `json:"part_count"`
	Received  []ReceivedPart `json:"received"`
	Missing   []PartUpload   `json:"missing"`
	ExpiresAt time.Time      `json:"expires_at"`
}

// ReceivedPart is a part the store holds.
type ReceivedPart struct {
	Number int   `json:"number"`
	Size   int64 `json:"size"`
}

// Parts answers which parts of a large upload arrived, with fresh URLs for
// the others. Only multipart uploads have parts.
func (s *Service) Parts(ctx context.Context, id string) (PartStatus, error) {
	const op = "media.Parts"
	row, err := s.visible(ctx, id)
	if err != nil {
		return PartStatus{}, errs.Wrap(op, err)
	}
	if row.Size <= s.limits.MultipartThreshold {
		return PartStatus{}, errs.E(op, errs.Conflict, "this media uploads in one PUT: declare it again for a fresh URL")
	}
	if row.Status != Pending {
		return PartStatus{ID: row.ID, Status: row.Status, PartSize: row.PartSize, PartCount: partCount(row),
			Received: []ReceivedPart{}, Missing: []PartUpload{}}, nil
	}
	return s.partStatus(ctx, &row)
}

// partStatus lists what arrived and presigns what did not. An upload that
// was dropped (a rejected complete, a collected orphan) is opened again.
func (s *Service) partStatus(ctx context.Context, row *store.Media) (PartStatus, error) {
	const op = "media.partStatus"
	if err := s.ensureUpload(ctx, row); err != nil {
		return PartStatus{}, err
	}
	parts, err := s.blobs.ListParts(ctx, row.ObjectKey, *row.UploadID)
	if err != nil {
		return PartStatus{}, errs.Wrap(op, err)
	}
	count := partCount(*row)
	out := PartStatus{ID: row.ID, Status: row.Status, PartSize: row.PartSize, PartCount: count,
		Received: []ReceivedPart{}, Missing: []PartUpload{}, ExpiresAt: time.Now().Add(s.limits.URLTTL).UTC()}
	have := map[int]bool{}
	for _, part := range parts {
		if part.Number <= count && part.Size == partLength(*row, part.Number) {
			have[part.Number] = true
			out.Received = append(out.Received, ReceivedPart{Number: part.Number, Size: part.Size})
		}
	}
	for number := 1; number <= count; number++ {
		if have[number] {
			continue
		}
		signed, err := s.blobs.PresignPart(ctx, row.ObjectKey, *row.UploadID, number, s.limits.URLTTL)
		if err != nil {
			return PartStatus{}, errs.Wrap(op, err)
		}
		out.Missing = append(out.Missing, PartUpload{Number: number, Method: signed.Method, URL: signed.URL, Headers: signed.Headers})
		out.ExpiresAt = signed.ExpiresAt
	}
	return out, nil
}

// ensureUpload opens a multipart upload for a row that has none.
func (s *Service) ensureUpload(ctx context.Context, row *store.Media) error {
	const op = "media.ensureUpload"
	if row.UploadID != nil {
		return nil
	}
	uploadID, err := s.blobs.StartMultipart(ctx, row.ObjectKey, row.DeclaredType)
	if err != nil {
		return errs.Wrap(op, err)
	}
	expected := row.Version
	updated := *row
	updated.UploadID, updated.PartSize, updated.Version = &uploadID, s.limits.PartSize, row.Version+1
	err = s.db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateMedia(&updated, expected) })
	if err != nil {
		s.abort(ctx, row.ObjectKey, uploadID)
		return errs.E(op, errs.Unavailable, "the upload changed meanwhile; ask again", time.Second, err)
	}
	*row = updated
	return nil
}

func partCount(row store.Media) int {
	if row.PartSize <= 0 {
		return 1
	}
	return int((row.Size + row.PartSize - 1) / row.PartSize)
}

// partLength is how many bytes part number must hold.
func partLength(row store.Media, number int) int64 {
	if number < partCount(row) {
		return row.PartSize
	}
	return row.Size - int64(partCount(row)-1)*row.PartSize
}
