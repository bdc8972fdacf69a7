// Package incident is security incidents to closure (突发事件/安全信息上报):
// guards report offline through sync (incident.report, incident.follow_up,
// handled in internal/syncer with this package's rules), the chain takes
// each step of the life cycle (lifecycle.go: acknowledge, progress,
// resolve, summary, close, each by a named person), and a job flags steps
// that miss their deadline and escalates them up the chain (escalate.go).
// Levels are stored in English: general 一般, serious 较大, major 重大,
// critical 特别重大 (policy). It never rewrites a timeline entry: the
// timeline is append-only.
package incident

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/incident/policy"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/media"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Labels are the levels' names in the regulations.
var Labels = policy.LevelLabels

// View is an incident as clients see it.
type View struct {
	ID             string          `json:"id"`
	SiteID         string          `json:"site_id"`
	ReporterID     string          `json:"reporter_id"`
	ReporterName   string          `json:"reporter_name,omitempty"` // over REST; the phone knows its user
	Type           string          `json:"type"`
	Category       string          `json:"category"`
	Level          string          `json:"level"`
	LevelLabel     string          `json:"level_label"`
	Place          string          `json:"place"`
	Description    string          `json:"description"`
	Media          json.RawMessage `json:"media"`
	Answers        json.RawMessage `json:"answers"`
	Witnesses      json.RawMessage `json:"witnesses"`
	CCTV           json.RawMessage `json:"cctv"`
	Casualties     bool            `json:"casualties"`
	OccurredAt     time.Time       `json:"occurred_at"`
	ReceivedAt     time.Time       `json:"received_at"`
	AckDueAt       time.Time       `json:"ack_due_at"`
	ReportDueAt    *time.Time      `json:"report_due_at"`
	HandleDueAt    *time.Time      `json:"handle_due_at"`
	SummaryDueAt   *time.Time      `json:"summary_due_at"`
	ReportedLate   bool            `json:"reported_late"`
	LateSteps      []string        `json:"late_steps"`
	Status         string          `json:"status"`
	EscalationStep int             `json:"escalation_step"`
	AcknowledgedBy *string         `json:"acknowledged_by"`
	AcknowledgedAt *time.Time      `json:"acknowledged_at"`
	HandlingBy     *string         `json:"handling_by"`
	HandlingAt     *time.Time      `json:"handling_at"`
	ResolvedBy     *string         `json:"resolved_by"`
	ResolvedAt     *time.Time      `json:"resolved_at"`
	Summary        string          `json:"summary"`
	SummarizedBy   *string         `json:"summarized_by"`
	SummarizedAt   *time.Time      `json:"summarized_at"`
	ClosedBy       *string         `json:"closed_by"`
	ClosedAt       *time.Time      `json:"closed_at"`
	Version        int64           `json:"version"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// Event is one entry of the timeline.
type Event struct {
	Kind       string          `json:"kind"`
	ActorID    *string         `json:"actor_id"`
	ActorName  string          `json:"actor_name,omitempty"`
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
	category := r.Category
	if category == "" {
		category = "other"
	}
	return View{ID: r.ID, SiteID: r.SiteID, ReporterID: r.ReporterID, Type: r.Type, Category: category, Level: r.Level,
		LevelLabel: Labels[r.Level], Place: r.Place, Description: r.Description, Media: rawList(r.Media),
		Answers: rawObject(r.Answers), Witnesses: rawList(r.Witnesses), CCTV: rawList(r.CCTV), Casualties: r.Casualties,
		OccurredAt: r.OccurredAt.UTC(), ReceivedAt: r.ReceivedAt.UTC(), AckDueAt: r.AckDueAt.UTC(),
		ReportDueAt: utc(r.ReportDueAt), HandleDueAt: utc(r.HandleDueAt), SummaryDueAt: utc(r.SummaryDueAt),
		ReportedLate: r.ReportedLate, LateSteps: lateSteps(r.LateSteps), Status: r.Status, EscalationStep: r.EscalationStep,
		AcknowledgedBy: r.AcknowledgedBy, AcknowledgedAt: utc(r.AcknowledgedAt), HandlingBy: r.HandlingBy,
		HandlingAt: utc(r.HandlingAt), ResolvedBy: r.ResolvedBy, ResolvedAt: utc(r.ResolvedAt), Summary: r.Summary,
		SummarizedBy: r.SummarizedBy, SummarizedAt: utc(r.SummarizedAt), ClosedBy: r.ClosedBy, ClosedAt: utc(r.ClosedAt),
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func lateSteps(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func rawList(b []byte) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("[]")
	}
	return json.RawMessage(b)
}

func rawObject(b []byte) json.RawMessage {
	if len(b) == 0 || string(b) == "null" {
		return json.RawMessage("{}")
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
// incident: step 0 the site's supervisors, step 1 the organisation's
// admins as well; and by email
// the addresses configured for the incident's site and level.
func Notify(tx *store.Tx, r store.Incident, eventType string, step int) ([]notify.DeliverArgs, error) {
	return notifyKeyed(tx, r, eventType, step, "")
}

// notifyKeyed is Notify with a suffix that makes the event key unique (a
// late step, which happens once per step and deadline).
func notifyKeyed(tx *store.Tx, r store.Incident, eventType string, step int, suffix string) ([]notify.DeliverArgs, error) {
	// The site's supervisors always hear of their incidents; from step 1
	// (escalated, or a report that skips levels) the admins too.
	recipients, err := tx.ActiveUserIDs(principal.Supervisor, r.SiteID)
	if err != nil {
		return nil, err
	}
	if step >= 1 {
		admins, err := tx.ActiveUserIDs(principal.Admin, "")
		if err != nil {
			return nil, err
		}
		recipients = append(recipients, admins...)
	}
	slices.Sort(recipients)
	recipients = slices.Compact(recipients)
	key := eventType + ":" + r.ID + ":" + itoa(step) + ":" + itoa64(r.Version)
	if eventType == "incident.escalated" || eventType == "incident.reported" {
		key = eventType + ":" + r.ID + ":" + itoa(step) // once per step, whatever the version
	}
	if suffix != "" {
		key = eventType + ":" + r.ID + ":" + suffix
	}
	mail, err := emailFor(tx, r, eventType)
	if err != nil {
		return nil, err
	}
	return notify.Record(tx, notify.Event{Key: key, Type: eventType, SubjectType: "incident", SubjectID: r.ID,
		SiteID: r.SiteID, Recipients: recipients, Level: r.Level, Email: mail})
}

func checkMediaIDs(ids []string) map[string]string {
	if len(ids) > 50 {
		return map[string]string{"/media": "at most 50 media ids"}
	}
	for _, id := range ids {
		if !input.IsUUID(id) {
			return map[string]string{"/media": "must be media ids"}
		}
	}
	return nil
}

// requireMedia fails unless every id names a live medium of the caller's
// organisation.
func (s *Service) requireMedia(tx *store.Tx, ids []string) error {
	lower := make([]string, len(ids))
	for i, id := range ids {
		lower[i] = strings.ToLower(id)
	}
	rows, err := tx.MediaByIDs(lower)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	for i, id := range lower {
		if row, ok := rows[id]; !ok || row.Status == media.Deleted {
			fields["/media/"+itoa(i)] = "no such medium: declare it first (POST /v1/media)"
		}
	}
	if len(fields) > 0 {
		return errs.Fields("incident.requireMedia", fields)
	}
	return nil
}

func links(incidentID string, ids []string) []store.MediaLink {
	out := make([]store.MediaLink, len(ids))
	for i, id := range ids {
		out[i] = store.MediaLink{MediaID: strings.ToLower(id), RecordType: "incident", RecordID: incidentID}
	}
	return out
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
	names := nameBook{tx: tx, names: map[string]string{}}
	d := Detail{View: ViewOf(row), Timeline: make([]Event, len(events))}
	d.ReporterName = names.of(row.ReporterID)
	for i, e := range events {
		d.Timeline[i] = Event{Kind: e.Kind, ActorID: e.ActorID, Note: e.Note, Media: rawList(e.Media),
			ClientTime: e.ClientTime, At: e.CreatedAt}
		if e.ActorID != nil {
			d.Timeline[i].ActorName = names.of(*e.ActorID)
		}
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
	tx := s.db.Read(ctx)
	rows, next, err := tx.ListIncidents(filter, page)
	names := nameBook{tx: tx, names: map[string]string{}}
	out := make([]View, len(rows))
	for i, r := range rows {
		out[i] = ViewOf(r)
		out[i].ReporterName = names.of(r.ReporterID)
	}
	return out, next, errs.Wrap("incident.List", err)
}

// Category is one category with its names, for pickers.
type Category struct {
	Key   string            `json:"key"`
	Label map[string]string `json:"label"`
}

// Categories is the answer of GET /v1/incident-categories: the categories
// and the template of their questions (its sections are shown by
// context.incident_category).
type Categories struct {
	Items     []Category `json:"items"`
	Questions any        `json:"questions"`
}

// CategoryList lists the categories and their questions.
func CategoryList() (Categories, error) {
	t, err := Questions()
	if err != nil {
		return Categories{}, errs.E("incident.CategoryList", errs.Internal, err)
	}
	out := Categories{Questions: t}
	for _, key := range policy.Categories {
		l := policy.CategoryLabels[key]
		out.Items = append(out.Items, Category{Key: key, Label: map[string]string{"zh-CN": l[0], "en": l[1]}})
	}
	return out, nil
}

// nameBook looks people's names up once each: views carry names, not
// only ids, for screens whose reader may not list users.
type nameBook struct {
	tx    *store.Tx
	names map[string]string
}

func (b nameBook) of(id string) string {
	if name, ok := b.names[id]; ok {
		return name
	}
	user, err := b.tx.User(id)
	if err != nil {
		return "" // the system (escalations) or a removed user
	}
	b.names[id] = user.Name
	return user.Name
}
