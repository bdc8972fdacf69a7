package incident

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/incident/policy"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// The life cycle (002 L1381 all-clear, L833 解除任务通知书, L983 and L1531
// investigation and "四不放过"): each step is taken by a named person and
// moves forward only.
const (
	Reported     = "reported"
	Acknowledged = "acknowledged" // someone up the chain has it in hand
	Handling     = "handling"     // a handler has reported progress (the first written report up)
	Resolved     = "resolved"     // the all-clear
	Summarized   = "summarized"   // the written summary is in
	Closed       = "closed"       // nothing more to do (四不放过 confirmed)
)

// Statuses lists the states in order.
var Statuses = []string{Reported, Acknowledged, Handling, Resolved, Summarized, Closed}

func stage(status string) int { return slices.Index(Statuses, status) }

// Steps a person takes.
const (
	StepAcknowledge = "acknowledge"
	StepProgress    = "progress"
	StepResolve     = "resolve"
	StepSummarize   = "summarize"
	StepClose       = "close"
)

// Step is one step of the life cycle as asked for.
type Step struct {
	Kind    string
	Note    string
	Media   []string
	Summary string
	Closing *Closing
}

// Closing is the "四不放过" of 002 L1531: an incident is not closed until
// its cause is found, those responsible are dealt with, people are
// educated and prevention is in place. Each must be confirmed.
type Closing struct {
	CauseFound        bool `json:"cause_found"`
	ResponsibleDealt  bool `json:"responsible_dealt_with"`
	PeopleEducated    bool `json:"people_educated"`
	PreventionInPlace bool `json:"prevention_in_place"`
}

// CanHandle: admins everywhere, supervisors at their sites.
func CanHandle(p principal.Principal, r store.Incident) bool {
	return p.Role == principal.Admin || (p.Role == principal.Supervisor && slices.Contains(p.SiteIDs, r.SiteID))
}

// Advance applies a step taken by p at now to row, in memory: it is the one
// rule of the life cycle, used by REST and sync alike. It returns the kind
// of the timeline event to append ("" when nothing changed: acknowledging
// twice). Errors: NotFound for an incident p may not see, Forbidden for a
// step p may not take, Conflict for a step out of order, Invalid for
// missing fields (pointers under prefix).
func Advance(row *store.Incident, p principal.Principal, step Step, pol policy.Policy, now time.Time, prefix string) (string, error) {
	const op = "incident.Advance"
	if !CanSee(p, *row) {
		return "", errs.E(op, errs.NotFound, "not found")
	}
	handler := CanHandle(p, *row)
	if step.Kind != StepProgress && !handler {
		return "", errs.E(op, errs.Forbidden, "only the site's supervisors and the admins take this step")
	}
	fields := map[string]string{}
	note := strings.TrimSpace(step.Note)
	if len([]rune(step.Note)) > 5000 {
		fields[prefix+"/note"] = "at most 5000 characters"
	}
	at, by := now, p.UserID
	switch step.Kind {
	case StepAcknowledge:
		if row.Status != Reported {
			return "", nil // acknowledged already: nothing changes
		}
		row.Status, row.AcknowledgedBy, row.AcknowledgedAt = Acknowledged, &by, &at
		return "acknowledged", nil
	case StepProgress:
		if note == "" && len(step.Media) == 0 {
			fields[prefix+"/note"] = "required (or media): what happened since, what was done"
		}
		if stage(row.Status) >= stage(Resolved) {
			return "", errs.E(op, errs.Conflict, "the incident is "+row.Status+": progress is reported before it is resolved")
		}
		if len(fields) > 0 {
			return "", errs.Fields(op, fields)
		}
		if !handler {
			return "follow_up", nil // the reporter's news: no step of the chain
		}
		if row.AcknowledgedBy == nil {
			row.AcknowledgedBy, row.AcknowledgedAt = &by, &at
		}
		if row.HandlingBy == nil {
			row.HandlingBy, row.HandlingAt = &by, &at
		}
		row.Status = Handling
		return "progress", nil
	case StepResolve:
		if note == "" {
			fields[prefix+"/note"] = "required: how it ended (the all-clear, 002 L1381)"
		}
		if row.Status != Handling {
			return "", errs.E(op, errs.Conflict, "the incident is "+row.Status+": it is resolved while handling, after a progress report")
		}
		if len(fields) > 0 {
			return "", errs.Fields(op, fields)
		}
		due := pol.SummaryDue(row.Level, now)
		row.Status, row.ResolvedBy, row.ResolvedAt, row.SummaryDueAt = Resolved, &by, &at, &due
		return "resolved", nil
	case StepSummarize:
		summary := strings.TrimSpace(step.Summary)
		if len([]rune(summary)) < 20 || len([]rune(step.Summary)) > 20000 {
			fields[prefix+"/summary"] = "required, 20 to 20000 characters: course, casualties, loss, cause, measures, lessons (002 L1409, L983)"
		}
		if row.Status != Resolved {
			return "", errs.E(op, errs.Conflict, "the incident is "+row.Status+": the written summary follows the resolution")
		}
		if len(fields) > 0 {
			return "", errs.Fields(op, fields)
		}
		row.Status, row.Summary, row.SummarizedBy, row.SummarizedAt = Summarized, summary, &by, &at
		return "summarized", nil
	case StepClose:
		c := step.Closing
		if c == nil {
			c = &Closing{}
		}
		for name, ok := range map[string]bool{"cause_found": c.CauseFound, "responsible_dealt_with": c.ResponsibleDealt,
			"people_educated": c.PeopleEducated, "prevention_in_place": c.PreventionInPlace} {
			if !ok {
				fields[prefix+"/closing/"+name] = "must be confirmed (true): 四不放过, 002 L1531"
			}
		}
		if row.Status != Summarized {
			return "", errs.E(op, errs.Conflict, "the incident is "+row.Status+": it is closed after its written summary")
		}
		if len(fields) > 0 {
			return "", errs.Fields(op, fields)
		}
		row.Status, row.ClosedBy, row.ClosedAt = Closed, &by, &at
		return "closed", nil
	}
	return "", errs.Fields(op, map[string]string{prefix + "/step": "unknown step"})
}

// NoteInput is the body of progress and resolve.
type NoteInput struct {
	Note  string   `json:"note"`
	Media []string `json:"media"`
}

// SummaryInput is the body of summary.
type SummaryInput struct {
	Summary string `json:"summary"`
}

// CloseInput is the body of close.
type CloseInput struct {
	Note    string  `json:"note"`
	Closing Closing `json:"closing"`
}

// Acknowledge records that a supervisor (or admin) has taken the incident
// in hand. Acknowledging twice changes nothing.
func (s *Service) Acknowledge(ctx context.Context, id string) (View, error) {
	return s.take(ctx, id, Step{Kind: StepAcknowledge})
}

// Progress is a progress report (续报): from a handler it is the written
// report up and moves the incident to handling; from the reporter it is
// news on the timeline.
func (s *Service) Progress(ctx context.Context, id string, in NoteInput) (View, error) {
	return s.take(ctx, id, Step{Kind: StepProgress, Note: in.Note, Media: in.Media})
}

// Resolve gives the all-clear.
func (s *Service) Resolve(ctx context.Context, id string, in NoteInput) (View, error) {
	return s.take(ctx, id, Step{Kind: StepResolve, Note: in.Note, Media: in.Media})
}

// Summarize files the written summary.
func (s *Service) Summarize(ctx context.Context, id string, in SummaryInput) (View, error) {
	return s.take(ctx, id, Step{Kind: StepSummarize, Summary: in.Summary})
}

// Close closes the incident.
func (s *Service) Close(ctx context.Context, id string, in CloseInput) (View, error) {
	return s.take(ctx, id, Step{Kind: StepClose, Note: in.Note, Closing: &in.Closing})
}

// take runs one step in its own transaction: read, Advance, compare-and-set,
// the timeline, the change log and the notifications; webhooks and email
// are handed to the queue after commit.
func (s *Service) take(ctx context.Context, id string, step Step) (View, error) {
	op := "incident." + step.Kind
	p, _ := principal.From(ctx)
	if len(step.Media) > 0 {
		if problems := checkMediaIDs(step.Media); len(problems) > 0 {
			return View{}, errs.Fields(op, problems)
		}
	}
	var row store.Incident
	var deliveries []notify.DeliverArgs
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if row, err = tx.Incident(id); err != nil {
			return err
		}
		pol, err := notify.IncidentPolicy(tx)
		if err != nil {
			return err
		}
		expected := row.Version
		kind, err := Advance(&row, p, step, pol, tx.Now, "")
		if err != nil || kind == "" {
			return err
		}
		if len(step.Media) > 0 {
			if err := s.requireMedia(tx, step.Media); err != nil {
				return err
			}
			if err := tx.AddMediaLinks(links(row.ID, step.Media)); err != nil {
				return err
			}
		}
		row.Version = expected + 1
		if err := tx.UpdateIncident(&row, expected); err != nil {
			return err
		}
		note := step.Note
		if step.Kind == StepSummarize {
			note = row.Summary
		}
		media, _ := json.Marshal(nonNil(step.Media))
		actor := p.UserID
		if err := tx.AddIncidentEvents([]store.IncidentEvent{{ID: uuid.Must(uuid.NewV7()).String(), IncidentID: row.ID,
			Kind: kind, ActorID: &actor, Note: note, Media: media}}); err != nil {
			return err
		}
		if err := Record(tx, row); err != nil {
			return err
		}
		event := "incident." + kind
		if kind == "follow_up" {
			event = "incident.updated" // as when pushed (internal/syncer)
		}
		deliveries, err = Notify(tx, row, event, row.EscalationStep)
		return err
	})
	if err != nil {
		return View{}, errs.Wrap(op, err)
	}
	s.notify.Enqueue(ctx, deliveries)
	return ViewOf(row), nil
}
