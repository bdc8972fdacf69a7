package records

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Registers.
const (
	InspectionRegister = "inspections"
	HazardRegister     = "hazards"
	HandoverRegister   = "handovers"
)

// maxExport bounds one CSV export; narrow the date range for more.
const maxExport = 50000

// RegisterFilter narrows a register: a date range on when the record was
// created, and a site.
type RegisterFilter struct {
	SiteID   string
	From, To *time.Time
}

// InspectionRow is one line of the inspection or handover register.
type InspectionRow struct {
	ID              string     `json:"id"`
	SiteID          string     `json:"site_id"`
	TemplateKey     string     `json:"template_key"`
	TemplateVersion int        `json:"template_version"`
	OwnerID         string     `json:"owner_id"`
	Status          string     `json:"status"`
	Outcome         *string    `json:"outcome"`
	Score           *float64   `json:"score"`
	StartedAt       *time.Time `json:"started_at"`
	SubmittedAt     *time.Time `json:"submitted_at"`
	ReceivedAt      *time.Time `json:"received_at"`
	ApprovedBy      *string    `json:"approved_by"`
	ApprovedAt      *time.Time `json:"approved_at"`
	ContentHash     *string    `json:"content_hash"`
	CreatedAt       time.Time  `json:"created_at"`
}

// HazardRow is one line of the hazard rectification ledger (隐患整改台账).
type HazardRow struct {
	ID                string     `json:"id"`
	SiteID            string     `json:"site_id"`
	InspectionID      *string    `json:"inspection_id"`
	ItemPath          string     `json:"item_path"`
	Title             string     `json:"title"`
	Severity          string     `json:"severity"`
	Status            string     `json:"status"`
	Overdue           bool       `json:"overdue"`
	DueAt             *time.Time `json:"due_at"`
	AssigneeID        *string    `json:"assignee_id"`
	RectifierID       *string    `json:"rectifier_id"`
	RectifiedAt       *time.Time `json:"rectified_at"`
	RectificationNote string     `json:"rectification_note"`
	VerifierID        *string    `json:"verifier_id"`
	VerifiedAt        *time.Time `json:"verified_at"`
	ClosedAt          *time.Time `json:"closed_at"`
	EscalationLevel   int        `json:"escalation_level"`
	CreatedAt         time.Time  `json:"created_at"`
}

// Inspections reads a page of the inspection register, or of the handover
// register (inspections of handover templates) when handovers is true.
func (s *Service) Inspections(ctx context.Context, f RegisterFilter, handovers bool, page store.Page) ([]InspectionRow, string, error) {
	p, _ := principal.From(ctx)
	filter := store.InspectionFilter{From: f.From, To: f.To}
	filter.SiteIDs = sites(p, f.SiteID)
	if handovers {
		filter.TemplateMatch = "%handover%"
	}
	rows, next, err := s.db.Read(ctx).ListInspections(filter, page)
	if err != nil {
		return nil, "", errs.Wrap("records.Inspections", err)
	}
	out := make([]InspectionRow, len(rows))
	for i, r := range rows {
		out[i] = InspectionRow{ID: r.ID, SiteID: r.SiteID, TemplateKey: r.TemplateKey, TemplateVersion: r.TemplateVersion,
			OwnerID: r.OwnerID, Status: r.Status, Outcome: r.Outcome, Score: r.Score, StartedAt: r.StartedAt,
			SubmittedAt: r.SubmittedAt, ReceivedAt: r.ReceivedAt, ApprovedBy: r.ApprovedBy, ApprovedAt: r.ApprovedAt,
			ContentHash: r.ContentHash, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, next, nil
}

// Hazards reads a page of the hazard register.
func (s *Service) Hazards(ctx context.Context, f RegisterFilter, page store.Page) ([]HazardRow, string, error) {
	p, _ := principal.From(ctx)
	filter := store.FindingFilter{From: f.From, To: f.To, SiteIDs: sites(p, f.SiteID)}
	rows, next, err := s.db.Read(ctx).ListFindings(filter, page)
	if err != nil {
		return nil, "", errs.Wrap("records.Hazards", err)
	}
	now := time.Now().UTC()
	out := make([]HazardRow, len(rows))
	for i, r := range rows {
		overdue := r.DueAt != nil && r.DueAt.Before(now) && slices.Contains(store.OpenFindingStates, r.Status)
		out[i] = HazardRow{ID: r.ID, SiteID: r.SiteID, InspectionID: r.InspectionID, ItemPath: r.ItemPath, Title: r.Title,
			Severity: r.Severity, Status: r.Status, Overdue: overdue, DueAt: r.DueAt, AssigneeID: r.AssigneeID,
			RectifierID: r.RectifierID, RectifiedAt: r.RectifiedAt, RectificationNote: r.RectificationNote,
			VerifierID: r.VerifierID, VerifiedAt: r.VerifiedAt, ClosedAt: r.ClosedAt, EscalationLevel: r.EscalationLevel,
			CreatedAt: r.CreatedAt.UTC()}
	}
	return out, next, nil
}

// sites limits a register to the caller's sites (admins: all, or one).
func sites(p principal.Principal, siteID string) []string {
	if p.Role == principal.Admin {
		if siteID == "" {
			return nil
		}
		return []string{siteID}
	}
	if siteID == "" {
		return append([]string{}, p.SiteIDs...)
	}
	if slices.Contains(p.SiteIDs, siteID) {
		return []string{siteID}
	}
	return []string{}
}

// ExportCSV writes a whole register (up to maxExport rows) as CSV with a
// header line. A UTF-8 byte-order mark comes first so that spreadsheet
// programs show the Chinese text correctly.
func (s *Service) ExportCSV(ctx context.Context, w io.Writer, register string, f RegisterFilter) error {
	out := csv.NewWriter(w)
	io.WriteString(w, "\uFEFF")
	page := store.Page{Limit: 500}
	for written := 0; written < maxExport; {
		var lines [][]string
		var next string
		var err error
		switch register {
		case HazardRegister:
			var rows []HazardRow
			rows, next, err = s.Hazards(ctx, f, page)
			lines = hazardLines(rows, written == 0)
		default:
			var rows []InspectionRow
			rows, next, err = s.Inspections(ctx, f, register == HandoverRegister, page)
			lines = inspectionLines(rows, written == 0)
		}
		if err != nil {
			return err
		}
		if err := out.WriteAll(lines); err != nil {
			return errs.E("records.ExportCSV", errs.Unavailable, err)
		}
		written += len(lines)
		if next == "" {
			break
		}
		page.After = next
	}
	out.Flush()
	return nil
}

func inspectionLines(rows []InspectionRow, header bool) [][]string {
	var out [][]string
	if header {
		out = append(out, []string{"id", "site_id", "template_key", "template_version", "owner_id", "status", "outcome",
			"score", "started_at", "submitted_at", "received_at", "approved_by", "approved_at", "content_hash", "created_at"})
	}
	for _, r := range rows {
		out = append(out, []string{r.ID, r.SiteID, r.TemplateKey, strconv.Itoa(r.TemplateVersion), r.OwnerID, r.Status,
			str(r.Outcome), num(r.Score), at(r.StartedAt), at(r.SubmittedAt), at(r.ReceivedAt), str(r.ApprovedBy),
			at(r.ApprovedAt), str(r.ContentHash), r.CreatedAt.Format(time.RFC3339)})
	}
	return out
}

func hazardLines(rows []HazardRow, header bool) [][]string {
	var out [][]string
	if header {
		out = append(out, []string{"id", "site_id", "inspection_id", "item_path", "title", "severity", "status", "overdue",
			"due_at", "assignee_id", "rectifier_id", "rectified_at", "rectification_note", "verifier_id", "verified_at",
			"closed_at", "escalation_level", "created_at"})
	}
	for _, r := range rows {
		out = append(out, []string{r.ID, r.SiteID, str(r.InspectionID), r.ItemPath, r.Title, r.Severity, r.Status,
			strconv.FormatBool(r.Overdue), at(r.DueAt), str(r.AssigneeID), str(r.RectifierID), at(r.RectifiedAt),
			r.RectificationNote, str(r.VerifierID), at(r.VerifiedAt), at(r.ClosedAt), strconv.Itoa(r.EscalationLevel),
			r.CreatedAt.Format(time.RFC3339)})
	}
	return out
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func num(f *float64) string {
	if f == nil {
		return ""
	}
	return fmt.Sprintf("%g", *f)
}

func at(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
