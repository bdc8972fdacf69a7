// Package finding shows hidden hazards (隐患) to those allowed to see them.
// Findings are shared between guards and supervisors, so every change to
// one is versioned and merged field by field; nothing here overwrites a
// field someone else changed.
package finding

import (
	"encoding/json"
	"time"

	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Severities, mildest first.
var Severities = []string{"low", "medium", "high", "critical"}

// States of a finding: open → assigned → rectified → verified → closed,
// or rectified → rejected (verification failed) → rectified again.
const (
	Open      = "open"
	Assigned  = "assigned"
	Rectified = "rectified"
	Verified  = "verified"
	Closed    = "closed"
	Rejected  = "rejected"
)

// View is a finding as clients see it.
type View struct {
	ID           string          `json:"id"`
	SiteID       string          `json:"site_id"`
	InspectionID *string         `json:"inspection_id"`
	ItemPath     string          `json:"item_path"`
	Title        string          `json:"title"`
	Description  string          `json:"description"`
	Severity     string          `json:"severity"`
	Status       string          `json:"status"`
	AssigneeID   *string         `json:"assignee_id"`
	CreatedBy    string          `json:"created_by"`
	DueAt        *time.Time      `json:"due_at"`
	Media        json.RawMessage `json:"media"`
	Version      int64           `json:"version"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
	// The rectification loop.
	AssignedBy           *string         `json:"assigned_by"`
	RectifierID          *string         `json:"rectifier_id"`
	RectifiedAt          *time.Time      `json:"rectified_at"`
	RectificationNote    string          `json:"rectification_note"`
	Evidence             json.RawMessage `json:"evidence"`
	FollowUpInspectionID *string         `json:"follow_up_inspection_id"`
	VerifierID           *string         `json:"verifier_id"`
	VerifiedAt           *time.Time      `json:"verified_at"`
	ClosedBy             *string         `json:"closed_by"`
	ClosedAt             *time.Time      `json:"closed_at"`
	EscalationLevel      int             `json:"escalation_level"`
}

// ViewOf renders a stored finding.
func ViewOf(row store.Finding) View {
	media := json.RawMessage(row.Media)
	if len(media) == 0 {
		media = json.RawMessage("[]")
	}
	return View{ID: row.ID, SiteID: row.SiteID, InspectionID: row.InspectionID, ItemPath: row.ItemPath, Title: row.Title,
		Description: row.Description, Severity: row.Severity, Status: row.Status, AssigneeID: row.AssigneeID,
		CreatedBy: row.CreatedBy, DueAt: row.DueAt, Media: media, Version: row.Version, CreatedAt: row.CreatedAt,
		UpdatedAt: row.UpdatedAt, AssignedBy: row.AssignedBy, RectifierID: row.RectifierID, RectifiedAt: row.RectifiedAt,
		RectificationNote: row.RectificationNote, Evidence: orEmpty(row.Evidence), FollowUpInspectionID: row.FollowUpInspectionID,
		VerifierID: row.VerifierID, VerifiedAt: row.VerifiedAt, ClosedBy: row.ClosedBy, ClosedAt: row.ClosedAt,
		EscalationLevel: row.EscalationLevel}
}

func orEmpty(raw []byte) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("[]")
	}
	return raw
}

// Owner is who a finding belongs to for visibility: its assignee, else its author.
func Owner(row store.Finding) string {
	if row.AssigneeID != nil {
		return *row.AssigneeID
	}
	return row.CreatedBy
}

// CanSee reports whether the caller may see a finding.
func CanSee(p principal.Principal, row store.Finding) bool {
	switch p.Role {
	case principal.Admin, principal.Auditor:
		return true
	case principal.Supervisor:
		for _, s := range p.SiteIDs {
			if s == row.SiteID {
				return true
			}
		}
		return false
	}
	return row.CreatedBy == p.UserID || (row.AssigneeID != nil && *row.AssigneeID == p.UserID)
}

// Fields are the parts of a finding that devices edit and merge.
type Fields struct {
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Severity    string     `json:"severity"`
	DueAt       *time.Time `json:"due_at"`
	AssigneeID  *string    `json:"assignee_id"`
}

// FieldsOf extracts the mergeable fields. Times are cut to whole seconds in
// UTC, so that a value read back from either database compares equal to
// the one that was stored.
func FieldsOf(row store.Finding) Fields {
	due := row.DueAt
	if due != nil {
		t := due.UTC().Truncate(time.Second)
		due = &t
	}
	return Fields{Title: row.Title, Description: row.Description, Severity: row.Severity, DueAt: due, AssigneeID: row.AssigneeID}
}

// ValidSeverity reports whether s is a severity.
func ValidSeverity(s string) bool {
	for _, v := range Severities {
		if v == s {
			return true
		}
	}
	return false
}
