package syncer

import (
	"context"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// PruneLogArgs is the periodic job that trims the change log.
type PruneLogArgs struct {
	RetentionHours int `json:"retention_hours"`
}

// Kind names the job.
func (PruneLogArgs) Kind() string { return "sync.prune_log" }

// PruneLog trims every organisation's change log of entries older than the
// retention that no full sync needs. Devices whose cursor predates what
// was trimmed are told (410) to sync again from scratch.
func (s *Service) PruneLog(ctx context.Context, args PruneLogArgs) error {
	const op = "syncer.PruneLog"
	orgs, err := s.db.Read(ctx).OrgIDs()
	if err != nil {
		return errs.E(op, err)
	}
	before := time.Now().UTC().Add(-time.Duration(args.RetentionHours) * time.Hour)
	for _, org := range orgs {
		orgCtx := principal.AsSystem(ctx, org, args.Kind())
		var pruned int64
		err := s.db.InTx(orgCtx, func(tx *store.Tx) (err error) {
			pruned, err = tx.PruneChanges(before)
			return err
		})
		if err != nil {
			return errs.E(op, err)
		}
		if pruned > 0 {
			s.log.Info("change log pruned", "org_id", org, "entries", pruned)
		}
	}
	return nil
}
