package client

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/input"
)

// mediaRef is one media id an answer names, with what a generated stand-in
// for it would be.
type mediaRef struct {
	ID        string
	Kind      string
	Signature *Signature
}

// stepReferences lists the media ids an answer names, by the server's
// rules: a photo item's values, a signature's media_id, the answer's media
// evidence and a countersigner's signature. Ids that are not UUIDs are
// left out, as the server leaves them to the checklist engine.
func stepReferences(step answerStep) ([]mediaRef, error) {
	answer, err := plainAnswer(step.Answer)
	if err != nil {
		return nil, err
	}
	var out []mediaRef
	add := func(value any, kind string, signature *Signature) {
		if id, ok := value.(string); ok && input.IsUUID(id) {
			out = append(out, mediaRef{ID: strings.ToLower(id), Kind: kind, Signature: signature})
		}
	}
	digest := contentDigest(answer)
	switch step.Item.Type {
	case checklists.TypePhoto:
		if list, ok := answer.Value.([]any); ok {
			for _, element := range list {
				add(element, KindPhoto, nil)
			}
		}
	case checklists.TypeSignature:
		if fields, ok := answer.Value.(map[string]any); ok {
			name, _ := fields["signer_name"].(string)
			user, _ := fields["signer_user_id"].(string)
			add(fields["media_id"], KindSignature, standInSignature(name, user, step.Item.SignerRole, digest))
		}
	}
	for _, id := range answer.Media {
		add(id, KindPhoto, nil)
	}
	if cs := answer.Countersign; cs != nil && step.Item.Countersign != nil {
		add(cs.SignatureMediaID, KindSignature, standInSignature("Countersigner", "", step.Item.Countersign.Role, digest))
	} else if cs != nil {
		add(cs.SignatureMediaID, KindSignature, standInSignature("Countersigner", "", "", digest))
	}
	return out, nil
}

// plainAnswer is the answer as the server decodes it: values as plain JSON
// types ([]any, map[string]any), whatever Go types the caller used.
func plainAnswer(answer checklists.Answer) (checklists.Answer, error) {
	raw, err := json.Marshal(answer)
	if err != nil {
		return answer, err
	}
	var out checklists.Answer
	return out, json.Unmarshal(raw, &out)
}

// contentDigest is what a signature in the answer signs; the server checks
// it at submit.
func contentDigest(answer checklists.Answer) string { return checklists.AnswerDigest(answer) }

// standInSignature describes a generated signature: one stroke, signed now.
func standInSignature(name, userID, role, digest string) *Signature {
	if name == "" && userID == "" {
		name = "Signer"
	}
	if role == "" {
		role = "witness"
	}
	return &Signature{Strokes: json.RawMessage(`[[[0,0],[1,1]]]`), SignerName: name,
		SignerUserID: userID, SignerRole: role, SignedAt: time.Now().UTC().Format(time.RFC3339), ContentDigest: digest}
}

// unqueuedMedia writes a stand-in image for every media id the step names
// that the queue does not hold yet, and returns the rows to insert with
// the step's mutation.
func (c *Client) unqueuedMedia(ctx context.Context, inspectionID string, step answerStep) ([]queuedMedia, error) {
	refs, err := stepReferences(step)
	if err != nil {
		return nil, err
	}
	var out []queuedMedia
	seen := map[string]bool{}
	for _, ref := range refs {
		if seen[ref.ID] {
			continue
		}
		seen[ref.ID] = true
		var owner string
		err := c.db.QueryRowContext(ctx, `SELECT inspection_id FROM media WHERE id = ?`, ref.ID).Scan(&owner)
		switch {
		case err == nil && owner == inspectionID:
			continue
		case err == nil:
			return nil, fmt.Errorf("media %s was taken for inspection %s, not this one", ref.ID, owner)
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
		e := Evidence{InspectionID: inspectionID, Path: step.Path, Kind: ref.Kind, ContentType: "image/png",
			Data: standInImage(ref.ID), Signature: ref.Signature}
		q, err := c.writeMedia(ref.ID, e)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// standInImage is a 3×2 opaque PNG whose colour channels carry the id's 16
// bytes: valid image bytes, different for every id, so that the server
// stores each rather than finding a twin.
func standInImage(id string) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	parsed := uuid.MustParse(id)
	next := 0
	for i := range img.Pix {
		switch {
		case i%4 == 3:
			img.Pix[i] = 0xff
		case next < len(parsed):
			img.Pix[i] = parsed[next]
			next++
		}
	}
	var out bytes.Buffer
	_ = png.Encode(&out, img) // encoding into memory cannot fail
	return out.Bytes()
}
