package syncer

import (
	"bytes"

	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/strictjson"
)

// DecodePush decodes a push body in one pass, each payload of the types
// the push path handles most (inspection.start, answer.set and
// answer.clear, media.declare, inspection.submit) decoded into its type as
// it is read and carried by its mutation (Mutation.Decoded), where it was
// checked as raw JSON in the body and then parsed again by its handler
// (issue 17). ok is false for any body it does not take in full: a payload
// that does not fit its type, a field out of the usual order or shape,
// anything malformed. The caller then decodes the body with
// strictjson.Value into a struct of its "mutations", which decides what the body holds and
// which error to answer, and the handlers decode the payloads as before.
// When ok, the mutations are what that decode makes of the body, field for
// field (each Payload the same bytes, a slice of body), and each decoded
// payload is what its handler's own decode makes of its Payload
// (FuzzDecodePush holds it to both).
func DecodePush(body []byte) (mutations []Mutation, ok bool) {
	r := strictjson.NewReader(body)
	defer r.Close()
	if !r.Delim('{') {
		return nil, false
	}
	if name, ok := r.Name(); !ok || string(name) != "mutations" || !r.Delim('[') {
		return nil, false
	}
	// Room for as many mutations as the body names mutation ids (at most a
	// batch's), so that the list is not copied as it grows.
	mutations = make([]Mutation, 0, min(bytes.Count(body, []byte(`"mutation_id"`)), MaxBatch))
	var previous Mutation
	for r.Next() != ']' {
		m, ok := readMutation(r, previous.EntityID, previous.ClientTime)
		if !ok {
			return nil, false
		}
		mutations = append(mutations, m)
		previous = m
	}
	if !r.Delim(']') || !r.Delim('}') || !r.End() {
		return nil, false
	}
	return mutations, true // not nil: an empty list is a push of nothing
}

// readMutation reads one mutation. An entity id or client time that
// repeats the mutation before's (an inspection's answers) shares its
// string.
func readMutation(r *strictjson.Reader, entityBefore, timeBefore string) (Mutation, bool) {
	var m Mutation
	if !r.Delim('{') {
		return m, false
	}
	var decoded any
	for r.Next() != '}' {
		name, ok := r.Name()
		if !ok {
			return m, false
		}
		var text []byte
		switch string(name) {
		case "mutation_id":
			text, ok = r.String()
			m.MutationID = string(text)
		case "type":
			text, ok = r.String()
			m.Type = typeName(text)
		case "entity_id":
			text, ok = r.String()
			m.EntityID = sameOr(entityBefore, text)
		case "client_time":
			text, ok = r.String()
			m.ClientTime = sameOr(timeBefore, text)
		case "base_version":
			var version *int64 // not m's own field: its address would move every m to the heap
			tried, took := r.Decode(&version, strictjson.Options{})
			m.BaseVersion, ok = version, tried && took
		case "payload":
			m.Payload, decoded, ok = readPayload(r, m.Type)
		default:
			return m, false // unknown: the decode that decides answers it
		}
		if !ok {
			return m, false
		}
	}
	if !r.Delim('}') {
		return m, false
	}
	if decoded != nil {
		m = m.WithDecoded(decoded)
	}
	return m, true
}

// readPayload reads a payload: into its type when the mutation's type came
// before it and is one decoded here, and the payload is an object;
// otherwise as it is, for its handler to decode.
func readPayload(r *strictjson.Reader, kind string) (raw []byte, decoded any, ok bool) {
	v, o := payloadTarget(kind)
	if v == nil || r.Next() != '{' {
		raw, ok = r.Raw()
		return raw, nil, ok
	}
	tried, ok := r.Decode(v, o)
	if !tried {
		raw, ok = r.Raw()
		return raw, nil, ok
	}
	if !ok {
		return nil, nil, false
	}
	if a, isAnswer := v.(*answerPayload); isAnswer && a.Answer == nil {
		return r.Last(), nil, true // decodeAnswer reads it the long way, as before
	}
	return r.Last(), v, true
}

// payloadTarget is what a payload of the type is decoded into, and how, as
// its handler decodes it (decodePayload, decodeAnswer); nil for a type
// whose handler decodes its payload itself.
func payloadTarget(kind string) (any, strictjson.Options) {
	switch mutation.Type(kind) {
	case mutation.InspectionStart:
		return new(mutation.StartInspection), payloadOptions
	case mutation.AnswerSet:
		return new(answerPayload), strictjson.Options{}
	case mutation.AnswerClear:
		return new(mutation.Answer), payloadOptions
	case mutation.MediaDeclare:
		return new(mutation.Declare), payloadOptions
	case mutation.InspectionSubmit:
		return new(mutation.Submit), payloadOptions
	}
	return nil, strictjson.Options{}
}

// decoded is the payload DecodePush decoded for m, when it is a T.
func decoded[T any](m Mutation) (*T, bool) {
	v, ok := m.Decoded().(*T)
	return v, ok
}

// typeName is name as a string: a mutation type's constant for a type's
// name.
func typeName(name []byte) string {
	if spec, ok := mutation.Lookup(string(name)); ok {
		return string(spec.Type)
	}
	return string(name)
}

// sameOr is s when text is s, and a new string of text otherwise.
func sameOr(s string, text []byte) string {
	if string(text) == s {
		return s
	}
	return string(text)
}
