package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/mutation"
)

// The push scenario sends the same inspection again and again under fresh
// ids. Encoding its batch with encoding/json every time (34 envelopes,
// every raw payload re-validated and compacted) made garbage and cost the
// tool CPU that, on a shared two-core machine, it takes from the server it
// measures, and a busy tool starts pushes late. So the body is encoded
// once, with stand-ins where the ids, times and digests go, and every push
// copies it with the real values spliced in: a body byte for byte what the
// encoding/json path makes for the same values (TestPushBodyTemplate).

// Stand-ins: strings encoding/json writes verbatim and that no template,
// site or context value contains (bodyTemplate checks that each is found).
// A medium's stand-in is standInMedium and its index in two digits, so that
// no stand-in is the start of another.
const (
	standInInspection = "bench-stand-in-inspection-id"
	standInMedium     = "bench-stand-in-medium-id-"
	standInMutation   = "bench-stand-in-mutation-id"
)

// standInTime is the client time of the template: a second no run has.
var standInTime = time.Date(1999, 9, 9, 9, 9, 9, 0, time.UTC)

// fieldKind is what goes between two literal pieces of the template.
type fieldKind uint8

const (
	fieldMutation         fieldKind = iota // a fresh mutation id
	fieldInspection                        // the inspection's id
	fieldTime                              // the client time, RFC 3339 seconds
	fieldMedium                            // a medium's id
	fieldMediumSHA256                      // the declared digest of a medium's bytes
	fieldAnswerDigest                      // the digest of a signature's answer (what it signs)
	fieldCountersignature                  // a two-person item's proof, over the inspection's id and the time
)

// field is one variable field: its kind and, for the medium kinds, which
// medium of the inspection.
type field struct {
	kind   fieldKind
	medium int
}

// bodyTemplate is one push's body cut at its variable fields.
type bodyTemplate struct {
	literals [][]byte // literals[i] comes before fields[i]; the last one ends the body
	fields   []field
	size     int   // of a body, for the buffer
	plan     *plan // whose countersigner signs
}

// values are one push's variable fields.
type values struct {
	inspection       string
	media            []medium // as plan.newMedia makes them for the push
	clientTime       string
	appendMutationID func(dst []byte) []byte // appends a fresh mutation id
}

// encodeBatch is a push's body the encoding/json way: with the media's
// declarations first (declareInPush) or without them.
func (p *plan) encodeBatch(v values) ([]byte, error) {
	now, err := time.Parse(time.RFC3339, v.clientTime)
	if err != nil {
		return nil, err
	}
	newMutationID := func() string { return string(v.appendMutationID(nil)) }
	var batch []mutation.Envelope
	if p.declareInPush {
		batch = append(batch, p.declarations(now, v.inspection, v.media, newMutationID)...)
	}
	batch = append(batch, p.batchWith(now, v.inspection, p.mediaAnswers(v.inspection, v.clientTime, v.media), newMutationID)...)
	return json.Marshal(map[string]any{"mutations": batch})
}

// standIns are the template's media with stand-in ids.
func (p *plan) standIns() []medium {
	n := 0
	return p.newMedia(0, func() string { n++; return fmt.Sprintf("%s%02d", standInMedium, n-1) })
}

// newBodyTemplate encodes the plan's push once with stand-ins and cuts it
// at every one of them.
func (p *plan) newBodyTemplate() (*bodyTemplate, error) {
	media := p.standIns()
	if len(media) > 100 {
		return nil, fmt.Errorf("push body template: %d media, at most 100 have a stand-in", len(media))
	}
	encoded, err := p.encodeBatch(values{inspection: standInInspection, media: media,
		clientTime:       standInTime.Format(time.RFC3339),
		appendMutationID: func(dst []byte) []byte { return append(dst, standInMutation...) }})
	if err != nil {
		return nil, err
	}
	type standIn struct {
		text string
		f    field
	}
	standIns := []standIn{{standInMutation, field{kind: fieldMutation}}, {standInInspection, field{kind: fieldInspection}},
		{standInTime.Format(time.RFC3339), field{kind: fieldTime}}}
	for i, m := range media {
		sha, digest := mediumDigests(m)
		standIns = append(standIns, standIn{m.id, field{fieldMedium, i}}, standIn{sha, field{fieldMediumSHA256, i}})
		if digest != "" {
			standIns = append(standIns, standIn{digest, field{fieldAnswerDigest, i}})
		}
		if m.item.kind == countersignKind {
			proof := p.countersignature(m, standInInspection, standInTime.Format(time.RFC3339))
			standIns = append(standIns, standIn{proof, field{fieldCountersignature, i}})
		}
	}
	t := &bodyTemplate{plan: p}
	found := map[fieldKind]bool{}
	rest := encoded
	for {
		at, which := -1, 0
		for i, s := range standIns {
			if j := bytes.Index(rest, []byte(s.text)); j >= 0 && (at < 0 || j < at) {
				at, which = j, i
			}
		}
		if at < 0 {
			break
		}
		t.literals = append(t.literals, rest[:at])
		t.fields = append(t.fields, standIns[which].f)
		found[standIns[which].f.kind] = true
		rest = rest[at+len(standIns[which].text):]
	}
	t.literals = append(t.literals, rest)
	// Room for every field at its longest (a UUID, 36 bytes, is 11 longer
	// than the longest stand-in; the others keep their length), so that a
	// body is one allocation.
	t.size = len(encoded) + 16*len(t.fields)
	for _, f := range []fieldKind{fieldMutation, fieldInspection, fieldTime} {
		if !found[f] {
			return nil, fmt.Errorf("push body template: stand-in %d not found in %s", f, encoded)
		}
	}
	return t, nil
}

// mediumDigests are the declared sha256 of medium m's (never uploaded)
// bytes and, for a signature, the digest of the answer naming it.
func mediumDigests(m medium) (sha256hex, answerDigest string) {
	sum := sha256.Sum256([]byte(m.id)) // never uploaded: any digest will do
	if m.item.kind == string(checklists.TypeSignature) {
		answerDigest = signatureDigest(m.id)
	}
	return hex.EncodeToString(sum[:]), answerDigest
}

// appendBody appends one push's body with v's values to dst.
func (t *bodyTemplate) appendBody(dst []byte, v values) []byte {
	digests := make([][2]string, len(v.media)) // computed once per medium, when first needed
	for i, f := range t.fields {
		dst = append(dst, t.literals[i]...)
		switch f.kind {
		case fieldMutation:
			dst = v.appendMutationID(dst)
		case fieldInspection:
			dst = append(dst, v.inspection...)
		case fieldTime:
			dst = append(dst, v.clientTime...)
		case fieldMedium:
			dst = append(dst, v.media[f.medium].id...)
		case fieldMediumSHA256, fieldAnswerDigest:
			d := &digests[f.medium]
			if d[0] == "" {
				d[0], d[1] = mediumDigests(v.media[f.medium])
			}
			if f.kind == fieldMediumSHA256 {
				dst = append(dst, d[0]...)
			} else {
				dst = append(dst, d[1]...)
			}
		case fieldCountersignature:
			dst = t.plan.appendCountersignature(dst, v.media[f.medium], v.inspection, v.clientTime)
		}
	}
	return append(dst, t.literals[len(t.literals)-1]...)
}

// appendNewID appends a fresh UUIDv7 in its text form, as newID makes it,
// without the string newID allocates.
func appendNewID(dst []byte) []byte {
	id := uuid.Must(uuid.NewV7())
	dst = hex.AppendEncode(dst, id[0:4])
	dst = append(dst, '-')
	dst = hex.AppendEncode(dst, id[4:6])
	dst = append(dst, '-')
	dst = hex.AppendEncode(dst, id[6:8])
	dst = append(dst, '-')
	dst = hex.AppendEncode(dst, id[8:10])
	dst = append(dst, '-')
	return hex.AppendEncode(dst, id[10:16])
}
