package syncer

import (
	"encoding/json"
	"strconv"
)

// encodeResult is json.Marshal of a result, byte for byte. Most results
// of a push are a status, an entity id, a version and perhaps a content
// hash (answer.set, inspection.start, inspection.submit): those are
// written by hand, without encoding/json's reflection over the nine
// fields of Result for each of 32 mutations per inspection (issue 17).
// Anything else (field errors, a server record, a scan or media outcome,
// or a string encoding/json would escape) goes through json.Marshal.
func encodeResult(r Result) ([]byte, error) {
	if len(r.Errors) > 0 || len(r.ServerRecord) > 0 || r.Scan != nil || r.Media != nil ||
		!plainJSON(r.MutationID) || !plainJSON(r.Status) || !plainJSON(r.EntityID) || !plainJSON(r.ContentHash) {
		return json.Marshal(r)
	}
	// The field names, quotes and a version: one allocation, never a regrowth.
	out := make([]byte, 0, 96+len(r.MutationID)+len(r.Status)+len(r.EntityID)+len(r.ContentHash))
	out = append(out, `{"mutation_id":"`...)
	out = append(out, r.MutationID...)
	out = append(out, `","status":"`...)
	out = append(out, r.Status...)
	out = append(out, '"')
	if r.EntityID != "" {
		out = append(out, `,"entity_id":"`...)
		out = append(out, r.EntityID...)
		out = append(out, '"')
	}
	if r.Version != 0 {
		out = append(out, `,"version":`...)
		out = strconv.AppendInt(out, r.Version, 10)
	}
	if r.ContentHash != "" {
		out = append(out, `,"content_hash":"`...)
		out = append(out, r.ContentHash...)
		out = append(out, '"')
	}
	return append(out, '}'), nil
}

// plainJSON reports whether encoding/json writes s between its quotes as
// it is: printable ASCII with nothing it escapes (quote, backslash, and
// the HTML characters <, > and & that json.Marshal escapes).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}
