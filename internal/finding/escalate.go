package finding

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// EscalateArgs are the arguments of the periodic escalation job.
type EscalateArgs struct {
	// Step is how long after the due time each further level is reached.
	StepHours int `json:"step_hours"`
}

// Kind names the job.
func (EscalateArgs) Kind() string { return "finding.escalate" }

// Escalation levels: an overdue finding goes from its assignee to the
// site's supervisors (level 1, at the due time) and then to the
// organisation's admins (level 2, one step later).
var escalationRoles = []string{principal.Supervisor, principal.Admin}

// Escalate raises every overdue finding of every organisation to the level
// its lateness calls for, once per level: a level already recorded (by an
// earlier run or a concurrent replica) is skipped.
func (s *Service) Escalate(ctx context.Context, args EscalateArgs) error {
	step := time.Duration(args.StepHours) * time.Hour
	if step <= 0 {
		step = 24 * time.Hour
	}
	orgs, err := s.db.Read(ctx).OrgIDs()
	if err != nil {
		return errs.Wrap("finding.Escalate", err)
	}
	for _, org := range orgs {
		orgCtx := principal.AsSystem(ctx, org, args.Kind())
		if err := s.escalateOrg(orgCtx, step); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) escalateOrg(ctx context.Context, step time.Duration) error {
	for {
		now := time.Now().UTC()
		rows, err := s.db.Read(ctx).OverdueFindings(now, len(escalationRoles), 100)
		if err != nil {
			return errs.Wrap("finding.Escalate", err)
		}
		progressed := 0
		for _, row := range rows {
			target := 1 + int(now.Sub(*row.DueAt)/step)
			if target > len(escalationRoles) {
				target = len(escalationRoles)
			}
			if target <= row.EscalationLevel {
				continue
			}
			if err := s.escalateOne(ctx, row.ID, target); err != nil {
				return err
			}
			progressed++
		}
		if len(rows) < 100 || progressed == 0 {
			return nil
		}
	}
}

// escalateOne records each level from the finding's current one up to
// target, in one transaction.
func (s *Service) escalateOne(ctx context.Context, id string, target int) error {
	return errs.Wrap("finding.Escalate", s.db.InTx(ctx, func(tx *store.Tx) error {
		row, err := tx.Finding(id)
		if err != nil {
			return err
		}
		if !slices.Contains(store.OpenFindingStates, row.Status) {
			return nil
		}
		expected := row.Version
		changed := false
		for level := row.EscalationLevel + 1; level <= target; level++ {
			role := escalationRoles[level-1]
			site := row.SiteID
			if role == principal.Admin {
				site = ""
			}
			recipients, err := tx.UsersWithRole(role, site)
			if err != nil {
				return err
			}
			fresh, err := tx.AddFindingEscalation(&store.FindingEscalation{FindingID: row.ID, Level: level, EscalatedTo: role,
				RecipientIDs: strings.Join(recipients, ",")})
			if err != nil {
				return err
			}
			row.EscalationLevel = level
			if !fresh {
				continue
			}
			changed = true
			row.Version = expected + 1 // one version per run, however many levels it records
			detail := map[string]any{"level": level, "escalated_to": role, "recipient_ids": recipients, "due_at": row.DueAt}
			if err := s.recordTransition(tx, row, "", "escalated", row.Status, detail, ""); err != nil {
				return err
			}
		}
		if !changed {
			return nil
		}
		fields, _ := jsonMarshal(FieldsOf(row))
		return tx.UpdateFinding(&row, expected, fields)
	}))
}
