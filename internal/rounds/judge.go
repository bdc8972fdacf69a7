package rounds

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// DetectMissedArgs is the periodic job that judges rounds whose window,
// grace and sync delay have passed. Now is for tests and replays.
type DetectMissedArgs struct {
	Now *time.Time `json:"now,omitempty"`
}

// Kind names the job.
func (DetectMissedArgs) Kind() string { return "rounds.detect_missed" }

// DetectMissedJob is the job handler.
func (s *Service) DetectMissedJob(ctx context.Context, args DetectMissedArgs) error {
	_, err := s.DetectMissed(ctx, clock(args.Now))
	return err
}

// Outcome is the judgement of one round.
type Outcome struct {
	Status  string
	Scanned int
	Missed  []string // checkpoint ids
	Flags   []string
}

// Judge decides a round by its scans' device times: a checkpoint is done
// when a scan at it was made between the window's start and its end plus
// grace, however late the scan reached the server. Flags of every scan are
// carried to the round, so a clock disagreement shows on the round too.
func Judge(r store.Round, scans []store.Scan, grace time.Duration) Outcome {
	done := map[string]bool{}
	flagSet := map[string]bool{}
	for _, s := range scans {
		for _, f := range flagsOf(s.Flags) {
			if f != FlagAfterJudgement {
				flagSet[f] = true
			}
		}
		if s.CheckpointID == nil || s.ScannedAt.Before(r.WindowStart) || s.ScannedAt.After(r.WindowEnd.Add(grace)) {
			continue
		}
		done[*s.CheckpointID] = true
	}
	out := Outcome{Flags: []string{}}
	for f := range flagSet {
		out.Flags = append(out.Flags, f)
	}
	sort.Strings(out.Flags)
	for _, c := range checkpointsOf(r.Checkpoints) {
		if done[c.ID] {
			out.Scanned++
		} else {
			out.Missed = append(out.Missed, c.ID)
		}
	}
	out.Status = statusOf(out.Scanned, r.TotalCount)
	return out
}

func statusOf(done, total int) string {
	switch {
	case done >= total:
		return Completed
	case done > 0:
		return Partial
	}
	return Missed
}

// DetectMissed judges every scheduled round whose window end plus grace
// plus sync delay is before now: completed, partial or missed, with an
// exception per missed checkpoint and, for partial and missed rounds, one
// notification per supervisor of the site and one webhook. Each round is
// judged in its own transaction with compare-and-set, so concurrent runs
// judge it once. It returns how many rounds this run judged.
func (s *Service) DetectMissed(ctx context.Context, now time.Time) (int, error) {
	judged := 0
	err := eachOrg(ctx, s.db, DetectMissedArgs{}.Kind(), func(ctx context.Context) error {
		cutoff := now.Add(-s.cfg.Grace - s.cfg.SyncDelay)
		rows, err := s.db.Read(ctx).RoundsToJudge(cutoff, 1000)
		if err != nil {
			return err
		}
		for _, row := range rows {
			var deliveries []notify.DeliverArgs
			err := s.db.InTx(ctx, func(tx *store.Tx) (err error) {
				deliveries, err = s.judgeRound(tx, row, now)
				return err
			})
			if errs.Is(err, errs.Stale) {
				continue // another run judged it first
			}
			if err != nil {
				return err
			}
			judged++
			s.notify.Enqueue(ctx, deliveries)
		}
		return nil
	})
	return judged, errs.Wrap("rounds.DetectMissed", err)
}

func (s *Service) judgeRound(tx *store.Tx, row store.Round, now time.Time) ([]notify.DeliverArgs, error) {
	var out Outcome
	if row.Kind == KindInspection {
		inspections, err := tx.SubmittedInspectionsOfRound(row.ID)
		if err != nil {
			return nil, err
		}
		out = Outcome{Flags: []string{}, Missed: []string{KindInspection}}
		for _, i := range inspections {
			if i.SubmittedAt != nil && !i.SubmittedAt.After(row.WindowEnd.Add(s.cfg.Grace)) {
				out.Scanned, out.Missed = 1, nil
			}
		}
		out.Status = statusOf(out.Scanned, 1)
	} else {
		scans, err := tx.ScansOfRounds([]string{row.ID})
		if err != nil {
			return nil, err
		}
		out = Judge(row, scans, s.cfg.Grace)
	}
	expected := row.Version
	row.Status, row.ScannedCount, row.JudgedAt = out.Status, out.Scanned, &tx.Now
	row.Flags, _ = json.Marshal(out.Flags)
	if err := tx.UpdateRound(&row, expected); err != nil {
		return nil, err
	}
	exceptions := make([]store.RoundException, len(out.Missed))
	for i, checkpoint := range out.Missed {
		exceptions[i] = store.RoundException{ID: uuid.Must(uuid.NewV7()).String(), RoundID: row.ID,
			CheckpointID: checkpoint, Kind: "missed"}
	}
	if err := tx.AddRoundExceptions(exceptions); err != nil {
		return nil, err
	}
	if err := RecordRound(tx, row); err != nil {
		return nil, err
	}
	if row.Status == Completed {
		return nil, nil
	}
	supervisors, err := tx.ActiveUserIDs(principal.Supervisor, row.SiteID)
	if err != nil {
		return nil, err
	}
	return notify.Record(tx, notify.Event{Key: "round." + row.Status + ":" + row.ID, Type: "round." + row.Status,
		SubjectType: "round", SubjectID: row.ID, SiteID: row.SiteID, Recipients: supervisors})
}
