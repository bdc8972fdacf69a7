package rounds

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
)

// MaterializeArgs is the periodic job that creates upcoming rounds. Now is
// for tests and replays; the periodic job leaves it empty (the clock).
type MaterializeArgs struct {
	Now *time.Time `json:"now,omitempty"`
}

// Kind names the job.
func (MaterializeArgs) Kind() string { return "rounds.materialize" }

// MaterializeJob is the job handler.
func (s *Service) MaterializeJob(ctx context.Context, args MaterializeArgs) error {
	_, err := s.Materialize(ctx, clock(args.Now))
	return err
}

// roundNamespace derives round ids from schedule and slot, so that every
// replica computes the same id for the same slot.
var roundNamespace = uuid.MustParse("0b7f5c8e-3d0a-4d47-9a57-2d7e1e7f9a11")

// Materialize creates the rounds of every active schedule whose slot falls
// between now (less the tolerance, so a round in its window is still made)
// and now plus the horizon. It is idempotent: a slot already made is left
// alone. It returns how many rounds it created.
func (s *Service) Materialize(ctx context.Context, now time.Time) (int, error) {
	created := 0
	err := eachOrg(ctx, s.db, MaterializeArgs{}.Kind(), func(ctx context.Context) error {
		schedules, err := s.db.Read(ctx).ActiveSchedules()
		if err != nil {
			return err
		}
		for _, schedule := range schedules {
			n, err := s.materializeSchedule(ctx, schedule, now)
			if err != nil {
				return err
			}
			created += n
		}
		return nil
	})
	return created, errs.Wrap("rounds.Materialize", err)
}

func (s *Service) materializeSchedule(ctx context.Context, schedule store.Schedule, now time.Time) (int, error) {
	created := 0
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		site, err := tx.Site(schedule.SiteID)
		if err != nil || !site.Active {
			return err
		}
		loc, err := time.LoadLocation(site.Timezone)
		if err != nil {
			return nil
		}
		rule, problems := recurrence(schedule.RRule, schedule.DTStart, loc)
		if len(problems) > 0 {
			s.log.Warn("schedule has an invalid rule; skipped", "schedule_id", schedule.ID, "problems", problems)
			return nil
		}
		template, ok, err := roundTemplate(tx, schedule, site)
		if err != nil || !ok {
			return err
		}
		tolerance := time.Duration(schedule.ToleranceSeconds) * time.Second
		for _, slot := range occurrences(rule, now.Add(-tolerance), now.Add(s.cfg.Horizon), 1000) {
			row := template
			row.ID = uuid.NewSHA1(roundNamespace, []byte(schedule.ID+"/"+slot.Format(time.RFC3339))).String()
			row.SlotAt, row.WindowStart, row.WindowEnd = slot, slot, slot.Add(tolerance)
			inserted, err := tx.InsertRoundIfAbsent(&row)
			if err != nil {
				return err
			}
			if inserted {
				created++
				if err := RecordRound(tx, row); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return created, err
}

// roundTemplate is what every round of a schedule shares; false when the
// route is gone or inactive.
func roundTemplate(tx *store.Tx, schedule store.Schedule, site store.Site) (store.Round, bool, error) {
	row := store.Round{SiteID: schedule.SiteID, ScheduleID: &schedule.ID, Kind: schedule.Kind, Name: schedule.Name,
		TemplateID: schedule.TemplateID, AssigneeID: schedule.AssigneeID, Timezone: site.Timezone, Status: Scheduled,
		Flags: []byte("[]"), Checkpoints: []byte("[]"), TotalCount: 1}
	if schedule.Kind != KindRound || schedule.RouteID == nil {
		return row, true, nil
	}
	route, err := tx.Route(*schedule.RouteID)
	if errs.Is(err, errs.NotFound) || (err == nil && !route.Active) {
		return row, false, nil
	}
	if err != nil {
		return row, false, err
	}
	row.RouteID, row.Ordered, row.Checkpoints = &route.ID, route.Ordered, route.Checkpoints
	row.TotalCount = len(checkpointsOf(route.Checkpoints))
	return row, true, nil
}

func clock(now *time.Time) time.Time {
	if now != nil {
		return now.UTC()
	}
	return time.Now().UTC()
}
