package syncer

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/incident"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/store"
)

// incidentState is one incident in a batch's working set.
type incidentState struct {
	row          store.Incident
	loaded       int64
	loadedStatus string
	isNew        bool
	dirty        bool
	followed     bool
}

// reportIncident is incident.report: a guard reports an incident, offline
// if need be, with its category's questions answered (incident.Report
// holds the rules). Its deadlines run from when the server receives it; a
// report that reaches the server later than its report deadline after the
// incident is marked reported_late.
func (b *batch) reportIncident(m Mutation) (Result, error) {
	var wire mutation.ReportIncident
	if problem := decodePayload(m, &wire); problem != nil {
		return rejected(m, *problem), nil
	}
	in, answerProblems := incident.ReportOf(wire, "/payload")
	var problems []FieldError
	for _, p := range answerProblems {
		problems = append(problems, FieldError{p.Pointer, p.Detail})
	}
	if err := b.requireSite(in.SiteID, &problems); err != nil {
		return Result{}, err
	}
	checked, err := in.Check("/payload")
	if err != nil {
		return Result{}, errs.E("syncer.reportIncident", errs.Internal, err)
	}
	for _, p := range checked {
		problems = append(problems, FieldError{p.Pointer, p.Detail})
	}
	if media := checkMedia(in.Media); len(media) > 0 {
		problems = append(problems, media...)
	} else {
		b.requireMedia(in.Media, &problems)
	}
	if b.isTaken("incident", m.EntityID) {
		problems = append(problems, takenID)
	}
	if len(problems) > 0 {
		return rejected(m, problems...), nil
	}
	if st, ok := b.incidents[m.EntityID]; ok {
		if st.row.ReporterID == b.p.UserID && st.row.SiteID == in.SiteID && st.row.Level == in.Level {
			return Result{Status: Duplicate, EntityID: m.EntityID, Version: st.row.Version}, nil
		}
		return conflict(m, st.row.Version, incident.ViewOf(st.row))
	}
	if err := b.openIncident(m.EntityID, b.p.UserID, in, m); err != nil {
		return Result{}, err
	}
	return Result{Status: Applied, EntityID: m.EntityID, Version: 1}, nil
}

// openIncident records a checked report as a new incident of the batch:
// the one way an incident starts, whether a guard reports it
// (incident.report) or a submitted inspection's item raises it
// (raiseIncidents). Flushing it records and notifies it (flushIncident).
func (b *batch) openIncident(id, reporterID string, in incident.Report, m Mutation) error {
	pol, err := notify.IncidentPolicy(b.tx)
	if err != nil {
		return err
	}
	row := incident.New(id, reporterID, in, pol, b.tx.Now)
	b.incidents[id] = &incidentState{row: row, isNew: true, dirty: true}
	b.linkMedia("incident", row.ID, in.Media)
	b.incidentEvent(row.ID, "reported", in.Description, row.Media, m)
	if note := incident.SkipNote(row); note != "" {
		b.incidentEvent(row.ID, "escalated", note, []byte("[]"), m)
	}
	b.touch(id)
	return nil
}

// followUpIncident is incident.follow_up: a progress report (续报) by the
// reporter (news on the timeline) or by a handler, for whom it is the
// step "progress" of the life cycle (incident.Advance, as over REST).
func (b *batch) followUpIncident(m Mutation) (Result, error) {
	var in mutation.FollowUpIncident
	if problem := decodePayload(m, &in); problem != nil {
		return rejected(m, *problem), nil
	}
	problems := checkMedia(in.Media)
	if len(problems) == 0 {
		b.requireMedia(in.Media, &problems)
	}
	st, ok := b.incidents[m.EntityID]
	if !ok || !incident.CanSee(b.p, st.row) {
		problems = append(problems, FieldError{"/entity_id", "no such incident"})
	}
	if len(problems) > 0 {
		return rejected(m, problems...), nil
	}
	pol, err := notify.IncidentPolicy(b.tx)
	if err != nil {
		return Result{}, err
	}
	row := st.row
	kind, err := incident.Advance(&row, b.p, incident.Step{Kind: incident.StepProgress, Note: in.Note, Media: in.Media},
		pol, b.tx.Now, "/payload")
	if err != nil {
		return rejected(m, stepProblems(err)...), nil
	}
	st.row = row
	media, _ := json.Marshal(nonNil(in.Media))
	if !st.dirty {
		st.row.Version++ // one new version per batch
	}
	st.dirty, st.followed = true, true
	b.linkMedia("incident", st.row.ID, in.Media)
	b.incidentEvent(st.row.ID, kind, in.Note, media, m)
	b.touch(m.EntityID)
	return Result{Status: Applied, EntityID: m.EntityID, Version: st.row.Version}, nil
}

// stepProblems turns a refused step into the mutation's field errors.
func stepProblems(err error) []FieldError {
	var e *errs.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		out := make([]FieldError, 0, len(e.Fields))
		for _, pointer := range slices.Sorted(maps.Keys(e.Fields)) {
			out = append(out, FieldError{pointer, e.Fields[pointer]})
		}
		return out
	}
	if errs.Is(err, errs.NotFound) {
		return []FieldError{{"/entity_id", "no such incident"}}
	}
	detail := "refused"
	if errors.As(err, &e) && e.Detail != "" {
		detail = e.Detail
	}
	return []FieldError{{"/entity_id", detail}}
}

func (b *batch) incidentEvent(id, kind, note string, media []byte, m Mutation) {
	actor := b.p.UserID
	b.incidentEvents = append(b.incidentEvents, store.IncidentEvent{ID: uuid.Must(uuid.NewV7()).String(),
		IncidentID: id, Kind: kind, ActorID: &actor, Note: note, Media: media, ClientTime: input.ParseTime(m.ClientTime)})
}

func (b *batch) flushIncident(st *incidentState) error {
	var err error
	event := "incident.updated"
	if st.isNew {
		event = "incident.reported"
		err = b.tx.CreateIncident(&st.row)
	} else {
		err = b.tx.UpdateIncident(&st.row, st.loaded)
	}
	if err != nil {
		return err
	}
	if err := incident.Record(b.tx, st.row); err != nil {
		return err
	}
	if !st.isNew && st.row.Status == incident.Handling && st.loadedStatus != incident.Handling {
		event = "incident.progress"
	}
	deliveries, err := incident.Notify(b.tx, st.row, event, st.row.EscalationStep)
	b.deliveries = append(b.deliveries, deliveries...)
	return errs.Wrap("syncer.flushIncident", err)
}

func checkMedia(ids []string) []FieldError {
	if len(ids) > 50 {
		return []FieldError{{"/payload/media", "at most 50 media ids"}}
	}
	for _, id := range ids {
		if !input.IsUUID(id) {
			return []FieldError{{"/payload/media", "must be media ids"}}
		}
	}
	return nil
}
