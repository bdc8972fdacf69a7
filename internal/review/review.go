// Package review is the supervisor's side of an inspection: the queue of
// submitted inspections, sign-off bound to the content digest the
// supervisor saw, and sending an inspection back with comments per item.
// An approved inspection is frozen: nothing here, in sync or in the API
// changes it again. It never signs off while evidence is still uploading.
package review

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/inspection"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Service runs review actions.
type Service struct {
	db          *store.DB
	inspections *inspection.Service
}

// NewService builds the service.
func NewService(db *store.DB, inspections *inspection.Service) *Service {
	return &Service{db: db, inspections: inspections}
}

// Signature is how the supervisor signed: a stored signature image, or the
// pen strokes captured on the tablet.
type Signature struct {
	MediaID *string       `json:"media_id,omitempty"`
	Strokes [][][]float64 `json:"strokes,omitempty"`
	Name    string        `json:"name,omitempty"`
}

// ApproveInput is the body of a sign-off.
type ApproveInput struct {
	Signature *Signature `json:"signature"`
	Comment   string     `json:"comment"`
}

// ReturnInput is the body of sending an inspection back: a general
// comment and comments per item path (/door_locked, /extinguishers/0/ok).
type ReturnInput struct {
	Comment string            `json:"comment"`
	Items   map[string]string `json:"items"`
}

// Queue lists the submitted inspections a supervisor may sign off.
func (s *Service) Queue(ctx context.Context, f inspection.Filter, page store.Page) ([]inspection.View, string, error) {
	f.Status = inspection.Submitted
	return s.inspections.List(ctx, f, page)
}

// Approve signs an inspection off. ifMatch is the content hash the
// supervisor reviewed; a different current hash is Stale (412).
func (s *Service) Approve(ctx context.Context, id, ifMatch string, in ApproveInput) (inspection.Detail, error) {
	const op = "review.Approve"
	signature, _ := json.Marshal(map[string]any{"signature": in.Signature, "comment": in.Comment})
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		row, err := s.visible(ctx, tx, id)
		if err != nil {
			return err
		}
		fields := map[string]string{}
		ifMatch = etag(ifMatch)
		if ifMatch == "" {
			fields["/headers/If-Match"] = "required: the content_hash of the inspection you reviewed"
		}
		checkSignature(fields, in.Signature)
		if len([]rune(in.Comment)) > 5000 {
			fields["/comment"] = "at most 5000 characters"
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		if err := reviewable(ctx, row); err != nil {
			return err
		}
		if row.ContentHash == nil || *row.ContentHash != ifMatch {
			return errs.E(op, errs.Stale, "the inspection changed since you reviewed it: reload it and review again")
		}
		if row.MediaPending {
			return errs.E(op, errs.Conflict, "photos or signatures of this inspection are still uploading: sign off once they are stored")
		}
		p, _ := principal.From(ctx)
		expected := row.Version
		row.Status, row.ApprovedBy, row.ApprovedAt, row.ApprovedHash = inspection.Approved, &p.UserID, &tx.Now, row.ContentHash
		row.Signature, row.Version = signature, row.Version+1
		detail := map[string]any{"comment": in.Comment, "signature": signatureKind(in.Signature)}
		if err := write(tx, &row, expected, p.UserID, "approved", detail); err != nil {
			return err
		}
		audit.Append(tx, "inspection.approved", "inspection", row.ID, map[string]any{"content_hash": *row.ContentHash,
			"comment": in.Comment, "signature": signatureKind(in.Signature), "version": row.Version})
		return nil
	})
	if err != nil {
		return inspection.Detail{}, errs.Wrap(op, err)
	}
	return s.inspections.Get(ctx, id)
}

// Return sends a submitted inspection back to its guard's device with
// comments; the device fixes answers and submits again.
func (s *Service) Return(ctx context.Context, id string, in ReturnInput) (inspection.Detail, error) {
	const op = "review.Return"
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		row, err := s.visible(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := checkReturn(in); err != nil {
			return err
		}
		if err := reviewable(ctx, row); err != nil {
			return err
		}
		p, _ := principal.From(ctx)
		expected := row.Version
		row.Status, row.Version = inspection.Returned, row.Version+1
		detail := map[string]any{"comment": in.Comment, "items": nonNil(in.Items)}
		if err := write(tx, &row, expected, p.UserID, "returned", detail); err != nil {
			return err
		}
		audit.Append(tx, "inspection.returned", "inspection", row.ID, map[string]any{"content_hash": row.ContentHash,
			"comment": in.Comment, "items": nonNil(in.Items), "version": row.Version})
		return nil
	})
	if err != nil {
		return inspection.Detail{}, errs.Wrap(op, err)
	}
	return s.inspections.Get(ctx, id)
}

// visible loads an inspection the caller may see.
func (s *Service) visible(ctx context.Context, tx *store.Tx, id string) (store.Inspection, error) {
	p, _ := principal.From(ctx)
	row, err := tx.Inspection(id)
	if err == nil && !inspection.CanSee(p, row.SiteID, row.OwnerID) {
		err = errs.E("review", errs.NotFound, "not found")
	}
	return row, err
}

// reviewable checks that the caller may review an inspection: submitted,
// and not their own work.
func reviewable(ctx context.Context, row store.Inspection) error {
	const op = "review"
	p, _ := principal.From(ctx)
	switch row.Status {
	case inspection.Approved:
		return errs.E(op, errs.Conflict, "the inspection is signed off and frozen")
	case inspection.Submitted:
	default:
		return errs.E(op, errs.Conflict, "only a submitted inspection can be reviewed; this one is "+row.Status)
	}
	if row.OwnerID == p.UserID {
		return errs.E(op, errs.Forbidden, "you cannot review an inspection you carried out")
	}
	return nil
}

func checkReturn(in ReturnInput) error {
	fields := map[string]string{}
	if strings.TrimSpace(in.Comment) == "" && len(in.Items) == 0 {
		fields["/comment"] = "say what to fix: a comment, item comments, or both"
	}
	for path, comment := range in.Items {
		if !strings.HasPrefix(path, "/") || len(path) > 300 {
			fields["/items/"+strings.TrimPrefix(path, "/")] = "must be keyed by an item path such as /door_locked"
		} else if strings.TrimSpace(comment) == "" || len([]rune(comment)) > 2000 {
			fields["/items"+path] = "required, at most 2000 characters"
		}
	}
	if len(fields) > 0 {
		return errs.Fields("review.Return", fields)
	}
	return nil
}

// write stores a reviewed inspection, its history and the change phones pull.
func write(tx *store.Tx, row *store.Inspection, expected int64, actorID, kind string, detail map[string]any) error {
	if err := tx.UpdateInspection(row, expected); err != nil {
		return err
	}
	raw, _ := json.Marshal(detail)
	event := store.InspectionEvent{ID: uuid.Must(uuid.NewV7()).String(), InspectionID: row.ID, Kind: kind,
		ActorID: actorID, ContentHash: row.ContentHash, Detail: raw}
	if err := tx.AddInspectionEvents([]store.InspectionEvent{event}); err != nil {
		return err
	}
	return inspection.RecordChange(tx, *row)
}

func checkSignature(fields map[string]string, sig *Signature) {
	switch {
	case sig == nil:
		fields["/signature"] = "required: a signature media id or pen strokes"
	case sig.MediaID != nil && sig.Strokes != nil:
		fields["/signature"] = "give either media_id or strokes, not both"
	case sig.MediaID != nil:
		if _, err := uuid.Parse(*sig.MediaID); err != nil {
			fields["/signature/media_id"] = "must be a media id"
		}
	case len(sig.Strokes) == 0:
		fields["/signature"] = "required: a signature media id or pen strokes"
	default:
		for _, stroke := range sig.Strokes {
			bad := len(stroke) == 0
			for _, point := range stroke {
				bad = bad || len(point) != 2
			}
			if bad {
				fields["/signature/strokes"] = "each stroke must be a non-empty array of [x, y] points"
			}
		}
	}
}

func signatureKind(sig *Signature) map[string]any {
	if sig.MediaID != nil {
		return map[string]any{"media_id": *sig.MediaID}
	}
	return map[string]any{"strokes": len(sig.Strokes)}
}

// etag accepts the hash bare or as an HTTP entity tag ("…" or W/"…").
func etag(v string) string {
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "W/"))
	return strings.Trim(v, `"`)
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
