// Package plans is emergency plans (应急预案) and their acknowledgement
// (issue 16, item 3). A plan belongs to the organisation or to one site
// and covers one incident category; its content (response team, contact
// chain, steps) lives in numbered versions that never change once
// published. Staff acknowledge that they read the current version, on the
// phone through sync (plan.acknowledge) or over REST, both through
// Acknowledge: one write path.
//
// The structure follows 002 篇18 (factory production-safety plan,
// L1311–1475): command (总指挥, deputy, on-site coordinator, L1335–1341),
// six teams (communication, evacuation, volunteer fire, carrying, first
// aid, cordon, L1345–1357) and scenario steps (L1385–1471); the network
// plans of 002 篇4–7 add the named incident contact (L609) and the
// information director (L987). Outside numbers: 119 (002 L813, L1413),
// 110 (002 L1461; 003 "110报警器"); 120 is in no seed and ships as an
// editable default next to them.
package plans

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

// Categories of incident a plan covers (the incident categories of issue
// 16; digest "Incident categories").
var Categories = []string{"robbery", "fire", "network", "equipment", "injury", "public_opinion", "other"}

// Roles of the response team (002 L1335–1357).
var Roles = []string{"commander", "deputy_commander", "coordinator", "communication", "evacuation", "firefighting",
	"carrying", "first_aid", "cordon", "incident_contact", "information_director", "other"}

// Text is a text in zh-CN and en.
type Text map[string]string

// Member is one holder of a role of the response team: a person by day
// and, off hours, another (002 L1341: after work the duty leader
// commands).
type Member struct {
	Role             string  `json:"role"`
	UserID           string  `json:"user_id"`
	UserName         string  `json:"user_name,omitempty"`
	OffHoursUserID   *string `json:"off_hours_user_id,omitempty"`
	OffHoursUserName string  `json:"off_hours_user_name,omitempty"`
}

// Contact is one link of the contact chain: an outside number (110, 119,
// 120, the police station, the telecom operator) or a person inside.
type Contact struct {
	Name     Text    `json:"name"`
	Phone    string  `json:"phone"`
	External bool    `json:"external"`
	UserID   *string `json:"user_id,omitempty"`
	UserName string  `json:"user_name,omitempty"`
}

// Step is one step of the response, in order, for a team role.
type Step struct {
	Text Text   `json:"text"`
	Role string `json:"role,omitempty"`
}

// Body is the content of a plan version.
type Body struct {
	Purpose  Text      `json:"purpose"`
	Team     []Member  `json:"team"`
	Contacts []Contact `json:"contacts"`
	Steps    []Step    `json:"steps"`
}

// DefaultContacts are the outside numbers a plan gets when it names none
// (digest: "Ship 110/119/120 as editable defaults").
func DefaultContacts() []Contact {
	return []Contact{
		{Name: Text{"zh-CN": "报警(公安)", "en": "Police"}, Phone: "110", External: true},
		{Name: Text{"zh-CN": "火警(消防)", "en": "Fire brigade"}, Phone: "119", External: true},
		{Name: Text{"zh-CN": "急救中心", "en": "Ambulance"}, Phone: "120", External: true},
	}
}

// Plan is a plan with its current version, as clients see it.
type Plan struct {
	ID          string    `json:"id"`
	SiteID      *string   `json:"site_id"`
	Category    string    `json:"category"`
	Version     int       `json:"current_version"`
	Title       string    `json:"title"`
	Body        Body      `json:"body"`
	PublishedAt time.Time `json:"published_at"`
	PublishedBy string    `json:"published_by"`
	Active      bool      `json:"active"`
	RowVersion  int64     `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Input creates a plan (with version 1) or publishes a new version.
type Input struct {
	ID       string  `json:"id"`
	SiteID   *string `json:"site_id"`
	Category string  `json:"category"`
	Title    string  `json:"title"`
	Body     Body    `json:"body"`
}

// VersionInput publishes a new version of a plan.
type VersionInput struct {
	Title string `json:"title"`
	Body  Body   `json:"body"`
	// Version, when set, publishes only if the plan is still at this
	// current_version (else 412).
	Version *int `json:"current_version"`
}

// Service holds the use cases.
type Service struct{ db *store.DB }

// NewService builds the service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// Create adds a plan with its first version (admins).
func (s *Service) Create(ctx context.Context, in Input) (Plan, error) {
	const op = "plans.Create"
	p, _ := principal.From(ctx)
	fields := map[string]string{}
	row := store.EmergencyPlan{ID: checkID(in.ID, fields), SiteID: in.SiteID, Category: in.Category, CurrentVersion: 1, Active: true}
	if !slices.Contains(Categories, in.Category) {
		fields["/category"] = "must be one of " + strings.Join(Categories, ", ")
	}
	var version store.EmergencyPlanVersion
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if in.SiteID != nil {
			if err := requireSite(tx, *in.SiteID, fields); err != nil {
				return err
			}
		}
		body, err := checkBody(tx, in.Title, in.Body, fields)
		if err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		version = store.EmergencyPlanVersion{PlanID: row.ID, Number: 1, Title: strings.TrimSpace(in.Title), Body: body, PublishedBy: p.UserID}
		if err := tx.CreatePlan(&row, &version); err != nil {
			return err
		}
		audit.Append(tx, "plan.created", "emergency_plan", row.ID, map[string]any{"category": row.Category,
			"site_id": row.SiteID, "title": version.Title})
		return record(tx, row, version)
	})
	if errs.Is(err, errs.Conflict) {
		return Plan{}, errs.E(op, errs.Conflict, "a plan with this id already exists", err)
	}
	if err != nil {
		return Plan{}, errs.Wrap(op, err)
	}
	return s.Get(ctx, row.ID)
}

// Publish adds a new version; from then on staff must acknowledge it.
func (s *Service) Publish(ctx context.Context, id string, in VersionInput) (Plan, error) {
	const op = "plans.Publish"
	p, _ := principal.From(ctx)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		row, err := tx.Plan(id)
		if err != nil {
			return err
		}
		if in.Version != nil && *in.Version != row.CurrentVersion {
			return errs.E(op, errs.Stale, "the plan has a newer version ("+strconv.Itoa(row.CurrentVersion)+"): read it first")
		}
		fields := map[string]string{}
		body, err := checkBody(tx, in.Title, in.Body, fields)
		if err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		expected := row.Version
		row.CurrentVersion++
		version := store.EmergencyPlanVersion{PlanID: row.ID, Number: row.CurrentVersion, Title: strings.TrimSpace(in.Title),
			Body: body, PublishedBy: p.UserID}
		if err := tx.AddPlanVersion(&version); err != nil {
			return err
		}
		if err := tx.UpdatePlan(&row, expected); err != nil {
			return err
		}
		audit.Append(tx, "plan.published", "emergency_plan", row.ID, map[string]any{"number": version.Number, "title": version.Title})
		return record(tx, row, version)
	})
	if errs.Is(err, errs.Conflict) {
		return Plan{}, errs.E(op, errs.Stale, "another version was published at the same moment: read it first", err)
	}
	if err != nil {
		return Plan{}, errs.Wrap(op, err)
	}
	return s.Get(ctx, id)
}

// Get reads a plan the caller may see, with its current version.
func (s *Service) Get(ctx context.Context, id string) (Plan, error) {
	const op = "plans.Get"
	tx := s.db.Read(ctx)
	row, err := tx.Plan(id)
	if err == nil && !CanSee(ctx, row) {
		err = errs.E(op, errs.NotFound, "not found")
	}
	if err != nil {
		return Plan{}, errs.Wrap(op, err)
	}
	version, err := tx.PlanVersion(row.ID, row.CurrentVersion)
	if err != nil {
		return Plan{}, errs.Wrap(op, err)
	}
	view, err := viewOf(tx, row, version)
	return view, errs.Wrap(op, err)
}

// Filter narrows List.
type Filter struct {
	SiteID   string
	Category string
	Active   *bool
}

// List lists the plans the caller may see: the organisation's and those
// of their sites.
func (s *Service) List(ctx context.Context, f Filter, page store.Page) ([]Plan, string, error) {
	const op = "plans.List"
	p, _ := principal.From(ctx)
	filter := store.PlanFilter{Category: f.Category, Active: f.Active, OnlySite: f.SiteID}
	if p.Role != principal.Admin {
		filter.SiteIDs = append([]string{}, p.SiteIDs...)
		if f.SiteID != "" && !slices.Contains(p.SiteIDs, f.SiteID) {
			return []Plan{}, "", nil
		}
	}
	tx := s.db.Read(ctx)
	rows, next, err := tx.ListPlans(filter, page)
	if err != nil {
		return nil, "", errs.Wrap(op, err)
	}
	out := make([]Plan, 0, len(rows))
	for _, row := range rows {
		version, err := tx.PlanVersion(row.ID, row.CurrentVersion)
		if err != nil {
			return nil, "", errs.Wrap(op, err)
		}
		view, err := viewOf(tx, row, version)
		if err != nil {
			return nil, "", errs.Wrap(op, err)
		}
		out = append(out, view)
	}
	return out, next, nil
}

// CanSee: admins every plan; others the organisation's plans and their
// sites' plans.
func CanSee(ctx context.Context, row store.EmergencyPlan) bool {
	p, _ := principal.From(ctx)
	return canSee(p, row)
}

func canSee(p principal.Principal, row store.EmergencyPlan) bool {
	return p.Role == principal.Admin || row.SiteID == nil || slices.Contains(p.SiteIDs, *row.SiteID)
}

// viewOf renders a plan with the names of the people it lists.
func viewOf(tx *store.Tx, row store.EmergencyPlan, version store.EmergencyPlanVersion) (Plan, error) {
	var body Body
	if err := json.Unmarshal(version.Body, &body); err != nil {
		return Plan{}, errs.E("plans.viewOf", errs.Internal, err)
	}
	var ids []string
	for _, m := range body.Team {
		ids = append(ids, m.UserID)
		if m.OffHoursUserID != nil {
			ids = append(ids, *m.OffHoursUserID)
		}
	}
	for _, c := range body.Contacts {
		if c.UserID != nil {
			ids = append(ids, *c.UserID)
		}
	}
	names, err := tx.UserNames(append(ids, version.PublishedBy))
	if err != nil {
		return Plan{}, err
	}
	for i := range body.Team {
		body.Team[i].UserName = names[body.Team[i].UserID]
		if id := body.Team[i].OffHoursUserID; id != nil {
			body.Team[i].OffHoursUserName = names[*id]
		}
	}
	for i := range body.Contacts {
		if id := body.Contacts[i].UserID; id != nil {
			body.Contacts[i].UserName = names[*id]
		}
	}
	return Plan{ID: row.ID, SiteID: row.SiteID, Category: row.Category, Version: version.Number, Title: version.Title,
		Body: body, PublishedAt: version.PublishedAt.UTC(), PublishedBy: names[version.PublishedBy], Active: row.Active,
		RowVersion: row.Version, CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC()}, nil
}

// record puts the plan with its current version in the change log: for
// the site's people, or for everyone when it is the organisation's.
func record(tx *store.Tx, row store.EmergencyPlan, version store.EmergencyPlanVersion) error {
	view, err := viewOf(tx, row, version)
	if err != nil {
		return err
	}
	data, err := json.Marshal(view)
	if err != nil {
		return errs.E("plans.record", errs.Internal, err)
	}
	change := store.Change{EntityType: "emergency_plan", EntityID: row.ID, Op: "upsert", Version: row.Version,
		Audience: store.AudienceOrg, Data: data}
	if row.SiteID != nil {
		change.Audience, change.SiteID = store.AudienceSite, row.SiteID
	}
	tx.RecordChange(change)
	return nil
}

// checkBody checks a version's title and content, every problem at once,
// and returns the body as stored (with the default outside numbers when
// it names no contact).
func checkBody(tx *store.Tx, title string, body Body, fields map[string]string) ([]byte, error) {
	if t := strings.TrimSpace(title); t == "" || len([]rune(t)) > 200 {
		fields["/title"] = "required, at most 200 characters"
	}
	checkTextOf(fields, "/body/purpose", body.Purpose, false)
	if body.Contacts == nil {
		body.Contacts = DefaultContacts()
	}
	if len(body.Team) > 100 || len(body.Contacts) > 100 || len(body.Steps) > 200 {
		fields["/body"] = "at most 100 team members, 100 contacts and 200 steps"
		return nil, nil
	}
	var users []string
	for i, m := range body.Team {
		at := "/body/team/" + strconv.Itoa(i)
		if !slices.Contains(Roles, m.Role) {
			fields[at+"/role"] = "must be one of " + strings.Join(Roles, ", ")
		}
		users = append(users, at+"/user_id", m.UserID)
		if m.OffHoursUserID != nil {
			users = append(users, at+"/off_hours_user_id", *m.OffHoursUserID)
		}
		body.Team[i].UserName, body.Team[i].OffHoursUserName = "", ""
	}
	if len(body.Steps) == 0 {
		fields["/body/steps"] = "required: at least one step"
	}
	for i, c := range body.Contacts {
		at := "/body/contacts/" + strconv.Itoa(i)
		checkTextOf(fields, at+"/name", c.Name, true)
		if !phonePattern(c.Phone) {
			fields[at+"/phone"] = "required: a phone number (digits, +, -, spaces; 3 to 20)"
		}
		if c.UserID != nil {
			users = append(users, at+"/user_id", *c.UserID)
		}
		body.Contacts[i].UserName = ""
	}
	for i, step := range body.Steps {
		at := "/body/steps/" + strconv.Itoa(i)
		checkTextOf(fields, at+"/text", step.Text, true)
		if step.Role != "" && !slices.Contains(Roles, step.Role) {
			fields[at+"/role"] = "must be one of " + strings.Join(Roles, ", ")
		}
	}
	for i := 0; i < len(users); i += 2 {
		if err := requireUser(tx, users[i+1], users[i], fields); err != nil {
			return nil, err
		}
	}
	if body.Team == nil {
		body.Team = []Member{}
	}
	if body.Purpose == nil {
		body.Purpose = Text{} // an object, never null
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, errs.E("plans.checkBody", errs.Internal, err)
	}
	return raw, nil
}

// checkTextOf requires a text in zh-CN or en (and no other language).
func checkTextOf(fields map[string]string, pointer string, text Text, required bool) {
	some := false
	for lang, value := range text {
		if lang != "zh-CN" && lang != "en" {
			fields[pointer] = "languages are zh-CN and en"
			return
		}
		if len([]rune(value)) > 2000 {
			fields[pointer+"/"+lang] = "at most 2000 characters"
		}
		some = some || strings.TrimSpace(value) != ""
	}
	if required && !some {
		fields[pointer] = "required: a text in zh-CN or en"
	}
}

func phonePattern(phone string) bool {
	if len(phone) < 3 || len(phone) > 20 {
		return false
	}
	for _, r := range phone {
		if !(r >= '0' && r <= '9') && r != '+' && r != '-' && r != ' ' {
			return false
		}
	}
	return true
}

func requireUser(tx *store.Tx, id, pointer string, fields map[string]string) error {
	if !input.IsUUID(id) {
		fields[pointer] = "must be a user id"
		return nil
	}
	user, err := tx.User(id)
	switch {
	case errs.Is(err, errs.NotFound), err == nil && !user.Active:
		fields[pointer] = "must be an active user of the organisation"
	case err != nil:
		return err
	}
	return nil
}

func requireSite(tx *store.Tx, siteID string, fields map[string]string) error {
	if !input.IsUUID(siteID) {
		fields["/site_id"] = "must be a site id (or null for the whole organisation)"
		return nil
	}
	site, err := tx.Site(siteID)
	switch {
	case errs.Is(err, errs.NotFound), err == nil && !site.Active:
		fields["/site_id"] = "must be an active site of the organisation"
	case err != nil:
		return err
	}
	return nil
}

func checkID(id string, fields map[string]string) string {
	if id == "" {
		return uuid.Must(uuid.NewV7()).String()
	}
	parsed, err := uuid.Parse(id)
	if err != nil {
		fields["/id"] = "must be a UUID"
		return id
	}
	return parsed.String()
}
