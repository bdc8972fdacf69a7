package syncer

// payloadShapes are the payload types of the mutations whose payload is a
// fixed struct; Precheck decodes into them.
var payloadShapes = map[string]func() any{
	"inspection.start":  func() any { return &startPayload{} },
	"answer.set":        func() any { return &answerPayload{} },
	"answer.clear":      func() any { return &answerPayload{} },
	"inspection.submit": func() any { return &submitPayload{} },
	"finding.create":    func() any { return &createFindingPayload{} },
}

// Precheck runs the checks of a mutation that need no database: its
// envelope and the shape of its payload. Push runs the same checks; this
// entry point lets the decoder be fuzzed without a server.
func Precheck(m Mutation) []FieldError {
	if problems := envelopeProblems(m); len(problems) > 0 {
		return problems
	}
	if shape, ok := payloadShapes[m.Type]; ok {
		if problem := decodePayload(m, shape()); problem != nil {
			return []FieldError{*problem}
		}
	}
	return nil
}
