package incident

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// LastStep is the top of the chain: 0 supervisors (told on report), 1 admins.
const LastStep = 1

// EscalateArgs is the periodic job that escalates late acknowledgements.
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

// Escalate moves every incident not acknowledged by its deadline one step
// up the chain, telling the next step (notification and webhook). Each
// step happens once: the step is compare-and-set on the incident, and the
// notifications are keyed by step. It returns how many it escalated.
func (s *Service) Escalate(ctx context.Context, now time.Time) (int, error) {
	orgs, err := s.db.Read(ctx).OrgIDs()
	if err != nil {
		return 0, errs.E("incident.Escalate", err)
	}
	escalated := 0
	for _, org := range orgs {
		orgCtx := principal.AsSystem(ctx, org, EscalateArgs{}.Kind())
		rows, err := s.db.Read(orgCtx).IncidentsOverdue(now, LastStep, 500)
		if err != nil {
			return escalated, errs.E("incident.Escalate", err)
		}
		for _, row := range rows {
			var deliveries []notify.DeliverArgs
			err := s.db.InTx(orgCtx, func(tx *store.Tx) (err error) {
				deliveries, err = escalate(tx, row)
				return err
			})
			if errs.Is(err, errs.Stale) {
				continue // acknowledged or escalated meanwhile
			}
			if err != nil {
				return escalated, errs.E("incident.Escalate", err)
			}
			escalated++
			s.notify.Enqueue(ctx, deliveries)
		}
	}
	return escalated, nil
}

func escalate(tx *store.Tx, row store.Incident) ([]notify.DeliverArgs, error) {
	expected := row.Version
	row.EscalationStep++
	row.Version++
	if err := tx.UpdateIncident(&row, expected); err != nil {
		return nil, err
	}
	event := store.IncidentEvent{ID: uuid.Must(uuid.NewV7()).String(), IncidentID: row.ID, Kind: "escalated",
		Note:  "not acknowledged by " + row.AckDueAt.UTC().Format(time.RFC3339) + "; escalated to step " + itoa(row.EscalationStep),
		Media: []byte("[]")}
	if err := tx.AddIncidentEvents([]store.IncidentEvent{event}); err != nil {
		return nil, err
	}
	if err := Record(tx, row); err != nil {
		return nil, err
	}
	return Notify(tx, row, "incident.escalated", row.EscalationStep)
}

func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
