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
// Anything else (field errors, a server record, a scan or media outcome)
// goes through json.Marshal; a string encoding/json would escape is
// escaped by it (appendString, shared with the pull page's encoding).
func encodeResult(r Result) ([]byte, error) {
	if len(r.Errors) > 0 || len(r.ServerRecord) > 0 || r.Scan != nil || r.Media != nil {
		return json.Marshal(r)
	}
	// The field names, quotes and a version: one allocation, never a
	// regrowth, unless a string needs escaping.
	out := make([]byte, 0, 96+len(r.MutationID)+len(r.Status)+len(r.EntityID)+len(r.ContentHash))
	out = append(out, `{"mutation_id":`...)
	out = appendString(out, r.MutationID)
	out = append(out, `,"status":`...)
	out = appendString(out, r.Status)
	if r.EntityID != "" {
		out = append(out, `,"entity_id":`...)
		out = appendString(out, r.EntityID)
	}
	if r.Version != 0 {
		out = append(out, `,"version":`...)
		out = strconv.AppendInt(out, r.Version, 10)
	}
	if r.ContentHash != "" {
		out = append(out, `,"content_hash":`...)
		out = appendString(out, r.ContentHash)
	}
	return append(out, '}'), nil
}
