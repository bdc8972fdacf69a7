package syncer

import (
	"encoding/json"
	"strconv"
)

// AppendJSON appends the page's JSON to out: the bytes json.Marshal gives
// for it, written by hand. A change's data is the record as the store
// wrote it to the log, compact JSON from json.Marshal; encoding/json would
// scan and copy every byte of it again to compact and validate it (a
// RawMessage or a MarshalJSON result alike), which was a fifth of a full
// sync's CPU (issue 17). Here it is copied once, as it is.
func (p Page) AppendJSON(out []byte) []byte {
	out = append(out, `{"changes":[`...)
	for i, c := range p.Changes {
		if i > 0 {
			out = append(out, ',')
		}
		out = c.appendJSON(out)
	}
	out = append(out, `],"next_cursor":`...)
	out = appendString(out, p.NextCursor)
	out = append(out, `,"has_more":`...)
	out = strconv.AppendBool(out, p.HasMore)
	return append(out, '}')
}

// JSONSize is about how many bytes AppendJSON writes, to size its buffer
// once.
func (p Page) JSONSize() int {
	size := 64 + len(p.NextCursor)
	for _, c := range p.Changes {
		size += len(c.Data) + len(c.EntityType) + len(c.EntityID) + len(c.Reason) + 96
	}
	return size
}

// appendJSON writes the fields in the order and with the omissions of
// Change's struct tags.
func (c Change) appendJSON(out []byte) []byte {
	out = append(out, `{"entity_type":`...)
	out = appendString(out, c.EntityType)
	out = append(out, `,"entity_id":`...)
	out = appendString(out, c.EntityID)
	out = append(out, `,"op":`...)
	out = appendString(out, c.Op)
	if c.Reason != "" {
		out = append(out, `,"reason":`...)
		out = appendString(out, c.Reason)
	}
	out = append(out, `,"version":`...)
	out = strconv.AppendInt(out, c.Version, 10)
	if len(c.Data) > 0 {
		out = append(out, `,"data":`...)
		out = append(out, c.Data...)
	}
	return append(out, '}')
}

// appendString writes s as a JSON string. The envelope's strings are
// names, uuids and base64 the server made, so they are copied as they are;
// anything else is left to encoding/json, whose escaping (HTML characters,
// invalid UTF-8, U+2028) then holds here too.
func appendString(out []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			quoted, _ := json.Marshal(s) // a string always encodes
			return append(out, quoted...)
		}
	}
	out = append(out, '"')
	out = append(out, s...)
	return append(out, '"')
}
