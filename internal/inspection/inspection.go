// Package inspection shows inspections to the people allowed to see them:
// guards their own, supervisors their sites', admins all. Changing an
// inspection happens through sync mutations (internal/syncer) and review
// actions (internal/review); this package never writes.
package inspection

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// States of an inspection.
const (
	InProgress = "in_progress"
	Submitted  = "submitted"
	Approved   = "approved"
	Returned   = "returned"
)

// View is an inspection as clients see it, in the API and in pulls.
type View struct {
	ID              string          `json:"id"`
	SiteID          string          `json:"site_id"`
	TemplateID      string          `json:"template_id"`
	TemplateKey     string          `json:"template_key"`
	TemplateVersion int             `json:"template_version"`
	OwnerID         string          `json:"owner_id"`
	DeviceID        string          `json:"device_id"`
	AssignmentID    *string         `json:"assignment_id"`
	RoundID         *string         `json:"round_id"`
	Status          string          `json:"status"`
	Answers         json.RawMessage `json:"answers"`
	Context         json.RawMessage `json:"context"`
	Evaluation      json.RawMessage `json:"evaluation"`
	ContentHash     *string         `json:"content_hash"`
	Score           *float64        `json:"score"`
	Outcome         *string         `json:"outcome"`
	MediaPending    bool            `json:"media_pending"`
	Version         int64           `json:"version"`
	StartedAt       *time.Time      `json:"started_at"`
	SubmittedAt     *time.Time      `json:"submitted_at"`
	ReceivedAt      *time.Time      `json:"received_at"`
	ApprovedBy      *string         `json:"approved_by"`
	ApprovedAt      *time.Time      `json:"approved_at"`
	ApprovedHash    *string         `json:"approved_hash"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
}

// ViewOf renders a stored inspection.
func ViewOf(row store.Inspection) View {
	evaluation := json.RawMessage(row.Evaluation)
	if len(evaluation) == 0 {
		evaluation = json.RawMessage("null")
	}
	return View{ID: row.ID, SiteID: row.SiteID, TemplateID: row.TemplateID, TemplateKey: row.TemplateKey,
		TemplateVersion: row.TemplateVersion, OwnerID: row.OwnerID, DeviceID: row.DeviceID,
		AssignmentID: row.AssignmentID, RoundID: row.RoundID, Status: row.Status, Answers: row.Answers,
		Context: row.Context, Evaluation: evaluation, ContentHash: row.ContentHash, Score: row.Score,
		Outcome: row.Outcome, MediaPending: row.MediaPending, Version: row.Version, StartedAt: row.StartedAt,
		SubmittedAt: row.SubmittedAt, ReceivedAt: row.ReceivedAt, ApprovedBy: row.ApprovedBy, ApprovedAt: row.ApprovedAt,
		ApprovedHash: row.ApprovedHash, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}
}

// Event is one step of an inspection's history.
type Event struct {
	Kind        string          `json:"kind"`
	ActorID     string          `json:"actor_id"`
	ContentHash *string         `json:"content_hash"`
	Detail      json.RawMessage `json:"detail"`
	At          time.Time       `json:"at"`
}

// Detail is an inspection with its history and the strokes of the
// signatures its answers name.
type Detail struct {
	View
	History []Event `json:"history"`
	// Signatures are keyed by the signature media id an answer (or a
	// countersign) names, so a reviewer's screen draws each signature from
	// its strokes, as signed, rather than from a picture of them.
	Signatures map[string]Signature `json:"signatures"`
}

// Signature is what a signature media records besides its image.
type Signature struct {
	Strokes      json.RawMessage `json:"strokes"`
	SignerUserID string          `json:"signer_user_id,omitempty"`
	SignerName   string          `json:"signer_name,omitempty"`
	SignerRole   string          `json:"signer_role"`
	SignedAt     string          `json:"signed_at"`
}

// Service reads inspections.
type Service struct{ db *store.DB }

// NewService builds the service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// Filter narrows List.
type Filter struct {
	Status       string
	SiteID       string
	TemplateID   string
	OwnerID      string
	From, To     *time.Time
	Outcome      string
	HasFindings  *bool
	MediaPending *bool
}

// CanSee reports whether the caller may see an inspection at site owned by owner.
func CanSee(p principal.Principal, siteID, ownerID string) bool {
	switch p.Role {
	case principal.Admin, principal.Auditor:
		return true
	case principal.Supervisor:
		return slices.Contains(p.SiteIDs, siteID)
	}
	return ownerID == p.UserID
}

// Get reads one inspection the caller may see, with its history.
func (s *Service) Get(ctx context.Context, id string) (Detail, error) {
	const op = "inspection.Get"
	p, _ := principal.From(ctx)
	tx := s.db.Read(ctx)
	row, err := tx.Inspection(id)
	if err == nil && !CanSee(p, row.SiteID, row.OwnerID) {
		err = errs.E(op, errs.NotFound, "not found")
	}
	if err != nil {
		return Detail{}, errs.Wrap(op, err)
	}
	events, err := tx.InspectionEvents(id)
	if err != nil {
		return Detail{}, errs.Wrap(op, err)
	}
	d := Detail{View: ViewOf(row), History: make([]Event, 0, len(events))}
	if d.Signatures, err = signatures(tx, row.Answers); err != nil {
		return Detail{}, errs.Wrap(op, err)
	}
	for _, e := range events {
		detail := json.RawMessage(e.Detail)
		if len(detail) == 0 {
			detail = json.RawMessage("null")
		}
		d.History = append(d.History, Event{Kind: e.Kind, ActorID: e.ActorID, ContentHash: e.ContentHash, Detail: detail, At: e.CreatedAt})
	}
	return d, nil
}

// List lists the inspections the caller may see.
func (s *Service) List(ctx context.Context, f Filter, page store.Page) ([]View, string, error) {
	p, _ := principal.From(ctx)
	filter := store.InspectionFilter{Status: f.Status, OwnerID: f.OwnerID, TemplateID: f.TemplateID, From: f.From, To: f.To,
		Outcome: f.Outcome, HasFindings: f.HasFindings, MediaPending: f.MediaPending}
	if f.SiteID != "" {
		filter.SiteIDs = []string{f.SiteID}
	}
	switch p.Role {
	case principal.Guard:
		if f.OwnerID != "" && f.OwnerID != p.UserID {
			return []View{}, "", nil
		}
		filter.OwnerID = p.UserID
	case principal.Supervisor:
		if f.SiteID != "" && !slices.Contains(p.SiteIDs, f.SiteID) {
			return []View{}, "", nil
		}
		if f.SiteID == "" {
			filter.SiteIDs = append([]string{}, p.SiteIDs...)
		}
	}
	rows, next, err := s.db.Read(ctx).ListInspections(filter, page)
	if err != nil {
		return nil, "", errs.Wrap("inspection.List", err)
	}
	out := make([]View, len(rows))
	for i, r := range rows {
		out[i] = ViewOf(r)
	}
	return out, next, nil
}

// RecordChange puts an inspection's current view in the change log, so
// that its guard's phone and its site's supervisors pull it.
func RecordChange(tx *store.Tx, row store.Inspection) error {
	data, err := json.Marshal(ViewOf(row))
	if err != nil {
		return errs.E("inspection.RecordChange", errs.Internal, err)
	}
	tx.RecordChange(store.Change{EntityType: "inspection", EntityID: row.ID, Op: "upsert", Version: row.Version,
		Audience: store.AudienceOwner, SiteID: &row.SiteID, OwnerID: &row.OwnerID, Data: data})
	return nil
}

// signatures reads the strokes of every signature media the answers name
// (a signature item's value.media_id, a countersign's signature_media_id).
// Answers come from phones, so only well-formed ids of signature media of
// the caller's organisation count.
func signatures(tx *store.Tx, answers []byte) (map[string]Signature, error) {
	out := map[string]Signature{}
	var tree any
	if len(answers) == 0 || json.Unmarshal(answers, &tree) != nil {
		return out, nil
	}
	var ids []string
	var walk func(any)
	walk = func(node any) {
		switch v := node.(type) {
		case map[string]any:
			for key, child := range v {
				if id, ok := child.(string); ok && (key == "media_id" || key == "signature_media_id") && input.IsUUID(id) {
					ids = append(ids, id)
				}
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(tree)
	rows, err := tx.MediaByIDs(ids)
	if err != nil {
		return nil, err
	}
	for id, row := range rows {
		var sig Signature
		if row.Kind != "signature" || len(row.Signature) == 0 || json.Unmarshal(row.Signature, &sig) != nil {
			continue
		}
		out[id] = sig
	}
	return out, nil
}
