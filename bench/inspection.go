package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	// media are the template's top-level photo and signature items, in
	// item order: every inspection names fresh media in their answers, and
	// a submit names only declared media (issue 5).
	media         []mediaItem
	declareInPush bool           // the media's declarations ride in the batch (media.declare)
	countersigner *countersigner // of the two-person items; nil: the template has none
	// body is the push scenario's batch encoded once (body.go); nil: each
	// push encodes its batch.
	body *bodyTemplate
	// countersignCuts are newCountersignCuts, made on first use, once the
	// countersigner is known.
	countersignCuts func() map[string][3][]byte
}

// newPlan fills in a published template version with passing answers.
func newPlan(templateID string, number int, siteID string, document []byte) (*plan, error) {
	tmpl, err := checklists.Parse(document)
	if err != nil {
		return nil, fmt.Errorf("parse template %s v%d: %w", templateID, number, err)
	}
	input := checklists.SampleAnswers(tmpl, true)
	p := &plan{templateID: templateID, number: number, siteID: siteID, context: input.Context}
	p.countersignCuts = sync.OnceValue(p.newCountersignCuts)
	// Answers are set item by item: "/key", or "/group/index/child" for
	// each item of a group's repeat (client.AnswerPaths).
	items := map[string]checklists.Item{}
	for _, section := range tmpl.Sections {
		for _, item := range section.Items {
			items[item.Key] = item
			for _, child := range item.Items {
				items[item.Key+"/"+child.Key] = child
			}
		}
	}
	for _, pa := range client.AnswerPaths(tmpl, input.Answers) {
		tokens := strings.Split(pa.Path[1:], "/")
		key := tokens[0]
		if len(tokens) == 3 {
			key = tokens[0] + "/" + tokens[2]
		}
		if m, ok := newMediaItem(items[key], len(p.answers), pa.Path, pa.Answer); ok {
			p.media = append(p.media, m)
		}
		raw, err := answerPayload(pa.Path, pa.Answer)
		if err != nil {
			return nil, err
		}
		p.answers = append(p.answers, raw)
	}
	return p, nil
}

// mediaItem is an item of the plan's template whose answer names media: a
// photo or signature item, or a two-person item, whose second person draws
// a signature beside the proof from their own key; at the top level or in
// one repeat of a group.
type mediaItem struct {
	answer int    // index of its answer in plan.answers
	path   string // of its answer: /key or /group/index/key
	key    string // the item's key
	kind   string // "photo", "signature" or "countersign"
	fewest int    // media a passing answer names at least: 1 but for photos, min_count
	role   string // who signs: the signature's signer_role, the countersign's role
	// sample is a countersigned item's answer without its countersignature:
	// what the second person agrees to; sampleDigest is its AnswerDigest,
	// the same for every inspection, so computed once rather than for
	// every countersignature.
	sample       checklists.Answer
	sampleDigest string
}

const countersignKind = "countersign"

// newMediaItem is item's mediaItem, if its answer names media.
func newMediaItem(item checklists.Item, answer int, path string, sample checklists.Answer) (mediaItem, bool) {
	m := mediaItem{answer: answer, path: path, key: item.Key, kind: string(item.Type), fewest: 1}
	switch {
	case item.Type == checklists.TypePhoto:
		m.fewest = 0
		if item.MinCount != nil {
			m.fewest = *item.MinCount
		}
	case item.Type == checklists.TypeSignature:
		m.role = item.SignerRole
	case item.Countersign != nil:
		m.kind, m.role = countersignKind, item.Countersign.Role
		m.sample = checklists.Answer{Value: sample.Value, Note: sample.Note, Media: sample.Media}
		m.sampleDigest = checklists.AnswerDigest(m.sample)
	default:
		return m, false
	}
	return m, true
}

// declaredKind is the kind its media are declared as.
func (m mediaItem) declaredKind() string {
	if m.kind == string(checklists.TypePhoto) {
		return m.kind
	}
	return string(checklists.TypeSignature)
}

// contentType is what a phone declares for the item's media.
func (m mediaItem) contentType() string {
	if m.kind == string(checklists.TypePhoto) {
		return "image/jpeg"
	}
	return "image/png"
}

// medium is one photo or signature an inspection names: its id and item.
type medium struct {
	id   string
	item mediaItem
}

// countersigner is the second person of the template's two-person items: a
// guard of the site, signed in on their own phone, which registered an
// Ed25519 key (POST /v1/me/keys) and signs every countersignature with it.
type countersigner struct {
	userID, keyID string
	private       ed25519.PrivateKey
}

// needsCountersigner reports whether the template has two-person items.
func (p *plan) needsCountersigner() bool {
	return slices.ContainsFunc(p.media, func(m mediaItem) bool { return m.kind == countersignKind })
}

// countersignature is the countersigner's proof that they agree to m's
// item's answer in inspection inspectionID: their Ed25519 signature, in
// standard base64, over checklists.CountersignSubject's message.
func (p *plan) countersignature(m medium, inspectionID, signedAt string) string {
	return string(p.appendCountersignature(nil, m, inspectionID, signedAt))
}

// appendCountersignature appends countersignature's text to dst.
func (p *plan) appendCountersignature(dst []byte, m medium, inspectionID, signedAt string) []byte {
	var buffer [512]byte
	message := p.countersignMessage(buffer[:0], m, inspectionID, signedAt)
	return base64.StdEncoding.AppendEncode(dst, ed25519.Sign(p.countersigner.private, message))
}

// countersignSubject is what the countersigner of m signs.
func (p *plan) countersignSubject(m medium, inspectionID, signedAt string) checklists.CountersignSubject {
	return checklists.CountersignSubject{InspectionID: inspectionID, Path: m.item.path,
		AnswerSHA256: m.item.sampleDigest, UserID: p.countersigner.userID,
		KeyID: p.countersigner.keyID, SignedAt: signedAt}
}

// countersignMessage appends CountersignSubject.Message of m in inspection
// inspectionID at signedAt to dst. Every push signs two of them, the same
// lines but for the inspection's id and the time, so the message of each
// item is cut once around stand-ins and the two spliced in, rather than
// lower-casing the ids and joining the lines again for every signature; an
// id that Message would change goes the long way
// (TestCountersignMessage, FuzzCountersignMessage).
func (p *plan) countersignMessage(dst []byte, m medium, inspectionID, signedAt string) []byte {
	if !lowerPlainID(inspectionID) {
		return append(dst, p.countersignSubject(m, inspectionID, signedAt).Message()...)
	}
	cut, ok := p.countersignCuts()[m.item.path]
	if !ok {
		return append(dst, p.countersignSubject(m, inspectionID, signedAt).Message()...)
	}
	dst = append(append(dst, cut[0]...), inspectionID...)
	return append(append(append(dst, cut[1]...), signedAt...), cut[2]...)
}

// newCountersignCuts are, by item path, the countersigner's message of
// each two-person item cut where the inspection's id and the time go.
func (p *plan) newCountersignCuts() map[string][3][]byte {
	const inspection, signedAt = "bench-stand-in-inspection-id", "bench-stand-in-signed-at"
	cuts := map[string][3][]byte{}
	for _, item := range p.media {
		if item.kind != countersignKind {
			continue
		}
		message := p.countersignSubject(medium{item: item}, inspection, signedAt).Message()
		before, rest, found := bytes.Cut(message, []byte(inspection))
		middle, after, found2 := bytes.Cut(rest, []byte(signedAt))
		if !found || !found2 || bytes.Contains(after, []byte(inspection)) || bytes.Contains(after, []byte(signedAt)) ||
			bytes.Contains(middle, []byte(inspection)) {
			panic(fmt.Sprintf("countersign message %q: stand-ins not found once each", message))
		}
		cuts[item.path] = [3][]byte{before, middle, after}
	}
	return cuts
}

// lowerPlainID says whether id is lower-case letters, digits and dashes
// only, which Message writes as they are: every id the tool makes.
func lowerPlainID(id string) bool {
	for _, c := range []byte(id) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}

// newMedia are fresh media for one inspection: one per signature and
// two-person item and the fewest each photo item takes, or photos of them for the first photo
// item when it takes fewer (the day scenario's --photos).
func (p *plan) newMedia(photos int, newMediumID func() string) []medium {
	firstPhoto := slices.IndexFunc(p.media, func(item mediaItem) bool { return item.kind == string(checklists.TypePhoto) })
	count := func(i int) int {
		if i == firstPhoto {
			return max(p.media[i].fewest, photos)
		}
		return p.media[i].fewest
	}
	total := 0
	for i := range p.media {
		total += count(i)
	}
	out := make([]medium, 0, total) // one allocation, not a growing slice, per push
	for i, item := range p.media {
		for range count(i) {
			out = append(out, medium{id: newMediumID(), item: item})
		}
	}
	return out
}

// mutationsPerPush is how many mutations one push of the push scenario
// carries: start, the answers and submit, and the media's declarations
// when they ride in the batch: the fewest each media item takes, as
// newMedia(0, …) makes them (every push asks, so nothing is built here).
func (p *plan) mutationsPerPush() int {
	n := len(p.answers) + 2
	if p.declareInPush {
		for _, item := range p.media {
			n += item.fewest
		}
	}
	return n
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

// mediaAnswers are the answers of the plan's media items naming the given
// media, by answer index; a two-person item's carries the countersignature
// with signedAt as its time.
func (p *plan) mediaAnswers(inspectionID, signedAt string, media []medium) map[int]json.RawMessage {
	replace := make(map[int]json.RawMessage, len(p.media))
	for _, item := range p.media {
		var named []medium
		for _, m := range media {
			if m.item.answer == item.answer {
				named = append(named, m)
			}
		}
		var answer checklists.Answer
		switch {
		case item.kind == countersignKind && len(named) == 1:
			answer = item.sample
			answer.Countersign = &checklists.Countersignature{UserID: p.countersigner.userID, SignatureMediaID: named[0].id,
				KeyID: p.countersigner.keyID, SignedAt: signedAt, Signature: p.countersignature(named[0], inspectionID, signedAt)}
		case item.kind == string(checklists.TypeSignature) && len(named) == 1:
			answer = signatureAnswer(named[0].id)
		default:
			ids := []string{}
			for _, m := range named {
				ids = append(ids, m.id)
			}
			answer = checklists.Answer{Value: ids}
		}
		replace[item.answer], _ = answerPayload(item.path, answer)
	}
	return replace
}

// declarations are the media.declare mutations of an inspection's media,
// the batch's first: the submit at its end names them.
func (p *plan) declarations(now time.Time, inspectionID string, media []medium, newMutationID func() string) []mutation.Envelope {
	out := make([]mutation.Envelope, 0, len(media))
	for _, m := range media {
		sha256hex, _ := mediumDigests(m)
		body := declaration(m, inspectionID, sha256hex, 1000, now)
		body.ID = "" // the entity_id names it
		out = append(out, must(mutation.New(newMutationID(), mutation.MediaDeclare, m.id, body, now.UTC().Format(time.RFC3339))))
	}
	return out
}

// answerPayload is the answer.set payload setting the answer at path.
func answerPayload(path string, answer checklists.Answer) (json.RawMessage, error) {
	raw, err := json.Marshal(answer)
	if err != nil {
		return nil, err
	}
	return mutation.Encode(mutation.AnswerSet, mutation.Answer{Path: path, Answer: raw})
}

// declaration is the POST /v1/media body of medium m with the given digest
// and size; a signature carries what it signs.
func declaration(m medium, inspectionID, sha256hex string, size int, now time.Time) mutation.Declare {
	at := now.UTC().Format(time.RFC3339)
	d := mutation.Declare{ID: m.id, SHA256: sha256hex, Size: int64(size), ContentType: m.item.contentType(),
		Kind: m.item.declaredKind(), InspectionID: inspectionID, ItemKey: m.item.key, CapturedAt: at}
	switch m.item.kind {
	case string(checklists.TypeSignature):
		d.Signature = &mutation.Signature{Strokes: json.RawMessage(`[[[20,60],[380,60]]]`),
			SignerName: "Bench Guard", SignerRole: "guard", SignedAt: at,
			ContentDigest: signatureDigest(m.id)}
	case countersignKind:
		d.Signature = &mutation.Signature{Strokes: json.RawMessage(`[[[20,60],[380,80]]]`),
			SignerName: "Bench Countersigner", SignerRole: m.item.role, SignedAt: at,
			ContentDigest: m.item.sampleDigest}
	}
	return d
}

// signatureAnswer is the answer naming signature id: what the signature
// signs (its content_digest, checked at submit).
func signatureAnswer(id string) checklists.Answer {
	return checklists.Answer{Value: map[string]any{"media_id": id, "signer_name": "Bench Guard"}}
}

// signatureDigest is checklists.AnswerDigest(signatureAnswer(id)), which
// every signature of every push carries. The answer's canonical JSON is
// the same but for the id, so it is cut once around a stand-in and each
// digest hashes the id spliced in, rather than encoding, decoding and
// encoding the answer again (about a tenth of the tool's CPU, issue 17);
// an id JSON would escape goes the long way (TestSignatureDigest).
func signatureDigest(id string) string {
	if !plainID(id) {
		return checklists.AnswerDigest(signatureAnswer(id))
	}
	cut := signatureCanonical()
	var buffer [128]byte
	canonical := append(append(append(buffer[:0], cut[0]...), id...), cut[1]...)
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])
}

// signatureCanonical is the canonical JSON of signatureAnswer cut where
// the id goes.
var signatureCanonical = sync.OnceValue(func() [2][]byte {
	const standIn = "bench-stand-in-signature-id"
	canonical, err := checklists.CanonicalJSON(checklists.Answer{Value: signatureAnswer(standIn).Value})
	before, after, found := bytes.Cut(canonical, []byte(standIn))
	if err != nil || !found || bytes.Contains(after, []byte(standIn)) {
		panic(fmt.Sprintf("signature answer %s: %v", canonical, err))
	}
	return [2][]byte{before, after}
})

// plainID says whether id is letters, digits and dashes only, which JSON
// writes as they are: every id the tool makes.
func plainID(id string) bool {
	for _, c := range []byte(id) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-') {
			return false
		}
	}
	return true
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }
