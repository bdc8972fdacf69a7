package main

import (
	"bytes"
	"encoding/json"
)

// answerOutcome is "" when a push's 200 answer holds want results, every
// one applied, or what went wrong: the first other status and, for a
// rejection, which check, so that a tool error shows itself.
func answerOutcome(raw []byte, want int) string {
	if allApplied(raw, want) {
		return ""
	}
	return decodedOutcome(raw, want)
}

// decodedOutcome is answerOutcome by a full decode of the answer.
func decodedOutcome(raw []byte, want int) string {
	return namedOutcome(raw, want, func(int) string { return "mutation" })
}

// namedOutcome is decodedOutcome naming the ith mutation's kind, as
// kind(i) says it, in what went wrong (the day scenario names its types).
func namedOutcome(raw []byte, want int, kind func(i int) string) string {
	var answer struct {
		Results []struct {
			Status string `json:"status"`
			Errors []struct {
				Pointer string `json:"pointer"`
			} `json:"errors"`
		} `json:"results"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil || len(answer.Results) != want {
		return "HTTP 200, malformed answer"
	}
	for i, r := range answer.Results {
		if r.Status != "applied" {
			outcome := "HTTP 200, a " + kind(i) + " " + r.Status
			if len(r.Errors) > 0 {
				outcome += " at " + r.Errors[0].Pointer
			}
			return outcome
		}
	}
	return ""
}

// allApplied is the cheap check of a push's answer: true only when raw is,
// byte for byte, the compact JSON the server writes for want applied
// results (api.pushAnswer around each result's encoding, fields in the
// order of syncer.Result), so that the full decode would find the same.
// Anything else (a conflict, a rejection, an escaped string, other
// spacing, a field it does not know) is decoded in full instead: slower,
// never wrong. Counting `"status":` keys, as it did before, stopped
// vouching for any answer once a declaration's result carried its media
// outcome (`"media":{"status":"pending"}`), and every push was decoded in
// full: about a fifth of the tool's CPU (issue 17).
func allApplied(raw []byte, want int) bool {
	s := scanner{rest: raw}
	if want < 1 || !s.literal(`{"results":[`) {
		return false
	}
	for i := range want {
		if i > 0 && !s.literal(",") {
			return false
		}
		if !s.appliedResult() {
			return false
		}
	}
	if !s.literal(`],"server_time":`) || !s.str() || !s.literal("}") {
		return false
	}
	return len(bytes.TrimLeft(s.rest, " \t\r\n")) == 0
}

// scanner matches the server's compact JSON from the front of rest; each
// method consumes what it matched and reports whether it did.
type scanner struct{ rest []byte }

// appliedResult is one result as the syncer encodes an applied mutation:
// its id and status, then its optional fields in syncer.Result's order.
func (s *scanner) appliedResult() bool {
	if !s.literal(`{"mutation_id":`) || !s.str() || !s.literal(`,"status":"applied"`) {
		return false
	}
	if s.literal(`,"entity_id":`) && !s.str() {
		return false
	}
	if s.literal(`,"version":`) && !s.integer() {
		return false
	}
	if s.literal(`,"content_hash":`) && !s.str() {
		return false
	}
	if s.literal(`,"media":{"status":`) && !(s.str() && s.literal("}")) {
		return false
	}
	return s.literal("}")
}

func (s *scanner) literal(text string) bool {
	if len(s.rest) < len(text) || string(s.rest[:len(text)]) != text {
		return false
	}
	s.rest = s.rest[len(text):]
	return true
}

// str is a JSON string without escapes (which the full decode would have
// to undo): a quote, no quote, backslash or control byte, a quote.
func (s *scanner) str() bool {
	if len(s.rest) == 0 || s.rest[0] != '"' {
		return false
	}
	for i := 1; i < len(s.rest); i++ {
		switch c := s.rest[i]; {
		case c == '"':
			s.rest = s.rest[i+1:]
			return true
		case c == '\\' || c < 0x20:
			return false
		}
	}
	return false
}

// integer is a JSON integer: an optional minus, then 0 or digits not
// starting with 0.
func (s *scanner) integer() bool {
	i := 0
	if i < len(s.rest) && s.rest[i] == '-' {
		i++
	}
	start := i
	for i < len(s.rest) && '0' <= s.rest[i] && s.rest[i] <= '9' {
		i++
	}
	if i == start || (s.rest[start] == '0' && i > start+1) {
		return false
	}
	s.rest = s.rest[i:]
	return true
}
