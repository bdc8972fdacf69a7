// Package incident is security-incident reporting (突发事件/安全信息上报):
// guards report offline through sync (incident.report, incident.follow_up,
// handled in internal/syncer), supervisors acknowledge, and a job escalates
// up the chain (supervisor → admin) when the acknowledgement is later than
// the level's deadline, once per step. Levels are stored in English:
// general 一般, serious 较大, major 重大, critical 特别重大. It never
// rewrites a timeline entry: the timeline is append-only.
package incident

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// States of an incident.
const (
	Reported     = "reported"
	Acknowledged = "acknowledged"
)

// Labels are the levels' names in the regulations.
var Labels = map[string]string{notify.LevelGeneral: "一般", notify.LevelSerious: "较大",
	notify.LevelMajor: "重大", notify.LevelCritical: "特别重大"}

// View is an incident as clients see it.
type View struct {
	ID             string          `json:"id"`
	SiteID         string          `json:"site_id"`
	ReporterID     string          `json:"reporter_id"`
	Type           string          `json:"type"`
	Level          string          `json:"level"`
	LevelLabel     string          `json:"level_label"`
	Place          string          `json:"place"`
	Description    string          `json:"description"`
	Media          json.RawMessage `json:"media"`
	OccurredAt     time.Time       `json:"occurred_at"`
	ReceivedAt     time.Time       `json:"received_at"`
	AckDueAt       time.Time       `json:"ack_due_at"`
	ReportedLate   bool            `json:"reported_late"`
	Status         string          `json:"status"`
	EscalationStep int             `json:"escalation_step"`
	AcknowledgedBy *string         `json:"acknowledged_by"`
	AcknowledgedAt *time.Time      `json:"acknowledged_at"`
	Version        int64           `json:"version"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// Event is one entry of the timeline.
type Event struct {
	Kind       string          `json:"kind"`
	ActorID    *string         `json:"actor_id"`
	Note       string          `json:"note"`
	Media      json.RawMessage `json:"media"`
	ClientTime *time.Time      `json:"client_time"`
	At         time.Time       `json:"at"`
}

// Detail is an incident with its timeline.
type Detail struct {
	View
	Timeline []Event `json:"timeline"`
}

// ViewOf renders a stored incident.
func ViewOf(r store.Incident) View {
	return View{ID: r.ID, SiteID: r.SiteID, ReporterID: r.ReporterID, Type: r.Type, Level: r.Level,
		LevelLabel: Labels[r.Level], Place: r.Place, Description: r.Description, Media: rawList(r.Media),
		OccurredAt: r.OccurredAt.UTC(), ReceivedAt: r.ReceivedAt.UTC(), AckDueAt: r.AckDueAt.UTC(),
		ReportedLate: r.ReportedLate, Status: r.Status, EscalationStep: r.EscalationStep,
		AcknowledgedBy: r.AcknowledgedBy, AcknowledgedAt: r.AcknowledgedAt, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func rawList(b []byte) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("[]")
	}
	return json.RawMessage(b)
}

// CanSee: admins all, supervisors their sites', guards their own reports.
func CanSee(p principal.Principal, r store.Incident) bool {
	switch p.Role {
	case principal.Admin, principal.Auditor:
		return true
	case principal.Supervisor:
		return slices.Contains(p.SiteIDs, r.SiteID)
	}
	return r.ReporterID == p.UserID
}

// Record puts the incident in the change log for its reporter and the
// site's supervisors.
func Record(tx *store.Tx, r store.Incident) error {
	data, err := json.Marshal(ViewOf(r))
	if err != nil {
		return errs.E("incident.Record", errs.Internal, err)
	}
	owner := r.ReporterID
	tx.RecordChange(store.Change{EntityType: "incident", EntityID: r.ID, Op: "upsert", Version: r.Version,
		Audience: store.AudienceOwner, SiteID: &r.SiteID, OwnerID: &owner, Data: data})
	return nil
}

// Notify tells the people at step of the chain about an event of the
// incident: step 0 the site's supervisors, step 1 the organisation's admins.
func Notify(tx *store.Tx, r store.Incident, eventType string, step int) ([]notify.DeliverArgs, error) {
	role, site := principal.Supervisor, r.SiteID
	if step >= 1 {
		role, site = principal.Admin, ""
	}
	recipients, err := tx.ActiveUserIDs(role, site)
	if err != nil {
		return nil, err
	}
	key := eventType + ":" + r.ID + ":" + itoa(step) + ":" + itoa64(r.Version)
	if eventType == "incident.escalated" || eventType == "incident.reported" {
		key = eventType + ":" + r.ID + ":" + itoa(step) // once per step, whatever the version
	}
	return notify.Record(tx, notify.Event{Key: key, Type: eventType, SubjectType: "incident", SubjectID: r.ID,
		SiteID: r.SiteID, Recipients: recipients})
}

// Service holds the supervisor and job use cases.
type Service struct {
	db     *store.DB
	notify *notify.Service
}

// NewService builds the service.
func NewService(db *store.DB, notifier *notify.Service) *Service {
	return &Service{db: db, notify: notifier}
}

// Get reads an incident the caller may see, with its timeline.
func (s *Service) Get(ctx context.Context, id string) (Detail, error) {
	const op = "incident.Get"
	p, _ := principal.From(ctx)
	tx := s.db.Read(ctx)
	row, err := tx.Incident(id)
	if err == nil && !CanSee(p, row) {
		err = errs.E(op, errs.NotFound, "not found")
	}
	if err != nil {
		return Detail{}, errs.Wrap(op, err)
	}
	events, err := tx.IncidentEvents(id)
	if err != nil {
		return Detail{}, errs.Wrap(op, err)
	}
	d := Detail{View: ViewOf(row), Timeline: make([]Event, len(events))}
	for i, e := range events {
		d.Timeline[i] = Event{Kind: e.Kind, ActorID: e.ActorID, Note: e.Note, Media: rawList(e.Media),
			ClientTime: e.ClientTime, At: e.CreatedAt}
	}
	return d, nil
}

// Filter narrows List.
type Filter struct {
	SiteID string
	Status string
	Level  string
}

// List lists the incidents the caller may see.
func (s *Service) List(ctx context.Context, f Filter, page store.Page) ([]View, string, error) {
	p, _ := principal.From(ctx)
	filter := store.IncidentFilter{Status: f.Status, Level: f.Level}
	if f.SiteID != "" {
		filter.SiteIDs = []string{f.SiteID}
	}
	switch p.Role {
	case principal.Guard:
		filter.ReporterID = p.UserID
	case principal.Supervisor:
		if f.SiteID != "" && !slices.Contains(p.SiteIDs, f.SiteID) {
			return []View{}, "", nil
		}
		if f.SiteID == "" {
			filter.SiteIDs = append([]string{}, p.SiteIDs...)
		}
	}
	rows, next, err := s.db.Read(ctx).ListIncidents(filter, page)
	out := make([]View, len(rows))
	for i, r := range rows {
		out[i] = ViewOf(r)
	}
	return out, next, errs.Wrap("incident.List", err)
}

// Acknowledge records that a supervisor (or admin) has taken the incident
// in hand; it stops escalation. Acknowledging twice changes nothing.
func (s *Service) Acknowledge(ctx context.Context, id string) (View, error) {
	const op = "incident.Acknowledge"
	p, _ := principal.From(ctx)
	var row store.Incident
	var deliveries []notify.DeliverArgs
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if row, err = tx.Incident(id); err != nil {
			return err
		}
		if p.Role != principal.Admin && !slices.Contains(p.SiteIDs, row.SiteID) {
			return errs.E(op, errs.NotFound, "not found")
		}
		if row.Status == Acknowledged {
			return nil
		}
		expected := row.Version
		row.Status, row.AcknowledgedBy, row.AcknowledgedAt, row.Version = Acknowledged, &p.UserID, &tx.Now, expected+1
		if err := tx.UpdateIncident(&row, expected); err != nil {
			return err
		}
		actor := p.UserID
		if err := tx.AddIncidentEvents([]store.IncidentEvent{{ID: uuid.Must(uuid.NewV7()).String(), IncidentID: row.ID,
			Kind: "acknowledged", ActorID: &actor, Media: []byte("[]")}}); err != nil {
			return err
		}
		if err := Record(tx, row); err != nil {
			return err
		}
		deliveries, err = Notify(tx, row, "incident.acknowledged", row.EscalationStep)
		return err
	})
	if err != nil {
		return View{}, errs.Wrap(op, err)
	}
	s.notify.Enqueue(ctx, deliveries)
	return ViewOf(row), nil
}
