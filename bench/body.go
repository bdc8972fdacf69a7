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
const (
	standInInspection = "bench-stand-in-inspection-id"
	standInSignature  = "bench-stand-in-signature-id"
	standInMutation   = "bench-stand-in-mutation-id"
)

// standInTime is the client time of the template: a second no run has.
var standInTime = time.Date(1999, 9, 9, 9, 9, 9, 0, time.UTC)

// field is what goes between two literal pieces of the template.
type field uint8

const (
	fieldMutation        field = iota // a fresh mutation id
	fieldInspection                   // the inspection's id
	fieldSignature                    // the signature medium's id
	fieldTime                         // the client time, RFC 3339 seconds
	fieldSignatureSHA256              // the declared digest of the signature's bytes
	fieldSignatureDigest              // the digest of the signature answer (what it signs)
)

// bodyTemplate is one push's body cut at its variable fields.
type bodyTemplate struct {
	literals [][]byte // literals[i] comes before fields[i]; the last one ends the body
	fields   []field
	size     int // of a body, for the buffer
}

// values are one push's variable fields.
type values struct {
	inspection, signature string
	clientTime            string
	appendMutationID      func(dst []byte) []byte // appends a fresh mutation id
}

// encodeBatch is a push's body the encoding/json way: with the signature's
// declaration first (declareInPush) or without it.
func (p *plan) encodeBatch(v values) ([]byte, error) {
	now, err := time.Parse(time.RFC3339, v.clientTime)
	if err != nil {
		return nil, err
	}
	newMutationID := func() string { return string(v.appendMutationID(nil)) }
	var batch []mutation.Envelope
	if p.declareInPush {
		batch = append(batch, p.declarationWith(now, v.inspection, v.signature, newMutationID))
	}
	batch = append(batch, p.batchWith(now, v.inspection, p.mediaAnswers(nil, v.signature), newMutationID)...)
	return json.Marshal(map[string]any{"mutations": batch})
}

// newBodyTemplate encodes the plan's push once with stand-ins and cuts it
// at every one of them.
func (p *plan) newBodyTemplate() (*bodyTemplate, error) {
	encoded, err := p.encodeBatch(values{inspection: standInInspection, signature: standInSignature,
		clientTime:       standInTime.Format(time.RFC3339),
		appendMutationID: func(dst []byte) []byte { return append(dst, standInMutation...) }})
	if err != nil {
		return nil, err
	}
	sha, digest := signatureDigests(standInSignature)
	standIns := []struct {
		text string
		f    field
	}{
		{standInMutation, fieldMutation}, {standInInspection, fieldInspection}, {standInSignature, fieldSignature},
		{standInTime.Format(time.RFC3339), fieldTime}, {sha, fieldSignatureSHA256}, {digest, fieldSignatureDigest},
	}
	t := &bodyTemplate{}
	found := map[field]bool{}
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
		found[standIns[which].f] = true
		rest = rest[at+len(standIns[which].text):]
	}
	t.literals = append(t.literals, rest)
	// Room for every field at its longest (a UUID, 36 bytes, is 10 longer
	// than its stand-in), so that a body is one allocation.
	t.size = len(encoded) + 16*len(t.fields)
	for _, f := range []field{fieldMutation, fieldInspection, fieldTime} {
		if !found[f] {
			return nil, fmt.Errorf("push body template: stand-in %d not found in %s", f, encoded)
		}
	}
	return t, nil
}

// signatureDigests are the declared sha256 of signature id's (never
// uploaded) bytes and the digest of the answer naming it.
func signatureDigests(id string) (sha256hex, answerDigest string) {
	sum := sha256.Sum256([]byte(id)) // never uploaded: any digest will do
	return hex.EncodeToString(sum[:]), checklists.AnswerDigest(signatureAnswer(id))
}

// appendBody appends one push's body with v's values to dst.
func (t *bodyTemplate) appendBody(dst []byte, v values) []byte {
	var sha, digest string
	for i, f := range t.fields {
		dst = append(dst, t.literals[i]...)
		switch f {
		case fieldMutation:
			dst = v.appendMutationID(dst)
		case fieldInspection:
			dst = append(dst, v.inspection...)
		case fieldSignature:
			dst = append(dst, v.signature...)
		case fieldTime:
			dst = append(dst, v.clientTime...)
		case fieldSignatureSHA256, fieldSignatureDigest:
			if sha == "" {
				sha, digest = signatureDigests(v.signature)
			}
			if f == fieldSignatureSHA256 {
				dst = append(dst, sha...)
			} else {
				dst = append(dst, digest...)
			}
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
