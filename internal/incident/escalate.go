package incident

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/incident/policy"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// LastStep is the top of the chain: 0 the site's supervisors (told on
// report), 1 the organisation's admins.
const LastStep = 1

// EscalateArgs is the periodic job that flags late steps and escalates.
// Now is for tests and replays.
type EscalateArgs struct {
	Now *time.Time `json:"now,omitempty"`
}

// Kind names the job.
func (EscalateArgs) Kind() string { return "incident.escalate" }

// EscalateJob is the job handler.
func (s *Service) EscalateJob(ctx context.Context, args EscalateArgs) error {
	now := time.Now().UTC()
	if args.Now != nil {
		now = *args.Now
	}
	_, err := s.Escalate(ctx, now)
	return err
}

// Escalate flags every step that missed its deadline by now (acknowledge,
// report up, handle, written summary: policy.Defaults) and escalates the
// incident one step up the chain per late step, "逐级上报" (001 第10篇
// L208), telling the next step by notification, webhook and email. A step
// is flagged once: the flags are written compare-and-set on the incident,
// and the notifications are keyed by the steps. It returns how many
// incidents it changed.
func (s *Service) Escalate(ctx context.Context, now time.Time) (int, error) {
	orgs, err := s.db.Read(ctx).OrgIDs()
	if err != nil {
		return 0, errs.E("incident.Escalate", err)
	}
	changed := 0
	for _, org := range orgs {
		orgCtx := principal.AsSystem(ctx, org, EscalateArgs{}.Kind())
		rows, err := s.db.Read(orgCtx).IncidentsLate(now, 500)
		if err != nil {
			return changed, errs.E("incident.Escalate", err)
		}
		for _, row := range rows {
			var deliveries []notify.DeliverArgs
			err := s.db.InTx(orgCtx, func(tx *store.Tx) (err error) {
				deliveries, err = flagLate(tx, row, now)
				return err
			})
			if errs.Is(err, errs.Stale) {
				continue // a step was taken or flagged meanwhile
			}
			if err != nil {
				return changed, errs.E("incident.Escalate", err)
			}
			changed++
			s.notify.Enqueue(ctx, deliveries)
		}
	}
	return changed, nil
}

// LateSteps are the steps of r whose deadline passed by now and that are
// not flagged yet, in life-cycle order.
func LateSteps(r store.Incident, now time.Time) []string {
	flagged := lateSteps(r.LateSteps)
	passed := func(due *time.Time) bool { return due != nil && !due.After(now) }
	s := stage(r.Status)
	var out []string
	for _, step := range []struct {
		name string
		late bool
	}{
		{policy.StepAcknowledge, s < stage(Acknowledged) && passed(&r.AckDueAt)},
		{policy.StepReport, s < stage(Handling) && passed(r.ReportDueAt)},
		{policy.StepHandle, s < stage(Resolved) && passed(r.HandleDueAt)},
		{policy.StepSummary, s == stage(Resolved) && passed(r.SummaryDueAt)},
	} {
		if step.late && !slices.Contains(flagged, step.name) {
			out = append(out, step.name)
		}
	}
	return out
}

func flagLate(tx *store.Tx, row store.Incident, now time.Time) ([]notify.DeliverArgs, error) {
	late := LateSteps(row, now)
	if len(late) == 0 {
		return nil, nil
	}
	expected, from := row.Version, row.EscalationStep
	row.LateSteps = strings.Join(append(lateSteps(row.LateSteps), late...), ",")
	row.EscalationStep = min(row.EscalationStep+len(late), LastStep)
	row.Version++
	if err := tx.UpdateIncident(&row, expected); err != nil {
		return nil, err
	}
	var events []store.IncidentEvent
	for _, step := range late {
		events = append(events, store.IncidentEvent{ID: uuid.Must(uuid.NewV7()).String(), IncidentID: row.ID, Kind: "late",
			Note: step + ": due " + dueOf(row, step).UTC().Format(time.RFC3339), Media: []byte("[]")})
	}
	if row.EscalationStep > from {
		events = append(events, store.IncidentEvent{ID: uuid.Must(uuid.NewV7()).String(), IncidentID: row.ID, Kind: "escalated",
			Note: "late (" + strings.Join(late, ", ") + "); escalated to step " + itoa(row.EscalationStep), Media: []byte("[]")})
	}
	if err := tx.AddIncidentEvents(events); err != nil {
		return nil, err
	}
	if err := Record(tx, row); err != nil {
		return nil, err
	}
	if row.EscalationStep > from {
		return Notify(tx, row, "incident.escalated", row.EscalationStep)
	}
	// At the top already: the top hears of every late step, once each.
	return notifyKeyed(tx, row, "incident.late", row.EscalationStep, "late:"+strings.Join(late, "+"))
}

func dueOf(r store.Incident, step string) time.Time {
	var due *time.Time
	switch step {
	case policy.StepAcknowledge:
		due = &r.AckDueAt
	case policy.StepReport:
		due = r.ReportDueAt
	case policy.StepHandle:
		due = r.HandleDueAt
	case policy.StepSummary:
		due = r.SummaryDueAt
	}
	if due == nil {
		return time.Time{}
	}
	return *due
}

// SkipNote is the timeline note of a report that went straight to the top
// of the chain (policy.SkipsLevels), "" for one that climbs it.
func SkipNote(r store.Incident) string {
	if r.EscalationStep == 0 {
		return ""
	}
	why := Labels[r.Level]
	if r.Casualties {
		why = "death or serious injury (死亡或重伤)"
	}
	return "skipped levels (越级上报, 001 第10篇 L208): " + why
}

func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
