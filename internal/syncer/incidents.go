package syncer

import (
	"encoding/json"
	"time"

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
	row      store.Incident
	loaded   int64
	isNew    bool
	dirty    bool
	followed bool
}

// reportIncident is incident.report: a guard reports an incident, offline
// if need be. Its acknowledgement deadline runs from when the server
// receives it; a report that reaches the server later than the level's
// deadline after the incident is marked reported_late.
func (b *batch) reportIncident(m Mutation) (Result, error) {
	var in mutation.ReportIncident
	if problem := decodePayload(m, &in); problem != nil {
		return rejected(m, *problem), nil
	}
	var problems []FieldError
	if err := b.requireSite(in.SiteID, &problems); err != nil {
		return Result{}, err
	}
	if in.Type == "" || len([]rune(in.Type)) > 100 {
		problems = append(problems, FieldError{"/payload/type", "required, at most 100 characters"})
	}
	if _, ok := incident.Labels[in.Level]; !ok {
		problems = append(problems, FieldError{"/payload/level", "must be general (一般), serious (较大), major (重大) or critical (特别重大)"})
	}
	if len([]rune(in.Place)) > 300 {
		problems = append(problems, FieldError{"/payload/place", "at most 300 characters"})
	}
	if len([]rune(in.Description)) > 5000 {
		problems = append(problems, FieldError{"/payload/description", "at most 5000 characters"})
	}
	occurred := input.ParseTime(in.OccurredAt)
	if occurred == nil {
		problems = append(problems, FieldError{"/payload/occurred_at", "required: when it happened, RFC 3339"})
	}
	if problems = append(problems, checkMedia(in.Media)...); len(problems) == 0 {
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
	deadlines, err := notify.Deadlines(b.tx)
	if err != nil {
		return Result{}, err
	}
	deadline := time.Duration(deadlines[in.Level]) * time.Minute
	media, _ := json.Marshal(nonNil(in.Media))
	row := store.Incident{ID: m.EntityID, SiteID: in.SiteID, ReporterID: b.p.UserID, Type: in.Type, Level: in.Level,
		Place: in.Place, Description: in.Description, Media: media, OccurredAt: *occurred, ReceivedAt: b.tx.Now,
		AckDueAt: b.tx.Now.Add(deadline), ReportedLate: b.tx.Now.Sub(*occurred) > deadline, Status: incident.Reported,
		Version: 1}
	b.incidents[m.EntityID] = &incidentState{row: row, isNew: true, dirty: true}
	b.linkMedia("incident", row.ID, in.Media)
	b.incidentEvent(row.ID, "reported", in.Description, media, m)
	b.touch(m.EntityID)
	return Result{Status: Applied, EntityID: m.EntityID, Version: 1}, nil
}

// followUpIncident is incident.follow_up: more news on an incident,
// appended to its timeline by the reporter or the site's supervisors.
func (b *batch) followUpIncident(m Mutation) (Result, error) {
	var in mutation.FollowUpIncident
	if problem := decodePayload(m, &in); problem != nil {
		return rejected(m, *problem), nil
	}
	problems := checkMedia(in.Media)
	if len(problems) == 0 {
		b.requireMedia(in.Media, &problems)
	}
	if (in.Note == "" && len(in.Media) == 0) || len([]rune(in.Note)) > 5000 {
		problems = append(problems, FieldError{"/payload/note", "required (or media), at most 5000 characters"})
	}
	st, ok := b.incidents[m.EntityID]
	if !ok || !incident.CanSee(b.p, st.row) {
		problems = append(problems, FieldError{"/entity_id", "no such incident"})
	}
	if len(problems) > 0 {
		return rejected(m, problems...), nil
	}
	media, _ := json.Marshal(nonNil(in.Media))
	if !st.dirty {
		st.row.Version++ // one new version per batch
	}
	st.dirty, st.followed = true, true
	b.linkMedia("incident", st.row.ID, in.Media)
	b.incidentEvent(st.row.ID, "follow_up", in.Note, media, m)
	b.touch(m.EntityID)
	return Result{Status: Applied, EntityID: m.EntityID, Version: st.row.Version}, nil
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
