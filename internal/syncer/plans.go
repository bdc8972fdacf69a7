package syncer

import (
	"maps"
	"slices"

	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/plans"
)

// acknowledgePlan is plan.acknowledge: the user read the current version
// of the emergency plan entity_id on their phone (issue 16, item 3). The
// rule is plans.Acknowledge, the same as over REST.
func (b *batch) acknowledgePlan(m Mutation) (Result, error) {
	var in mutation.AcknowledgePlan
	if problem := decodePayload(m, &in); problem != nil {
		return rejected(m, *problem), nil
	}
	number := in.Version
	if number < 1 {
		return rejected(m, FieldError{"/payload/version", "required: the version number read"}), nil
	}
	outcome, err := plans.Acknowledge(b.tx, b.p, m.EntityID, number, input.ParseTime(m.ClientTime))
	if err != nil {
		return Result{}, err
	}
	if len(outcome.Problems) > 0 {
		var problems []FieldError
		for _, pointer := range slices.Sorted(maps.Keys(outcome.Problems)) {
			problems = append(problems, FieldError{pointer, outcome.Problems[pointer]})
		}
		return rejected(m, problems...), nil
	}
	status := Applied
	if outcome.Duplicate {
		status = Duplicate
	}
	return Result{Status: status, EntityID: m.EntityID, Version: int64(number)}, nil
}
