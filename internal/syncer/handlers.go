package syncer

import (
	"maps"
	"slices"

	"github.com/patrolsync/patrolsync/internal/mutation"
)

// handler is how push treats one mutation type. What the type loads before
// a push and writes after it follows from its mutation.Spec (the kind of
// record it names, whether its payload names media); apply is the rule.
type handler struct {
	spec  mutation.Spec
	apply func(*batch, Mutation) (Result, error)
}

// handlers apply each mutation type internal/mutation declares; a test
// checks that every declared type has one and every one is declared, and
// openapi.yaml has one schema per key (openapi_test.go compares them).
var handlers = map[mutation.Type]func(*batch, Mutation) (Result, error){
	mutation.InspectionStart:  (*batch).startInspection,
	mutation.AnswerSet:        (*batch).changeAnswer,
	mutation.AnswerClear:      (*batch).changeAnswer,
	mutation.InspectionSubmit: (*batch).submitInspection,
	mutation.FindingCreate:    (*batch).createFinding,
	mutation.FindingUpdate:    (*batch).updateFinding,
	mutation.CheckpointScan:   (*batch).scanCheckpoint,
	mutation.MediaDeclare:     (*batch).declareMedia,
	mutation.IncidentReport:   (*batch).reportIncident,
	mutation.IncidentFollowUp: (*batch).followUpIncident,
	mutation.PlanAcknowledge:  (*batch).acknowledgePlan,
	mutation.HandoverStart:    (*batch).startHandover,
	mutation.HandoverSign:     (*batch).signHandover,
	mutation.DutyLogWrite:     (*batch).writeDutyLog,
	mutation.TrainingAttend:   (*batch).attendTraining,
}

// handlerOf finds the handler of a type by its wire name.
func handlerOf(name string) (handler, bool) {
	spec, declared := mutation.Lookup(name)
	apply, ok := handlers[spec.Type]
	if !declared || !ok {
		return handler{}, false
	}
	return handler{spec: spec, apply: apply}, true
}

// MutationTypes lists the mutation types push applies, sorted.
func MutationTypes() []string {
	out := make([]string, 0, len(handlers))
	for _, t := range slices.Sorted(maps.Keys(handlers)) {
		out = append(out, string(t))
	}
	return out
}
