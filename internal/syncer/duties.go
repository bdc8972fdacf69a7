package syncer

import (
	"maps"
	"slices"

	"github.com/patrolsync/patrolsync/internal/duties"
	"github.com/patrolsync/patrolsync/internal/mutation"
)

// Duties on the phone (issue 16, item 4): each mutation calls the one
// write path internal/duties holds, the same as REST.

// startHandover is handover.start: the signed-in guard hands over and
// signs first.
func (b *batch) startHandover(m Mutation) (Result, error) {
	var in mutation.StartHandover
	if problem := decodePayload(m, &in); problem != nil {
		return rejected(m, *problem), nil
	}
	if in.ID != "" && in.ID != m.EntityID {
		return rejected(m, FieldError{"/payload/id", "leave it out: the handover's id is the entity_id"}), nil
	}
	outcome, err := duties.StartHandover(b.tx, b.p, m.EntityID, in, "/payload")
	if err != nil {
		return Result{}, err
	}
	return dutyResult(m, outcome.Problems, outcome.Duplicate, outcome.Handover.Version), nil
}

// signHandover is handover.sign: the incoming guard signs on their phone.
func (b *batch) signHandover(m Mutation) (Result, error) {
	var in mutation.SignHandover
	if problem := decodePayload(m, &in); problem != nil {
		return rejected(m, *problem), nil
	}
	outcome, err := duties.SignHandover(b.tx, b.p, m.EntityID, in, "/payload")
	if err != nil {
		return Result{}, err
	}
	return dutyResult(m, outcome.Problems, outcome.Duplicate, outcome.Handover.Version), nil
}

// writeDutyLog is duty_log.write: a line of the duty log.
func (b *batch) writeDutyLog(m Mutation) (Result, error) {
	var in mutation.WriteDutyLog
	if problem := decodePayload(m, &in); problem != nil {
		return rejected(m, *problem), nil
	}
	if in.ID != "" && in.ID != m.EntityID {
		return rejected(m, FieldError{"/payload/id", "leave it out: the entry's id is the entity_id"}), nil
	}
	outcome, err := duties.WriteLog(b.tx, b.p, m.EntityID, in, "/payload")
	if err != nil {
		return Result{}, err
	}
	return dutyResult(m, outcome.Problems, outcome.Duplicate, 1), nil
}

// attendTraining is training.attend: the guard signs the attendance sheet.
func (b *batch) attendTraining(m Mutation) (Result, error) {
	var in mutation.AttendTraining
	if problem := decodePayload(m, &in); problem != nil {
		return rejected(m, *problem), nil
	}
	outcome, err := duties.Attend(b.tx, b.p, m.EntityID, in, "/payload")
	if err != nil {
		return Result{}, err
	}
	return dutyResult(m, outcome.Problems, outcome.Duplicate, 1), nil
}

// dutyResult turns a duty rule's outcome into a push result.
func dutyResult(m Mutation, problems duties.Problems, duplicate bool, version int64) Result {
	if len(problems) > 0 {
		var out []FieldError
		for _, pointer := range slices.Sorted(maps.Keys(problems)) {
			out = append(out, FieldError{pointer, problems[pointer]})
		}
		return rejected(m, out...)
	}
	status := Applied
	if duplicate {
		status = Duplicate
	}
	return Result{Status: status, EntityID: m.EntityID, Version: version}
}
