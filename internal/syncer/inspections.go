package syncer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/countersign"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/inspection"
	"github.com/patrolsync/patrolsync/internal/media"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/reference"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/strictjson"
)

// inspectionState is one inspection in a batch's working set.
type inspectionState struct {
	row     store.Inspection
	loaded  int64 // version read from the database; 0 for a new record
	isNew   bool
	dirty   bool
	answers map[string]checklists.Answer // decoded lazily
	encoded []byte                       // answers as last encoded (by the content hash); nil after a change
	// compact names the row's raw parts this batch wrote with json.Marshal,
	// which the change log's copy need not compact again.
	compact inspection.Compact
	pinned  *pinned
	// media are the ids the submitted answers name, linked at flush.
	media     []string
	linkMedia bool
}

func (b *batch) startInspection(m Mutation) (Result, error) {
	in, problem := b.start(m)
	if problem != nil {
		return rejected(m, *problem), nil
	}
	var problems []FieldError
	// Version numbers are 32-bit in the database: a number past that would
	// fail the push's query on PostgreSQL every time instead of naming no
	// version.
	number, err := strconv.Atoi(in.TemplateVersion.String())
	if err != nil || number < 1 || number > math.MaxInt32 {
		problems = append(problems, FieldError{"/payload/template_version", "must be a published version number"})
	}
	if !input.IsUUID(in.TemplateID) {
		problems = append(problems, FieldError{"/payload/template_id", "must be a template id"})
	}
	if in.StartedAt != "" && input.ParseTime(in.StartedAt) == nil {
		problems = append(problems, FieldError{"/payload/started_at", "must be an RFC 3339 time"})
	}
	for pointer, id := range map[string]*string{"/payload/assignment_id": in.AssignmentID, "/payload/round_id": in.RoundID} {
		if id != nil && !input.IsUUID(*id) {
			problems = append(problems, FieldError{pointer, "must be a UUID"})
		}
	}
	context := []byte("{}")
	if len(in.Context) > 0 && string(in.Context) != "null" {
		var values map[string]any
		if json.Unmarshal(in.Context, &values) != nil {
			problems = append(problems, FieldError{"/payload/context", "must be an object"})
		} else {
			context, _ = json.Marshal(values)
		}
	}
	if err := b.requireSite(in.SiteID, &problems); err != nil {
		return Result{}, err
	}
	var tmpl pinned
	if len(problems) == 0 {
		tmpl, err = b.s.template(b.ctx, b.p.OrgID, in.TemplateID, number)
		if errs.Is(err, errs.NotFound) {
			problems = append(problems, FieldError{"/payload/template_version", "no such published template version"})
		} else if err != nil {
			return Result{}, err
		}
	}
	if b.isTaken("inspection", m.EntityID) {
		problems = append(problems, takenID)
	}
	if len(problems) > 0 {
		return rejected(m, problems...), nil
	}
	if st, ok := b.inspections[m.EntityID]; ok {
		same := st.row.OwnerID == b.p.UserID && st.row.TemplateID == in.TemplateID &&
			st.row.TemplateVersion == number && st.row.SiteID == in.SiteID
		if same {
			return Result{Status: Duplicate, EntityID: m.EntityID, Version: st.row.Version}, nil
		}
		return conflict(m, st.row.Version, inspection.ViewOf(st.row))
	}
	row := store.Inspection{ID: m.EntityID, SiteID: in.SiteID, TemplateID: in.TemplateID, TemplateKey: tmpl.key,
		TemplateVersion: number, OwnerID: b.p.UserID, DeviceID: b.p.DeviceID, AssignmentID: in.AssignmentID,
		RoundID: in.RoundID, Status: inspection.InProgress, Answers: []byte("{}"), Context: context, Version: 1,
		StartedAt: input.ParseTime(in.StartedAt)}
	st := &inspectionState{row: row, isNew: true, dirty: true, answers: map[string]checklists.Answer{}, pinned: &tmpl,
		compact: inspection.AnswersCompact | inspection.ContextCompact}
	b.inspections[m.EntityID] = st
	b.touch(m.EntityID)
	b.event(st, "started", nil)
	audit.Append(b.tx, "inspection.started", "inspection", m.EntityID, map[string]any{"site_id": in.SiteID,
		"template_id": in.TemplateID, "template_version": number, "device_id": b.p.DeviceID})
	return Result{Status: Applied, EntityID: m.EntityID, Version: 1}, nil
}

// changeAnswer is answer.set and answer.clear: only the device that started
// the inspection may change it, and only before it is submitted.
func (b *batch) changeAnswer(m Mutation) (Result, error) {
	in, answer, problem := decodeAnswer(m)
	if problem != nil {
		return rejected(m, *problem), nil
	}
	st, result, err := b.ownedInspection(m)
	if st == nil || err != nil {
		return result, err
	}
	if st.row.Status != inspection.InProgress && st.row.Status != inspection.Returned {
		return conflict(m, st.row.Version, inspection.ViewOf(st.row))
	}
	if err := b.loadAnswers(st); err != nil {
		return Result{}, err
	}
	target, problem := resolve(st.pinned.template, in.Path)
	if problem != nil {
		return rejected(m, *problem), nil
	}
	if m.Type == string(mutation.AnswerClear) {
		target.clear(st.answers)
	} else {
		if answer == nil || len(answer.Repeats) > 0 {
			return rejected(m, FieldError{"/payload/answer", `must be an answer object {"value", "note", "media", "countersign"}`}), nil
		}
		target.set(st.answers, *answer)
		b.startProof(st, in.Path, *answer)
	}
	st.encoded = nil
	b.bump(st)
	return Result{Status: Applied, EntityID: m.EntityID, Version: st.row.Version}, nil
}

// decodeAnswer decodes an answer.set or answer.clear payload and, for
// answer.set, its answer: nil when the payload holds no answer object. The
// payload and its answer are decoded in one pass when the one-pass decoder
// takes the whole payload with an answer object in it; otherwise (a null
// or missing answer, anything the strict decoder leaves to encoding/json)
// the payload first and then its answer, as they always were. Either way
// the path and answer are the second way's (TestDecodeAnswerIsTwoDecodes).
// A payload DecodePush decoded is taken as it is: it made it the first
// way.
func decodeAnswer(m Mutation) (mutation.Answer, *checklists.Answer, *FieldError) {
	if whole, ok := decoded[answerPayload](m); ok && m.Type == string(mutation.AnswerSet) {
		return mutation.Answer{Path: whole.Path}, whole.Answer, nil
	}
	if in, ok := decoded[mutation.Answer](m); ok && m.Type == string(mutation.AnswerClear) {
		return *in, nil, nil
	}
	if m.Type == string(mutation.AnswerSet) {
		var whole answerPayload
		if strictjson.OnePass(m.Payload, &whole, strictjson.Options{}) && whole.Answer != nil {
			return mutation.Answer{Path: whole.Path}, whole.Answer, nil
		}
	}
	var in mutation.Answer
	if problem := decodePayload(m, &in); problem != nil || m.Type != string(mutation.AnswerSet) {
		return in, nil, problem
	}
	var answer checklists.Answer
	if len(in.Answer) == 0 || strictjson.Decode(in.Answer, &answer, strictjson.Options{}) != nil {
		return in, nil, nil
	}
	return in, &answer, nil
}

// answerPayload is an answer.set payload with its answer decoded in the
// same pass.
type answerPayload struct {
	Path   string             `json:"path"`
	Answer *checklists.Answer `json:"answer,omitempty"`
}

// submitInspection validates every answer against the pinned version and,
// when all is well, freezes the inspection and raises its findings.
func (b *batch) submitInspection(m Mutation) (Result, error) {
	var in mutation.Submit
	if was, ok := decoded[mutation.Submit](m); ok {
		in = *was
	} else if problem := decodePayload(m, &in); problem != nil {
		return rejected(m, *problem), nil
	}
	if in.SubmittedAt != "" && input.ParseTime(in.SubmittedAt) == nil {
		return rejected(m, FieldError{"/payload/submitted_at", "must be an RFC 3339 time"}), nil
	}
	st, result, err := b.ownedInspection(m)
	if st == nil || err != nil {
		return result, err
	}
	if err := b.loadAnswers(st); err != nil {
		return Result{}, err
	}
	hash := contentHash(st)
	if st.row.Status == inspection.Submitted || st.row.Status == inspection.Approved {
		if in.ContentHash == "" || in.ContentHash == *st.row.ContentHash {
			return Result{Status: Duplicate, EntityID: m.EntityID, Version: st.row.Version, ContentHash: *st.row.ContentHash}, nil
		}
		return conflict(m, st.row.Version, inspection.ViewOf(st.row))
	}
	evaluation, err := b.evaluate(st)
	if err != nil {
		return Result{}, err
	}
	links, err := media.CheckLinks(b.mediaLookup, st.row.ID, media.References(st.pinned.template, st.answers))
	if err != nil {
		return Result{}, err
	}
	if problems := append(submissionProblems(evaluation), linkProblems(links)...); len(problems) > 0 {
		return rejected(m, problems...), nil
	}
	raw, err := checklists.MarshalResult(evaluation) // json.Marshal's bytes
	if err != nil {
		return Result{}, errs.E("syncer.submit", errs.Internal, err)
	}
	drill, problems, err := b.checkDrill(st, in, m)
	if err != nil {
		return Result{}, err
	}
	if len(problems) > 0 {
		return rejected(m, problems...), nil
	}
	kind := "submitted"
	if st.row.Status == inspection.Returned {
		kind = "resubmitted"
	}
	st.row.Status, st.row.Evaluation, st.row.ContentHash = inspection.Submitted, raw, &hash
	st.compact |= inspection.EvaluationCompact
	st.row.Score, st.row.Outcome = ptr(evaluation.Score), ptr(evaluation.Outcome)
	st.row.SubmittedAt = input.ParseTime(in.SubmittedAt)
	if st.row.SubmittedAt == nil {
		st.row.SubmittedAt = input.ParseTime(m.ClientTime)
	}
	st.row.ReceivedAt = ptr(b.tx.Now)
	st.row.MediaPending, st.media, st.linkMedia = links.Pending, links.IDs, true
	b.bump(st)
	b.event(st, kind, map[string]any{"score": evaluation.Score, "outcome": evaluation.Outcome})
	audit.Append(b.tx, "inspection."+kind, "inspection", m.EntityID, map[string]any{"content_hash": hash,
		"score": evaluation.Score, "outcome": evaluation.Outcome, "device_id": b.p.DeviceID})
	if err := b.raiseFindings(st, evaluation.Findings); err != nil {
		return Result{}, err
	}
	if err := b.raiseIncidents(st, evaluation.Incidents, m); err != nil {
		return Result{}, err
	}
	if drill != nil {
		b.drillHolds = append(b.drillHolds, drillHold{p: b.p, drill: *drill, inspectionID: st.row.ID})
	}
	return Result{Status: Applied, EntityID: m.EntityID, Version: st.row.Version, ContentHash: hash}, nil
}

// evaluate runs the engine over a submitted inspection, judging its
// countersignatures as the engine meets them, so that an unverified one
// fails its item. It evaluates once: listing the countersignatures first
// and evaluating again with the verdicts cost a second evaluation per
// countersigned inspection (issue 17).
func (b *batch) evaluate(st *inspectionState) (checklists.Result, error) {
	references, err := b.references(st)
	if err != nil {
		return checklists.Result{}, err
	}
	context := decodeContext(st.row.Context)
	if err := b.roundCheckpointTag(st, context); err != nil {
		return checklists.Result{}, err
	}
	subject := countersign.Subject{InspectionID: st.row.ID, SiteID: st.row.SiteID, InspectorID: st.row.OwnerID}
	var lookupErr error // a database fault: the evaluation is thrown away
	judge := func(check checklists.CountersignCheck) checklists.CountersignVerdict {
		if lookupErr != nil {
			return checklists.CountersignVerdict{}
		}
		verdict, err := countersign.Judge(b.countersignReader(), &b.proofs, subject, check)
		lookupErr = err
		return verdict
	}
	in := checklists.Input{Answers: st.answers, Context: context, InspectorID: st.row.OwnerID,
		References: references, Judge: judge}
	evaluation := st.pinned.prepared.Evaluate(in)
	if lookupErr != nil {
		return checklists.Result{}, lookupErr
	}
	return evaluation, nil
}

// references are the server's own reference values of the inspection's
// site for the day it was started (as the server saw it start), which
// the engine compares expected values with: never the phone's. They are
// read once per site and day for the working set: a group of pushes
// submitting at one site reads them once, not once per inspection.
func (b *batch) references(st *inspectionState) (map[string]any, error) {
	site := b.siteRows[st.row.SiteID]
	if site == nil {
		row, err := b.tx.Site(st.row.SiteID)
		if err != nil {
			return nil, err
		}
		site = &row
		b.siteRows[st.row.SiteID] = site
	}
	started := st.row.CreatedAt
	if started.IsZero() {
		started = b.tx.Now
	}
	day := reference.Day(*site, started)
	key := site.ID + "/" + day
	if values, ok := b.siteReferences[key]; ok {
		return values, nil
	}
	var values map[string]any
	if rows, assets, ahead := b.referenceData.of(site.ID, day); ahead {
		values = reference.FromData(rows, assets)
	} else {
		var err error
		if values, err = reference.Values(b.tx, *site, day); err != nil {
			return nil, err
		}
	}
	b.siteReferences[key] = values
	return values, nil
}

// ownedInspection finds the inspection a mutation changes and checks that
// this device owns it. A nil state comes with the result to answer.
func (b *batch) ownedInspection(m Mutation) (*inspectionState, Result, error) {
	st, ok := b.inspections[m.EntityID]
	if !ok || !inspection.CanSee(b.p, st.row.SiteID, st.row.OwnerID) {
		return nil, rejected(m, FieldError{"/entity_id", "no such inspection: start it first"}), nil
	}
	if st.row.OwnerID != b.p.UserID || st.row.DeviceID != b.p.DeviceID {
		return nil, rejected(m, FieldError{"/entity_id", "this inspection belongs to another device until it is submitted"}), nil
	}
	if st.pinned == nil {
		t, err := b.s.template(b.ctx, b.p.OrgID, st.row.TemplateID, st.row.TemplateVersion)
		if err != nil {
			return nil, Result{}, err
		}
		st.pinned = &t
	}
	return st, Result{}, nil
}

func (b *batch) loadAnswers(st *inspectionState) error {
	if st.answers != nil {
		return nil
	}
	st.answers = map[string]checklists.Answer{}
	if err := json.Unmarshal(st.row.Answers, &st.answers); err != nil {
		return errs.E("syncer.loadAnswers", errs.Internal, err)
	}
	return nil
}

// bump marks the inspection changed: one version per applied mutation.
func (b *batch) bump(st *inspectionState) {
	st.row.Version++
	st.dirty = true
	b.touch(st.row.ID)
}

func (b *batch) event(st *inspectionState, kind string, detail map[string]any) {
	raw, _ := json.Marshal(detail)
	b.events = append(b.events, store.InspectionEvent{ID: uuid.Must(uuid.NewV7()).String(), InspectionID: st.row.ID,
		Kind: kind, ActorID: b.p.UserID, ContentHash: st.row.ContentHash, Detail: raw})
}

// mediaLookup finds media for a submit: those of the inspections submitted
// in the working set were loaded with it; others (named for another
// inspection, or not declared) are looked up.
func (b *batch) mediaLookup(ids []string) (map[string]store.Media, error) {
	out := map[string]store.Media{}
	var missing []string
	for _, id := range ids {
		if row, ok := b.media[id]; ok {
			out[id] = row
		} else if input.IsUUID(id) {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	rows, err := b.tx.MediaByIDs(missing)
	for id, row := range rows {
		out[id] = row
	}
	return out, err
}

// createInspections inserts the inspections started in the working set,
// in one statement.
func (ws *workingSet) createInspections(tx *store.Tx) error {
	var rows []*store.Inspection
	for _, id := range ws.order {
		if st, ok := ws.inspections[id]; ok && st.dirty && st.isNew {
			if err := st.encodeAnswers(); err != nil {
				return err
			}
			rows = append(rows, &st.row)
		}
	}
	return tx.CreateInspections(rows)
}

// encodeAnswers puts the working answers back into the row.
func (st *inspectionState) encodeAnswers() error {
	if st.answers == nil {
		return nil
	}
	st.compact |= inspection.AnswersCompact // both are json.Marshal's bytes
	if st.encoded != nil {
		st.row.Answers = st.encoded
		return nil
	}
	raw, err := checklists.MarshalAnswers(st.answers)
	if err != nil {
		return errs.E("syncer.encodeAnswers", errs.Internal, err)
	}
	st.row.Answers = raw
	return nil
}

// flushInspection writes a changed inspection that existed before (new
// ones are inserted together by createInspections) and logs the change.
func (b *batch) flushInspection(st *inspectionState) error {
	if !st.isNew {
		if err := st.encodeAnswers(); err != nil {
			return err
		}
		if err := b.tx.UpdateInspection(&st.row, st.loaded); err != nil {
			return err
		}
	}
	data, err := inspection.MarshalView(st.row, st.compact)
	if err != nil {
		return errs.E("syncer.flushInspection", errs.Internal, err)
	}
	b.tx.RecordChange(store.Change{EntityType: "inspection", EntityID: st.row.ID, Op: "upsert", Version: st.row.Version,
		Audience: store.AudienceOwner, SiteID: &st.row.SiteID, OwnerID: &st.row.OwnerID, Data: data, Fresh: st.isNew})
	return nil
}

// submissionProblems lists every missing answer and every error, with
// pointers into the mutation's view of the inspection.
func submissionProblems(r checklists.Result) []FieldError {
	var out []FieldError
	for _, path := range r.Missing {
		out = append(out, FieldError{"/answers" + path, "required"})
	}
	for _, e := range r.Errors {
		out = append(out, FieldError{"/answers" + e.Path, e.Message})
	}
	return out
}

// linkProblems turns unusable media references into field errors, in
// pointer order.
func linkProblems(links media.LinkCheck) []FieldError {
	pointers := slices.Sorted(maps.Keys(links.Problems))
	out := make([]FieldError, len(pointers))
	for i, pointer := range pointers {
		out[i] = FieldError{"/answers" + pointer, links.Problems[pointer]}
	}
	return out
}

// contentHash is the digest of exactly what was submitted: the pinned
// template and the answers and context, as docs/sync-protocol.md ("Content
// hash") states byte for byte; a test keeps its worked example true.
func contentHash(st *inspectionState) string {
	answers, _ := checklists.MarshalAnswers(st.answers)
	st.encoded = answers // what the flush writes, unless the answers change again
	h := sha256.New()
	io.WriteString(h, st.row.TemplateID+"\n"+strconv.Itoa(st.row.TemplateVersion)+"\n")
	h.Write(answers)
	h.Write([]byte("\n"))
	h.Write(st.row.Context)
	return hex.EncodeToString(h.Sum(nil))
}

func decodeContext(raw []byte) map[string]any {
	values := map[string]any{}
	json.Unmarshal(raw, &values)
	return values
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// answerTarget is where in the answers an item path points.
type answerTarget struct {
	key   string // top-level item key
	index int    // repeat index, or -1
	child string // item key inside the repeat
}

func (t answerTarget) set(answers map[string]checklists.Answer, a checklists.Answer) {
	if t.index < 0 {
		answers[t.key] = a
		return
	}
	group := answers[t.key]
	for len(group.Repeats) <= t.index {
		group.Repeats = append(group.Repeats, map[string]checklists.Answer{})
	}
	if group.Repeats[t.index] == nil {
		group.Repeats[t.index] = map[string]checklists.Answer{}
	}
	group.Repeats[t.index][t.child] = a
	answers[t.key] = group
}

func (t answerTarget) get(answers map[string]checklists.Answer) checklists.Answer {
	if t.index < 0 {
		return answers[t.key]
	}
	if group := answers[t.key]; t.index < len(group.Repeats) {
		return group.Repeats[t.index][t.child]
	}
	return checklists.Answer{}
}

func (t answerTarget) clear(answers map[string]checklists.Answer) {
	if t.index < 0 {
		delete(answers, t.key)
		return
	}
	group, ok := answers[t.key]
	if !ok || t.index >= len(group.Repeats) {
		return
	}
	delete(group.Repeats[t.index], t.child)
	// Trailing empty repeats are dropped so that clearing undoes setting.
	for len(group.Repeats) > 0 && len(group.Repeats[len(group.Repeats)-1]) == 0 {
		group.Repeats = group.Repeats[:len(group.Repeats)-1]
	}
	if len(group.Repeats) == 0 {
		delete(answers, t.key)
		return
	}
	answers[t.key] = group
}

// resolve checks that path names an answerable item of the template. It
// runs for every answer pushed: the path is cut where it splits, and the
// item is looked at where it is in the template, rather than splitting
// the path into a new slice and copying each item passed on the way
// (issue 17; TestResolveIsSplitAndCopy holds it to that way).
func resolve(t *checklists.Template, path string) (answerTarget, *FieldError) {
	rest, ok := strings.CutPrefix(path, "/")
	if !ok {
		return answerTarget{}, badPath()
	}
	key, rest, nested := strings.Cut(rest, "/")
	item := findItem(t, key)
	if item == nil || item.Type == checklists.TypeInstruction {
		return answerTarget{}, badPath()
	}
	if !nested {
		if item.Type == checklists.TypeGroup {
			return answerTarget{}, badPath()
		}
		return answerTarget{key: key, index: -1}, nil
	}
	number, child, ok := strings.Cut(rest, "/")
	if !ok || strings.Contains(child, "/") {
		return answerTarget{}, badPath() // two parts, or more than three
	}
	index, err := strconv.Atoi(number)
	limit := 100
	if item.MaxRepeats != nil {
		limit = *item.MaxRepeats
	}
	if item.Type != checklists.TypeGroup || err != nil || index < 0 || index >= limit {
		return answerTarget{}, badPath()
	}
	for i := range item.Items {
		if item.Items[i].Key == child && item.Items[i].Type != checklists.TypeInstruction {
			return answerTarget{key: key, index: index, child: child}, nil
		}
	}
	return answerTarget{}, badPath()
}

func badPath() *FieldError {
	return &FieldError{"/payload/path", "must point at an item of the template, e.g. /door_locked or /extinguishers/0/pressure_ok"}
}

// findItem is the top-level item key of t, in place; nil when there is none.
func findItem(t *checklists.Template, key string) *checklists.Item {
	for s := range t.Sections {
		items := t.Sections[s].Items
		for i := range items {
			if items[i].Key == key {
				return &items[i]
			}
		}
	}
	return nil
}
