package media

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/inspection"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// AllStored reports whether every blob a submitted inspection's answers
// name is stored: a supervisor may sign the inspection off only then. An
// inspection the caller may not see is NotFound.
func (s *Service) AllStored(ctx context.Context, inspectionID string) (bool, error) {
	const op = "media.AllStored"
	tx := s.db.Read(ctx)
	if _, err := visibleInspection(ctx, tx, inspectionID); err != nil {
		return false, errs.Wrap(op, err)
	}
	n, err := tx.UnstoredLinkedMedia(inspectionID)
	if err != nil {
		return false, errs.Wrap(op, err)
	}
	return n == 0, nil
}

func visibleInspection(ctx context.Context, tx *store.Tx, id string) (store.Inspection, error) {
	p, _ := principal.From(ctx)
	row, err := tx.Inspection(id)
	if err == nil && !inspection.CanSee(p, row.SiteID, row.OwnerID) {
		err = errs.E("media.visible", errs.NotFound, "not found")
	}
	return row, err
}

// refreshPending clears an inspection's media_pending once nothing its
// answers name is missing, and records the change so that phones and
// tablets learn it.
func refreshPending(tx *store.Tx, inspectionID string) error {
	const op = "media.refreshPending"
	row, err := tx.Inspection(inspectionID)
	if errs.Is(err, errs.NotFound) {
		return nil // not pushed yet; its submit computes media_pending
	}
	if err != nil || !row.MediaPending {
		return errs.Wrap(op, err)
	}
	missing, err := tx.UnstoredLinkedMedia(inspectionID)
	if err != nil || missing > 0 {
		return errs.Wrap(op, err)
	}
	expected := row.Version
	row.MediaPending, row.Version = false, row.Version+1
	if err := tx.UpdateInspection(&row, expected); err != nil {
		return err
	}
	data, err := json.Marshal(inspection.ViewOf(row))
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	tx.RecordChange(store.Change{EntityType: "inspection", EntityID: row.ID, Op: "upsert", Version: row.Version,
		Audience: store.AudienceOwner, SiteID: &row.SiteID, OwnerID: &row.OwnerID, Data: data})
	return nil
}

// LinkCheck is what the submit of an inspection learns about the media
// its answers name.
type LinkCheck struct {
	Problems map[string]string // answer pointer -> what is wrong
	IDs      []string          // the distinct media ids named
	Pending  bool              // some are not stored yet
}

// MediaLookup reads media rows of the caller's organisation by id, inside
// the submitting transaction.
type MediaLookup func(ids []string) (map[string]store.Media, error)

// signs reports whether a signature medium signed exactly this answer: its
// content_digest is the answer's checklists.AnswerDigest. Other media sign
// nothing.
func signs(row store.Media, answer checklists.Answer) bool {
	if row.Kind != Signature || len(row.Signature) == 0 {
		return true
	}
	if row.SignedDigest != "" {
		return strings.EqualFold(row.SignedDigest, checklists.AnswerDigest(answer))
	}
	var signature struct {
		ContentDigest string `json:"content_digest"`
	}
	if json.Unmarshal(row.Signature, &signature) != nil {
		return false
	}
	return strings.EqualFold(signature.ContentDigest, checklists.AnswerDigest(answer))
}

// CheckLinks checks that every media id the answers name was declared in
// this organisation for this inspection, and that every signature among
// them signed the answer that names it.
func CheckLinks(lookup MediaLookup, inspectionID string, refs []Reference) (LinkCheck, error) {
	out := LinkCheck{Problems: map[string]string{}}
	seen := map[string]bool{}
	for _, ref := range refs {
		if !seen[ref.ID] {
			seen[ref.ID] = true
			out.IDs = append(out.IDs, ref.ID)
		}
	}
	rows, err := lookup(out.IDs)
	if err != nil {
		return LinkCheck{}, errs.Wrap("media.CheckLinks", err)
	}
	for _, ref := range refs {
		row, ok := rows[ref.ID]
		switch {
		case !ok:
			out.Problems[ref.Path] = "no such media: declare it with POST /v1/media first"
		case row.InspectionID != inspectionID:
			out.Problems[ref.Path] = "this media was declared for another inspection"
		case !signs(row, ref.Answer):
			out.Problems[ref.Path] = "the signature's content_digest is not the digest of this answer " +
				"(checklists.AnswerDigest): the answer changed after it was signed; sign it again"
		case row.Status != Stored:
			out.Pending = true
		}
	}
	return out, nil
}
