// Package records keeps the organisation's records the way the
// regulations ask: registers (inspections, hazards with their
// rectification, handovers) readable as JSON and CSV, printable inspection
// reports, and retention — no record is deleted before its retention
// period ends, and a deletion after it is an audited administrator action.
// It never deletes anything without checking retention first.
package records

import (
	"context"
	"slices"
	"time"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/inspection"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Retention limits, in days.
const (
	MinRetentionDays = 1
	MaxRetentionDays = 36500
)

// Service serves registers, reports and retention.
type Service struct {
	db          *store.DB
	inspections *inspection.Service
	photos      PhotoSource
}

// PhotoSource returns a photo's thumbnail (JPEG or PNG bytes and content
// type) by media id; NotFound when it has none yet. The media service
// provides it; nil means reports print photo ids without images.
type PhotoSource func(ctx context.Context, mediaID string) ([]byte, string, error)

// NewService builds the service; photos may be nil.
func NewService(db *store.DB, inspections *inspection.Service, photos PhotoSource) *Service {
	return &Service{db: db, inspections: inspections, photos: photos}
}

// OrgSettings is the organisation-wide settings an admin may change; a
// field left out stays as it is, and at least one must be given.
type OrgSettings struct {
	RetentionDays *int    `json:"retention_days"`
	Language      *string `json:"language"`
}

// Languages are those an organisation may choose (checklists.RequiredLanguages).
var Languages = []string{"zh-CN", "en"}

// OrgView is the organisation as admins see it.
type OrgView struct {
	ID            string    `json:"id"`
	Slug          string    `json:"slug"`
	Name          string    `json:"name"`
	RetentionDays int       `json:"retention_days"`
	Language      string    `json:"language"`
	CreatedAt     time.Time `json:"created_at"`
}

// UpdateOrg changes the organisation's retention period and language
// (audited, each change with what it was).
func (s *Service) UpdateOrg(ctx context.Context, in OrgSettings) (OrgView, error) {
	const op = "records.UpdateOrg"
	fields := map[string]string{}
	if in.RetentionDays != nil && (*in.RetentionDays < MinRetentionDays || *in.RetentionDays > MaxRetentionDays) {
		fields["/retention_days"] = "whole days from 1 to 36500"
	}
	if in.Language != nil && !slices.Contains(Languages, *in.Language) {
		fields["/language"] = "must be one of zh-CN, en"
	}
	if in.RetentionDays == nil && in.Language == nil {
		fields["/retention_days"] = "required unless language is given"
	}
	if len(fields) > 0 {
		return OrgView{}, errs.Fields(op, fields)
	}
	var org store.Org
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		before, err := tx.CallerOrg()
		if err != nil {
			return err
		}
		if in.RetentionDays != nil {
			if err := tx.SetOrgRetention(*in.RetentionDays); err != nil {
				return err
			}
			audit.Append(tx, "org.retention_changed", "org", before.ID, map[string]any{"from": before.RetentionDays,
				"to": *in.RetentionDays})
		}
		if in.Language != nil && *in.Language != before.Language {
			if err := tx.SetOrgLanguage(*in.Language); err != nil {
				return err
			}
			audit.Append(tx, "org.language_changed", "org", before.ID, map[string]any{"from": before.Language,
				"to": *in.Language})
		}
		org, err = tx.CallerOrg()
		return err
	})
	if err != nil {
		return OrgView{}, errs.Wrap(op, err)
	}
	return OrgView{ID: org.ID, Slug: org.Slug, Name: org.Name, RetentionDays: org.RetentionDays, Language: org.Language,
		CreatedAt: org.CreatedAt}, nil
}

// retainedUntil is when an inspection's retention ends: its template's
// period, else the organisation's, counted from its last change.
func retainedUntil(tx *store.Tx, row store.Inspection) (time.Time, error) {
	days, err := tx.TemplateRetentionDays(row.TemplateID)
	if err != nil {
		return time.Time{}, err
	}
	if days == nil {
		org, err := tx.CallerOrg()
		if err != nil {
			return time.Time{}, err
		}
		days = &org.RetentionDays
	}
	return row.UpdatedAt.UTC().AddDate(0, 0, *days), nil
}

// DeleteInspection deletes an inspection whose retention has ended: within
// it the answer is Conflict naming the date it becomes deletable. The
// deletion is audited with what was deleted, and phones get a tombstone.
func (s *Service) DeleteInspection(ctx context.Context, id string) error {
	const op = "records.DeleteInspection"
	p, _ := principal.From(ctx)
	return errs.Wrap(op, s.db.InTx(ctx, func(tx *store.Tx) error {
		row, err := tx.Inspection(id)
		if err == nil && !inspection.CanSee(p, row.SiteID, row.OwnerID) {
			err = errs.E(op, errs.NotFound, "not found")
		}
		if err != nil {
			return err
		}
		until, err := retainedUntil(tx, row)
		if err != nil {
			return err
		}
		if tx.Now.Before(until) {
			return errs.E(op, errs.Conflict, "the inspection is under retention until "+until.Format(time.RFC3339)+
				"; it can be deleted from then on")
		}
		if err := tx.DeleteInspection(id); err != nil {
			return err
		}
		audit.Append(tx, "inspection.deleted", "inspection", id, map[string]any{"site_id": row.SiteID,
			"template_key": row.TemplateKey, "template_version": row.TemplateVersion, "owner_id": row.OwnerID,
			"status": row.Status, "content_hash": row.ContentHash, "retained_until": until})
		tx.RecordChange(store.Change{EntityType: "inspection", EntityID: id, Op: "delete", Version: row.Version + 1,
			Audience: store.AudienceOwner, SiteID: &row.SiteID, OwnerID: &row.OwnerID})
		return nil
	}))
}
