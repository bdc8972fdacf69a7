package finding

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Service lists findings and runs the rectification loop. Every
// transition is compare-and-set on the finding's version, recorded in the
// finding's history, the change log (so phones pull it) and the audit log.
type Service struct{ db *store.DB }

// NewService builds the service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// Event is one step of a finding's history.
type Event struct {
	Kind       string          `json:"kind"`
	ActorID    *string         `json:"actor_id"`
	FromStatus string          `json:"from_status"`
	ToStatus   string          `json:"to_status"`
	Detail     json.RawMessage `json:"detail"`
	At         time.Time       `json:"at"`
}

// Escalation is one level an overdue finding reached.
type Escalation struct {
	Level        int       `json:"level"`
	EscalatedTo  string    `json:"escalated_to"`
	RecipientIDs []string  `json:"recipient_ids"`
	At           time.Time `json:"at"`
}

// Detail is a finding with its history.
type Detail struct {
	View
	History     []Event      `json:"history"`
	Escalations []Escalation `json:"escalations"`
}

// Filter narrows List.
type Filter struct {
	Status     string
	SiteID     string
	Severity   string
	AssigneeID string
	Overdue    bool
}

// List lists the findings the caller may see.
func (s *Service) List(ctx context.Context, f Filter, page store.Page) ([]View, string, error) {
	p, _ := principal.From(ctx)
	filter := store.FindingFilter{Severity: f.Severity, AssigneeID: f.AssigneeID}
	if f.Status != "" {
		filter.Statuses = []string{f.Status}
	}
	if f.SiteID != "" {
		filter.SiteIDs = []string{f.SiteID}
	}
	if f.Overdue {
		now := time.Now().UTC()
		filter.OverdueAt = &now
	}
	switch p.Role {
	case principal.Guard:
		filter.VisibleTo = p.UserID
	case principal.Supervisor:
		if f.SiteID != "" && !slices.Contains(p.SiteIDs, f.SiteID) {
			return []View{}, "", nil
		}
		if f.SiteID == "" {
			filter.SiteIDs = append([]string{}, p.SiteIDs...)
		}
	}
	rows, next, err := s.db.Read(ctx).ListFindings(filter, page)
	if err != nil {
		return nil, "", errs.Wrap("finding.List", err)
	}
	out := make([]View, len(rows))
	for i, r := range rows {
		out[i] = ViewOf(r)
	}
	return out, next, nil
}

// Get reads one finding the caller may see, with its history.
func (s *Service) Get(ctx context.Context, id string) (Detail, error) {
	const op = "finding.Get"
	p, _ := principal.From(ctx)
	tx := s.db.Read(ctx)
	row, err := tx.Finding(id)
	if err == nil && !CanSee(p, row) {
		err = errs.E(op, errs.NotFound, "not found")
	}
	if err != nil {
		return Detail{}, errs.Wrap(op, err)
	}
	events, err := tx.FindingEvents(id)
	if err != nil {
		return Detail{}, errs.Wrap(op, err)
	}
	escalations, err := tx.FindingEscalations(id)
	if err != nil {
		return Detail{}, errs.Wrap(op, err)
	}
	d := Detail{View: ViewOf(row), History: make([]Event, 0, len(events)), Escalations: make([]Escalation, 0, len(escalations))}
	for _, e := range events {
		detail := json.RawMessage(e.Detail)
		if len(detail) == 0 {
			detail = json.RawMessage("{}")
		}
		d.History = append(d.History, Event{Kind: e.Kind, ActorID: e.ActorID, FromStatus: e.FromStatus, ToStatus: e.ToStatus,
			Detail: detail, At: e.CreatedAt.UTC()})
	}
	for _, e := range escalations {
		d.Escalations = append(d.Escalations, Escalation{Level: e.Level, EscalatedTo: e.EscalatedTo,
			RecipientIDs: strings.Split(e.RecipientIDs, ","), At: e.CreatedAt.UTC()})
	}
	return d, nil
}

// CreateInput is a finding reported by hand.
type CreateInput struct {
	ID           string   `json:"id"`
	SiteID       string   `json:"site_id"`
	Title        string   `json:"title"`
	Description  string   `json:"description"`
	Severity     string   `json:"severity"`
	InspectionID *string  `json:"inspection_id"`
	ItemPath     string   `json:"item_path"`
	DueAt        *string  `json:"due_at"`
	AssigneeID   *string  `json:"assignee_id"`
	Media        []string `json:"media"`
}

// Create reports a finding by hand, with photo media ids.
func (s *Service) Create(ctx context.Context, in CreateInput) (Detail, error) {
	const op = "finding.Create"
	p, _ := principal.From(ctx)
	fields := map[string]string{}
	row := store.Finding{ID: in.ID, SiteID: in.SiteID, InspectionID: in.InspectionID, ItemPath: in.ItemPath,
		Title: in.Title, Description: in.Description, Severity: in.Severity, Status: Open, CreatedBy: p.UserID, Version: 1}
	if row.ID == "" {
		row.ID = uuid.Must(uuid.NewV7()).String()
	} else if !input.IsUUID(row.ID) {
		fields["/id"] = "must be a UUID"
	}
	CheckText(fields, in.Title, in.Description, in.Severity)
	row.DueAt = timeField(fields, "/due_at", in.DueAt)
	row.Media = mediaField(fields, "/media", in.Media, false)
	if in.AssigneeID != nil && p.Role == principal.Guard && *in.AssigneeID != p.UserID {
		fields["/assignee_id"] = "only supervisors assign findings to others"
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := checkSite(tx, p, fields, in.SiteID); err != nil {
			return err
		}
		if in.InspectionID != nil {
			inspection, err := tx.Inspection(*in.InspectionID)
			if err != nil && !errs.Is(err, errs.NotFound) {
				return err
			}
			if err != nil || inspection.SiteID != in.SiteID {
				fields["/inspection_id"] = "must be an inspection at the same site"
			}
		}
		if in.AssigneeID != nil {
			if err := CheckAssignee(tx, fields, *in.AssigneeID, in.SiteID); err != nil {
				return err
			}
			row.AssigneeID, row.AssignedBy, row.Status = in.AssigneeID, &p.UserID, Assigned
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		fieldsJSON, _ := json.Marshal(FieldsOf(row))
		if err := tx.CreateFinding(&row, fieldsJSON); err != nil {
			return err
		}
		if err := linkMedia(tx, fields, "/media", row.ID, in.Media); err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		return s.recordTransition(tx, row, "", "created", "", map[string]any{"media": in.Media}, p.UserID)
	})
	if errs.Is(err, errs.Conflict) {
		return Detail{}, errs.E(op, errs.Conflict, "a finding with this id already exists", err)
	}
	if err != nil {
		return Detail{}, errs.Wrap(op, err)
	}
	return s.Get(ctx, row.ID)
}

// recordTransition writes a finding's history, change-log entry and audit
// entry for one step.
func (s *Service) recordTransition(tx *store.Tx, row store.Finding, prevOwner, kind, from string, detail map[string]any, actor string) error {
	raw, _ := json.Marshal(detail)
	var actorID *string
	if actor != "" {
		actorID = &actor
	}
	event := store.FindingEvent{ID: uuid.Must(uuid.NewV7()).String(), FindingID: row.ID, Kind: kind, ActorID: actorID,
		FromStatus: from, ToStatus: row.Status, Detail: raw}
	if err := tx.AddFindingEvent(&event); err != nil {
		return err
	}
	if err := RecordChange(tx, row, prevOwner); err != nil {
		return err
	}
	details := map[string]any{"from": from, "to": row.Status, "version": row.Version}
	for k, v := range detail {
		details[k] = v
	}
	audit.Append(tx, "finding."+kind, "finding", row.ID, details)
	return nil
}

// RecordChange puts a finding's view in the change log; prevOwner, when it
// differs from the owner now, makes the entry a tombstone for them.
func RecordChange(tx *store.Tx, row store.Finding, prevOwner string) error {
	data, err := json.Marshal(ViewOf(row))
	if err != nil {
		return errs.E("finding.RecordChange", errs.Internal, err)
	}
	owner := Owner(row)
	change := store.Change{EntityType: "finding", EntityID: row.ID, Op: "upsert", Version: row.Version,
		Audience: store.AudienceOwner, SiteID: &row.SiteID, OwnerID: &owner, Data: data}
	if prevOwner != "" && prevOwner != owner {
		audience, site := store.AudienceOwner, row.SiteID
		change.PrevAudience, change.PrevSiteID, change.PrevOwnerID = &audience, &site, &prevOwner
	}
	tx.RecordChange(change)
	return nil
}

// CheckText is the rule for a finding's text, by whatever path it is
// written (REST or sync): problems go into fields by JSON pointer.
func CheckText(fields map[string]string, title, description, severity string) {
	if strings.TrimSpace(title) == "" || len([]rune(title)) > 300 {
		fields["/title"] = "required, at most 300 characters"
	}
	if len([]rune(description)) > 5000 {
		fields["/description"] = "at most 5000 characters"
	}
	if !ValidSeverity(severity) {
		fields["/severity"] = "must be low, medium, high or critical"
	}
}

func checkSite(tx *store.Tx, p principal.Principal, fields map[string]string, siteID string) error {
	if !input.IsUUID(siteID) {
		fields["/site_id"] = "must be an active site you work at"
		return nil
	}
	site, err := tx.Site(siteID)
	if errs.Is(err, errs.NotFound) {
		fields["/site_id"] = "must be an active site you work at"
		return nil
	}
	if err != nil {
		return err
	}
	if !site.Active || (p.Role != principal.Admin && !slices.Contains(p.SiteIDs, siteID)) {
		fields["/site_id"] = "must be an active site you work at"
	}
	return nil
}

// checkAssignee accepts an active user of the organisation who works at the
// finding's site (admins work everywhere).
// CheckAssignee is the rule for whom a finding may be assigned to, by
// whatever path: an active user who works at the finding's site.
func CheckAssignee(tx *store.Tx, fields map[string]string, userID, siteID string) error {
	bad := "must be an active user who works at the finding's site"
	if !input.IsUUID(userID) {
		fields["/assignee_id"] = bad
		return nil
	}
	user, err := tx.User(userID)
	if errs.Is(err, errs.NotFound) {
		fields["/assignee_id"] = bad
		return nil
	}
	if err != nil {
		return err
	}
	if !user.Active || (user.Role != principal.Admin && !slices.Contains(user.SiteIDs, siteID)) {
		fields["/assignee_id"] = bad
	}
	return nil
}

func timeField(fields map[string]string, pointer string, raw *string) *time.Time {
	if raw == nil || *raw == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, *raw)
	if err != nil {
		fields[pointer] = "must be an RFC 3339 time"
		return nil
	}
	t = t.UTC().Truncate(time.Second)
	return &t
}

func mediaField(fields map[string]string, pointer string, ids []string, required bool) []byte {
	if required && len(ids) == 0 {
		fields[pointer] = "required: at least one evidence photo (media id)"
	}
	if len(ids) > 20 {
		fields[pointer] = "at most 20 media ids"
	}
	for _, id := range ids {
		if !input.IsUUID(id) {
			fields[pointer] = "must be media ids (UUIDs)"
			break
		}
	}
	if ids == nil {
		ids = []string{}
	}
	raw, _ := json.Marshal(ids)
	return raw
}

// linkMedia checks that every id names a live medium of the caller's
// organisation (each unknown one is a field error under pointer) and links
// them to the finding in tx, so that the orphan sweep keeps them.
func linkMedia(tx *store.Tx, fields map[string]string, pointer, findingID string, ids []string) error {
	if fields[pointer] != "" || len(ids) == 0 {
		return nil
	}
	unknown, err := tx.UnknownMedia(ids)
	if err != nil {
		return err
	}
	for _, id := range unknown {
		fields[pointer+"/"+strconv.Itoa(slices.Index(ids, id))] = "no such medium: declare it first (POST /v1/media)"
	}
	links := make([]store.MediaLink, len(ids))
	for i, id := range ids {
		links[i] = store.MediaLink{MediaID: strings.ToLower(id), RecordType: "finding", RecordID: findingID}
	}
	if len(unknown) > 0 {
		return nil
	}
	return tx.AddMediaLinks(links)
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
