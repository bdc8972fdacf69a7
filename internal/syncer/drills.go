package syncer

import (
	"slices"

	"github.com/patrolsync/patrolsync/internal/drills"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/inspection"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// drillHold is a drill an inspection submitted in this push holds.
type drillHold struct {
	p            principal.Principal
	drill        store.Drill
	inspectionID string
}

// checkDrill checks inspection.submit's drill_id with the drill domain's
// rule (drills.CheckHeld, as REST's record): the inspection, as it will
// be once submitted, must record that scheduled drill. Nothing changes
// here; a refused drill rejects the submit whole.
func (b *batch) checkDrill(st *inspectionState, in mutation.Submit, m Mutation) (*store.Drill, []FieldError, error) {
	if in.DrillID == nil {
		return nil, nil, nil
	}
	const pointer = "/payload/drill_id"
	if !input.IsUUID(*in.DrillID) {
		return nil, []FieldError{{pointer, "must be a drill id"}}, nil
	}
	for _, hold := range b.drillHolds {
		if hold.drill.ID == *in.DrillID {
			return nil, []FieldError{{pointer, "this drill is recorded already"}}, nil
		}
	}
	held := st.row
	held.Status, held.ReceivedAt = inspection.Submitted, ptr(b.tx.Now)
	held.SubmittedAt = input.ParseTime(in.SubmittedAt)
	if held.SubmittedAt == nil {
		held.SubmittedAt = input.ParseTime(m.ClientTime)
	}
	fields := map[string]string{}
	drill, err := drills.CheckHeld(b.tx, b.p, *in.DrillID, held, fields)
	switch {
	case errs.Is(err, errs.NotFound):
		return nil, []FieldError{{pointer, "no such drill"}}, nil
	case errs.Is(err, errs.Conflict):
		return nil, []FieldError{{pointer, "this drill is recorded already"}}, nil
	case err != nil:
		return nil, nil, err
	}
	var problems []FieldError
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range fields {
			if !yield(k) {
				return
			}
		}
	}) {
		problems = append(problems, FieldError{pointer, "the inspection " + fields[key]})
	}
	return &drill, problems, nil
}

// holdDrills writes the drills held by the inspections submitted here,
// after the inspections (a drill names its inspection).
func (ws *workingSet) holdDrills(tx *store.Tx) error {
	for _, hold := range ws.drillHolds {
		st := ws.inspections[hold.inspectionID]
		if err := drills.MarkHeld(tx, hold.p, hold.drill, st.row); err != nil {
			return err
		}
	}
	return nil
}
