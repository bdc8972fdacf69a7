package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/client"
	"github.com/patrolsync/patrolsync/internal/mutation"
)

// plan is one filled-in inspection that every push repeats under fresh ids:
// the payloads are encoded once, so that the load generator spends its CPU
// on requests rather than on JSON.
type plan struct {
	templateID string
	number     int
	siteID     string
	context    map[string]any
	answers    []json.RawMessage // answer.set payloads, in item order
	// photoAnswer and signatureAnswer index the answers of the template's
	// first top-level photo and signature items (-1: none), whose media
	// ids the day scenario makes fresh for every inspection.
	photoAnswer, signatureAnswer int
	photoKey, signatureKey       string
	declareInPush                bool // the signature's declaration rides in the batch (media.declare)
	// body is the push scenario's batch encoded once (body.go); nil: each
	// push encodes its batch.
	body *bodyTemplate
}

// newPlan fills in a published template version with passing answers.
func newPlan(templateID string, number int, siteID string, document []byte) (*plan, error) {
	tmpl, err := checklists.Parse(document)
	if err != nil {
		return nil, fmt.Errorf("parse template %s v%d: %w", templateID, number, err)
	}
	input := checklists.SampleAnswers(tmpl, true)
	p := &plan{templateID: templateID, number: number, siteID: siteID, context: input.Context, photoAnswer: -1, signatureAnswer: -1}
	types := map[string]checklists.ItemType{}
	for _, section := range tmpl.Sections {
		for _, item := range section.Items {
			types["/"+item.Key] = item.Type
		}
	}
	for _, pa := range client.AnswerPaths(tmpl, input.Answers) {
		switch {
		case types[pa.Path] == checklists.TypePhoto && p.photoAnswer < 0:
			p.photoAnswer, p.photoKey = len(p.answers), pa.Path[1:]
		case types[pa.Path] == checklists.TypeSignature && p.signatureAnswer < 0:
			p.signatureAnswer, p.signatureKey = len(p.answers), pa.Path[1:]
		}
		raw, err := answerPayload(pa.Path, pa.Answer)
		if err != nil {
			return nil, err
		}
		p.answers = append(p.answers, raw)
	}
	return p, nil
}

// batchOf is one inspection as a phone coming back online sends it
// (start, one answer.set per item, submit) with the given id, its answers
// at the indexes of replace taking those payloads instead.
func (p *plan) batchOf(now time.Time, id string, replace map[int]json.RawMessage) []mutation.Envelope {
	return p.batchWith(now, id, replace, newID)
}

// batchWith is batchOf with the mutation ids taken from newMutationID, in
// the batch's order.
func (p *plan) batchWith(now time.Time, id string, replace map[int]json.RawMessage, newMutationID func() string) []mutation.Envelope {
	clientTime := now.UTC().Format(time.RFC3339)
	context, _ := json.Marshal(p.context)
	out := make([]mutation.Envelope, 0, len(p.answers)+2)
	out = append(out, must(mutation.New(newMutationID(), mutation.InspectionStart, id, mutation.StartInspection{TemplateID: p.templateID,
		TemplateVersion: json.Number(strconv.Itoa(p.number)), SiteID: p.siteID, StartedAt: clientTime, Context: context}, clientTime)))
	for i, answer := range p.answers {
		if other, ok := replace[i]; ok {
			answer = other
		}
		// Encoded once in newPlan, from a mutation.Answer.
		out = append(out, mutation.Envelope{MutationID: newMutationID(), Type: string(mutation.AnswerSet), EntityID: id, Payload: answer,
			ClientTime: clientTime})
	}
	return append(out, must(mutation.New(newMutationID(), mutation.InspectionSubmit, id, mutation.Submit{}, clientTime)))
}

// must is for payloads that are the type's payload by construction.
func must(m mutation.Envelope, err error) mutation.Envelope {
	if err != nil {
		panic(err)
	}
	return m
}

// mediaAnswers are the replacements of the photo and signature answers
// naming the given media: since media arrived (issue 5) a submit names
// only media declared for its inspection.
func (p *plan) mediaAnswers(photoIDs []string, signatureID string) map[int]json.RawMessage {
	replace := map[int]json.RawMessage{}
	if p.photoAnswer >= 0 {
		replace[p.photoAnswer], _ = answerPayload("/"+p.photoKey, checklists.Answer{Value: append([]string{}, photoIDs...)})
	}
	if p.signatureAnswer >= 0 {
		replace[p.signatureAnswer], _ = answerPayload("/"+p.signatureKey, signatureAnswer(signatureID))
	}
	return replace
}

// declaration is the media.declare mutation of an inspection's signature,
// the batch's first: the submit at its end names it.
func (p *plan) declaration(now time.Time, inspectionID, signatureID string) mutation.Envelope {
	return p.declarationWith(now, inspectionID, signatureID, newID)
}

// declarationWith is declaration with its mutation id from newMutationID.
func (p *plan) declarationWith(now time.Time, inspectionID, signatureID string, newMutationID func() string) mutation.Envelope {
	sha256hex, _ := signatureDigests(signatureID)
	body := signatureDeclaration(signatureID, inspectionID, p.signatureKey, sha256hex, 1000, now)
	body.ID = "" // the entity_id names it
	return must(mutation.New(newMutationID(), mutation.MediaDeclare, signatureID, body, now.UTC().Format(time.RFC3339)))
}

// answerPayload is the answer.set payload setting the answer at path.
func answerPayload(path string, answer checklists.Answer) (json.RawMessage, error) {
	raw, err := json.Marshal(answer)
	if err != nil {
		return nil, err
	}
	return mutation.Encode(mutation.AnswerSet, mutation.Answer{Path: path, Answer: raw})
}

// signatureDeclaration is the POST /v1/media body of a signature image
// with the given digest and size.
func signatureDeclaration(id, inspectionID, itemKey, sha256hex string, size int, now time.Time) mutation.Declare {
	at := now.UTC().Format(time.RFC3339)
	return mutation.Declare{ID: id, SHA256: sha256hex, Size: int64(size), ContentType: "image/png", Kind: "signature",
		InspectionID: inspectionID, ItemKey: itemKey, CapturedAt: at,
		Signature: &mutation.Signature{Strokes: json.RawMessage(`[[[20,60],[380,60]]]`),
			SignerName: "Bench Guard", SignerRole: "guard", SignedAt: at,
			ContentDigest: checklists.AnswerDigest(signatureAnswer(id))}}
}

// signatureAnswer is the answer naming signature id: what the signature
// signs (its content_digest, checked at submit).
func signatureAnswer(id string) checklists.Answer {
	return checklists.Answer{Value: map[string]any{"media_id": id, "signer_name": "Bench Guard"}}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }
