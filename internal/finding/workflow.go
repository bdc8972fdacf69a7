package finding

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Action is one step of the rectification loop requested by a caller.
// Version, when given, must be the finding's current version (else 412).
type Action struct {
	Version              *int64   `json:"version"`
	AssigneeID           string   `json:"assignee_id"`
	DueAt                *string  `json:"due_at"`
	Note                 string   `json:"note"`
	Evidence             []string `json:"evidence"`
	FollowUpInspectionID *string  `json:"follow_up_inspection_id"`
}

// transition describes one action: where it may start, where it ends, who
// may take it, and what it changes.
type transition struct {
	from    []string
	to      string
	minRole string
	apply   func(s *Service, tx *store.Tx, p principal.Principal, row *store.Finding, in Action, fields map[string]string) error
}

// The loop: a supervisor assigns (or reassigns) a named person; the
// assignee rectifies with evidence; a supervisor other than the rectifier
// verifies or rejects; a verified finding is closed.
var transitions = map[string]transition{
	"assign": {from: []string{Open, Assigned, Rejected}, to: Assigned, minRole: principal.Supervisor, apply: (*Service).assign},
	// unassign takes an assigned finding back to open, nobody's: the same
	// rule for the REST action and a sync update clearing assignee_id.
	"unassign": {from: []string{Assigned}, to: Open, minRole: principal.Supervisor, apply: (*Service).unassign},
	"rectify":  {from: []string{Assigned, Rejected}, to: Rectified, minRole: principal.Guard, apply: (*Service).rectify},
	"verify":   {from: []string{Rectified}, to: Verified, minRole: principal.Supervisor, apply: (*Service).verify},
	"reject":   {from: []string{Rectified}, to: Rejected, minRole: principal.Supervisor, apply: (*Service).reject},
	"close":    {from: []string{Verified}, to: Closed, minRole: principal.Supervisor, apply: (*Service).close},
}

// Act runs one action ("assign", "unassign", "rectify", "verify", "reject",
// "close").
func (s *Service) Act(ctx context.Context, id, action string, in Action) (Detail, error) {
	op := "finding." + action
	t, ok := transitions[action]
	if !ok {
		return Detail{}, errs.E(op, errs.NotFound, "no such action")
	}
	p, _ := principal.From(ctx)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		row, err := tx.Finding(id)
		if err == nil && !CanSee(p, row) {
			err = errs.E(op, errs.NotFound, "not found")
		}
		if err != nil {
			return err
		}
		if !principal.AtLeast(p.Role, t.minRole) {
			return errs.E(op, errs.Forbidden, "a "+t.minRole+" takes this step")
		}
		if in.Version != nil && *in.Version != row.Version {
			return errs.E(op, errs.Stale, "the finding changed since you read it")
		}
		if !slices.Contains(t.from, row.Status) {
			return errs.E(op, errs.Conflict, "a finding that is "+row.Status+" cannot be "+pastTense(action)+
				"; it must be "+strings.Join(t.from, " or "))
		}
		from, prevOwner, expected := row.Status, Owner(row), row.Version
		fields := map[string]string{}
		if err := t.apply(s, tx, p, &row, in, fields); err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		row.Status, row.Version = t.to, row.Version+1
		fieldsJSON, _ := json.Marshal(FieldsOf(row))
		if err := tx.UpdateFinding(&row, expected, fieldsJSON); err != nil {
			return err
		}
		detail := map[string]any{"note": in.Note}
		if action == "rectify" {
			detail["evidence"] = nonNil(in.Evidence)
		}
		if action == "assign" {
			detail["assignee_id"] = in.AssigneeID
		}
		return s.recordTransition(tx, row, prevOwner, pastTense(action), from, detail, p.UserID)
	})
	if err != nil {
		return Detail{}, errs.Wrap(op, err)
	}
	return s.Get(ctx, id)
}

func (s *Service) assign(tx *store.Tx, p principal.Principal, row *store.Finding, in Action, fields map[string]string) error {
	if err := CheckAssignee(tx, fields, in.AssigneeID, row.SiteID); err != nil {
		return err
	}
	if due := timeField(fields, "/due_at", in.DueAt); due != nil {
		row.DueAt = due
	}
	checkNote(fields, in.Note, false)
	assignee := in.AssigneeID
	row.AssigneeID, row.AssignedBy = &assignee, &p.UserID
	return nil
}

func (s *Service) unassign(tx *store.Tx, p principal.Principal, row *store.Finding, in Action, fields map[string]string) error {
	checkNote(fields, in.Note, false)
	Unassign(row)
	return nil
}

// Unassign clears a finding's assignee and who assigned it, and moves it
// back to open. It is the one rule for the REST unassign action and for a
// sync update clearing assignee_id; CanUnassign says when it applies.
func Unassign(row *store.Finding) {
	row.AssigneeID, row.AssignedBy, row.Status = nil, nil, Open
}

// CanUnassign reports whether a finding in status may be unassigned, and
// otherwise why not, in the words the REST action answers with.
func CanUnassign(status string) (bool, string) {
	t := transitions["unassign"]
	if slices.Contains(t.from, status) {
		return true, ""
	}
	return false, "a finding that is " + status + " cannot be unassigned; it must be " + strings.Join(t.from, " or ")
}

func (s *Service) rectify(tx *store.Tx, p principal.Principal, row *store.Finding, in Action, fields map[string]string) error {
	if p.Role == principal.Guard && (row.AssigneeID == nil || *row.AssigneeID != p.UserID) {
		return errs.E("finding.rectify", errs.Forbidden, "only the assignee or a supervisor records the rectification")
	}
	checkNote(fields, in.Note, true)
	evidence := mediaField(fields, "/evidence", in.Evidence, true)
	if in.FollowUpInspectionID != nil {
		inspection, err := tx.Inspection(*in.FollowUpInspectionID)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		if err != nil || inspection.SiteID != row.SiteID {
			fields["/follow_up_inspection_id"] = "must be an inspection at the finding's site"
		}
	}
	if err := linkMedia(tx, fields, "/evidence", row.ID, in.Evidence); err != nil {
		return err
	}
	row.RectifierID, row.RectifiedAt, row.RectificationNote = &p.UserID, &tx.Now, in.Note
	row.Evidence, row.FollowUpInspectionID = evidence, in.FollowUpInspectionID
	return nil
}

func (s *Service) verify(tx *store.Tx, p principal.Principal, row *store.Finding, in Action, fields map[string]string) error {
	if err := notRectifier(p, row, "verify"); err != nil {
		return err
	}
	checkNote(fields, in.Note, false)
	row.VerifierID, row.VerifiedAt = &p.UserID, &tx.Now
	return nil
}

func (s *Service) reject(tx *store.Tx, p principal.Principal, row *store.Finding, in Action, fields map[string]string) error {
	if err := notRectifier(p, row, "reject"); err != nil {
		return err
	}
	checkNote(fields, in.Note, true)
	row.VerifierID, row.VerifiedAt = &p.UserID, &tx.Now
	return nil
}

func (s *Service) close(tx *store.Tx, p principal.Principal, row *store.Finding, in Action, fields map[string]string) error {
	checkNote(fields, in.Note, false)
	row.ClosedBy, row.ClosedAt = &p.UserID, &tx.Now
	return nil
}

// notRectifier keeps the four-eyes rule: whoever fixed a hazard does not
// also check the fix.
func notRectifier(p principal.Principal, row *store.Finding, action string) error {
	if row.RectifierID != nil && *row.RectifierID == p.UserID {
		return errs.E("finding."+action, errs.Forbidden, "the person who rectified a finding cannot "+action+" it")
	}
	return nil
}

func checkNote(fields map[string]string, note string, required bool) {
	if required && strings.TrimSpace(note) == "" {
		fields["/note"] = "required: say what was done or what is wrong"
	}
	if len([]rune(note)) > 5000 {
		fields["/note"] = "at most 5000 characters"
	}
}

func pastTense(action string) string {
	switch action {
	case "assign":
		return "assigned"
	case "unassign":
		return "unassigned"
	case "rectify":
		return "rectified"
	case "verify":
		return "verified"
	case "reject":
		return "rejected"
	case "close":
		return "closed"
	}
	return action
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}
