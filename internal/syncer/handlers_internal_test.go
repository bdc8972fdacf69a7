package syncer

import (
	"encoding/json"
	"testing"

	"github.com/patrolsync/patrolsync/internal/mutation"
)

// TestHandlersCoverTheDeclaredTypes holds the server's table and
// internal/mutation's to the same types: a type declared for devices that
// push cannot apply, or applied by push but declared nowhere, fails here.
func TestHandlersCoverTheDeclaredTypes(t *testing.T) {
	declared := map[mutation.Type]bool{}
	for _, spec := range mutation.Specs() {
		declared[spec.Type] = true
		if _, ok := handlers[spec.Type]; !ok {
			t.Errorf("%s is declared in internal/mutation but push has no handler for it", spec.Type)
		}
		h, ok := handlerOf(string(spec.Type))
		if !ok || h.spec.Type != spec.Type || h.apply == nil {
			t.Errorf("handlerOf(%q) = %+v, %v", spec.Type, h.spec, ok)
		}
		if spec.Kind == "" || spec.Payload == nil {
			t.Errorf("%s declares no record kind or payload", spec.Type)
		}
	}
	for name := range handlers {
		if !declared[name] {
			t.Errorf("push handles %s, which internal/mutation does not declare", name)
		}
	}
	if _, ok := handlerOf("inspection.delete"); ok {
		t.Error("handlerOf found a handler for an undeclared type")
	}
	if len(MutationTypes()) != len(mutation.Specs()) {
		t.Errorf("MutationTypes() = %v, want one per declared type", MutationTypes())
	}
}

// TestDeclaredPayloadsDecodeStrictly checks that what a device encodes
// from a declared payload is what push's strict decoder reads back, for
// every type, and that a field the payload does not declare is refused.
func TestDeclaredPayloadsDecodeStrictly(t *testing.T) {
	for _, spec := range mutation.Specs() {
		raw, err := mutation.Encode(spec.Type, spec.New())
		if err != nil {
			t.Fatalf("%s: %v", spec.Type, err)
		}
		m := Mutation{MutationID: "0194f2a0-1111-7000-8000-000000000001", Type: string(spec.Type),
			EntityID: "0194f2a0-2222-7000-8000-000000000002", Payload: raw}
		if raw[0] != '{' {
			// An empty patch (finding.update) encodes as null: give it a field.
			m.Payload = json.RawMessage(`{"title":"x"}`)
		}
		if problem := decodePayload(m, spec.New()); problem != nil {
			t.Errorf("%s: its own empty payload %s is refused: %s", spec.Type, raw, problem.Detail)
		}
		if spec.Type == mutation.FindingUpdate {
			continue // a patch names any field; unknown ones are refused by the merge
		}
		m.Payload = json.RawMessage(`{"not_a_field":1}`)
		if problem := decodePayload(m, spec.New()); problem == nil {
			t.Errorf("%s: an undeclared field was accepted", spec.Type)
		}
	}
	if _, err := mutation.Encode(mutation.AnswerSet, mutation.Submit{}); err == nil {
		t.Error("Encode accepted another type's payload")
	}
}
