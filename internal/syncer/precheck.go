package syncer

import "github.com/patrolsync/patrolsync/internal/mutation"

// Precheck runs the checks of a mutation that need no database: its
// envelope and the shape of its payload (the type's payload in
// internal/mutation, decoded strictly). Push runs the same checks; this
// entry point lets the decoder be fuzzed without a server.
func Precheck(m Mutation) []FieldError {
	if problems := envelopeProblems(m); len(problems) > 0 {
		return problems
	}
	if spec, ok := mutation.Lookup(m.Type); ok {
		if problem := decodePayload(m, spec.New()); problem != nil {
			return []FieldError{*problem}
		}
	}
	return nil
}
