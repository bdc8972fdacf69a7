package rounds

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/teambition/rrule-go"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// localLayout is how dtstart is written: a wall-clock time in the site's
// zone, without an offset, so that a daily 22:00 stays 22:00 across
// daylight-saving changes.
const localLayout = "2006-01-02T15:04:05"

// Schedule as clients see it.
type Schedule struct {
	ID               string      `json:"id"`
	SiteID           string      `json:"site_id"`
	Kind             string      `json:"kind"`
	Name             string      `json:"name"`
	RouteID          *string     `json:"route_id"`
	TemplateID       *string     `json:"template_id"`
	RRule            string      `json:"rrule"`
	DTStart          string      `json:"dtstart"`
	Timezone         string      `json:"timezone"`
	ToleranceMinutes int64       `json:"tolerance_minutes"`
	AssigneeID       *string     `json:"assignee_id"`
	Active           bool        `json:"active"`
	Upcoming         []time.Time `json:"upcoming"`
	Version          int64       `json:"version"`
	CreatedAt        time.Time   `json:"created_at"`
	UpdatedAt        time.Time   `json:"updated_at"`
}

// ScheduleInput creates a schedule. rrule is an RFC 5545 RRULE such as
// FREQ=HOURLY;INTERVAL=2;BYHOUR=22,0,2,4,6;BYMINUTE=0;BYDAY=MO,TU,WE,TH,FR;
// dtstart is local wall time in the site's zone, e.g. 2026-12-01T22:00:00.
type ScheduleInput struct {
	ID               string  `json:"id"`
	SiteID           string  `json:"site_id"`
	Kind             string  `json:"kind"`
	Name             string  `json:"name"`
	RouteID          *string `json:"route_id"`
	TemplateID       *string `json:"template_id"`
	RRule            string  `json:"rrule"`
	DTStart          string  `json:"dtstart"`
	ToleranceMinutes int64   `json:"tolerance_minutes"`
	AssigneeID       *string `json:"assignee_id"`
}

// SchedulePatch changes the fields that are set. An empty assignee_id
// hands the duty to the site's pool.
type SchedulePatch struct {
	Name             *string `json:"name"`
	RRule            *string `json:"rrule"`
	DTStart          *string `json:"dtstart"`
	ToleranceMinutes *int64  `json:"tolerance_minutes"`
	AssigneeID       *string `json:"assignee_id"`
	Active           *bool   `json:"active"`
	Version          *int64  `json:"version"`
}

// recurrence parses a schedule's rule anchored at its local start.
func recurrence(rule, dtstart string, loc *time.Location) (*rrule.RRule, map[string]string) {
	fields := map[string]string{}
	rule = strings.TrimPrefix(strings.TrimSpace(rule), "RRULE:")
	upper := strings.ToUpper(rule)
	if rule == "" || strings.Contains(upper, "DTSTART") || strings.Contains(upper, "TZID") || strings.Contains(rule, "\n") {
		fields["/rrule"] = "required: one RFC 5545 RRULE such as FREQ=DAILY;BYHOUR=22 (the start goes in dtstart)"
	}
	start, err := time.ParseInLocation(localLayout, dtstart, loc)
	switch {
	case err != nil:
		fields["/dtstart"] = "required: local wall time in the site's zone, such as 2026-12-01T22:00:00"
	case start.Year() < minYear || start.Year() > maxYear:
		// Expansion walks from dtstart: a start centuries away would take
		// minutes for every materialisation.
		fields["/dtstart"] = fmt.Sprintf("must be in the years %d to %d", minYear, maxYear)
	}
	if len(fields) > 0 {
		return nil, fields
	}
	opt, err := rrule.StrToROption(rule)
	if err != nil {
		return nil, map[string]string{"/rrule": "not a valid RRULE: " + err.Error()}
	}
	if opt.Freq == rrule.MINUTELY || opt.Freq == rrule.SECONDLY {
		return nil, map[string]string{"/rrule": "FREQ must be HOURLY or longer"}
	}
	opt.Dtstart = start
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, map[string]string{"/rrule": "not a valid RRULE: " + err.Error()}
	}
	// A rule that never happens (30 February) would make every expansion
	// search hour by hour up to the year 9999: look a bounded way ahead.
	probe := *opt
	if horizon := start.AddDate(probeYears, 0, 0); probe.Until.IsZero() || probe.Until.After(horizon) {
		probe.Until = horizon
	}
	if bounded, err := rrule.NewRRule(probe); err != nil || bounded.After(start, true).IsZero() {
		return nil, map[string]string{"/rrule": fmt.Sprintf("the rule has no slot in the %d years from dtstart", probeYears)}
	}
	return r, nil
}

// Bounds of a schedule's start, and how far ahead a rule must have a slot.
const (
	minYear    = 2020
	maxYear    = 2199
	probeYears = 8
)

// occurrences lists slot starts in [from, to], in UTC, at most limit.
func occurrences(r *rrule.RRule, from, to time.Time, limit int) []time.Time {
	var out []time.Time
	next := r.Iterator()
	for t, ok := next(); ok && len(out) < limit; t, ok = next() {
		if t.After(to) {
			break
		}
		if !t.Before(from) {
			out = append(out, t.UTC())
		}
	}
	return out
}

func (s *Service) scheduleView(row store.Schedule, loc *time.Location, now time.Time) Schedule {
	v := Schedule{ID: row.ID, SiteID: row.SiteID, Kind: row.Kind, Name: row.Name, RouteID: row.RouteID,
		TemplateID: row.TemplateID, RRule: row.RRule, DTStart: row.DTStart, Timezone: loc.String(),
		ToleranceMinutes: row.ToleranceSeconds / 60, AssigneeID: row.AssigneeID, Active: row.Active,
		Upcoming: []time.Time{}, Version: row.Version, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}
	if r, problems := recurrence(row.RRule, row.DTStart, loc); len(problems) == 0 && row.Active {
		v.Upcoming = append(v.Upcoming, occurrences(r, now, now.AddDate(1, 0, 0), 5)...)
	}
	return v
}

// checkSchedule validates a schedule against its site, route, template and
// assignee, every problem at once. It returns the site's zone.
func checkSchedule(tx *store.Tx, row store.Schedule, fields map[string]string) (*time.Location, error) {
	loc := time.UTC
	site, err := tx.Site(row.SiteID)
	switch {
	case !input.IsUUID(row.SiteID) || errs.Is(err, errs.NotFound) || (err == nil && !site.Active):
		fields["/site_id"] = "required: an active site"
	case err != nil:
		return nil, err
	default:
		if loc, err = time.LoadLocation(site.Timezone); err != nil {
			loc = time.UTC
		}
	}
	checkName(fields, row.Name)
	if row.ToleranceSeconds < 60 || row.ToleranceSeconds > 7*24*3600 {
		fields["/tolerance_minutes"] = "must be 1 to 10080 minutes"
	}
	for k, v := range recurrenceProblems(row, loc) {
		fields[k] = v
	}
	switch row.Kind {
	case KindRound:
		if err := checkRouteRef(tx, row, fields); err != nil {
			return nil, err
		}
	case KindInspection:
		if row.TemplateID == nil || !input.IsUUID(*row.TemplateID) {
			fields["/template_id"] = "required for an inspection schedule: a template id"
		} else if _, err := tx.Template(*row.TemplateID); errs.Is(err, errs.NotFound) {
			fields["/template_id"] = "no such template"
		} else if err != nil {
			return nil, err
		}
	default:
		fields["/kind"] = "must be round or inspection"
	}
	return loc, checkAssignee(tx, row, fields)
}

func recurrenceProblems(row store.Schedule, loc *time.Location) map[string]string {
	_, problems := recurrence(row.RRule, row.DTStart, loc)
	return problems
}

func checkRouteRef(tx *store.Tx, row store.Schedule, fields map[string]string) error {
	if row.RouteID == nil || !input.IsUUID(*row.RouteID) {
		fields["/route_id"] = "required for a round schedule: a route id"
		return nil
	}
	route, err := tx.Route(*row.RouteID)
	if errs.Is(err, errs.NotFound) || (err == nil && (route.SiteID != row.SiteID || !route.Active)) {
		fields["/route_id"] = "must be an active route of the same site"
		return nil
	}
	return err
}

func checkAssignee(tx *store.Tx, row store.Schedule, fields map[string]string) error {
	if row.AssigneeID == nil {
		return nil
	}
	user, err := tx.User(*row.AssigneeID)
	if !input.IsUUID(*row.AssigneeID) || errs.Is(err, errs.NotFound) || (err == nil && (!user.Active ||
		(user.Role != principal.Admin && !slices.Contains(user.SiteIDs, row.SiteID)))) {
		fields["/assignee_id"] = "must be an active user who works at the site, or absent for the site's pool"
		return nil
	}
	return err
}

// CreateSchedule adds a recurring duty.
func (s *Service) CreateSchedule(ctx context.Context, in ScheduleInput) (Schedule, error) {
	const op = "rounds.CreateSchedule"
	fields := map[string]string{}
	row := store.Schedule{ID: in.ID, SiteID: in.SiteID, Kind: in.Kind, Name: in.Name, RouteID: in.RouteID,
		TemplateID: in.TemplateID, RRule: strings.TrimPrefix(strings.TrimSpace(in.RRule), "RRULE:"), DTStart: in.DTStart,
		ToleranceSeconds: in.ToleranceMinutes * 60, AssigneeID: in.AssigneeID, Active: true}
	if row.ID == "" {
		row.ID = uuid.Must(uuid.NewV7()).String()
	} else if !input.IsUUID(row.ID) {
		fields["/id"] = "must be a UUID"
	}
	if row.Kind == KindRound {
		row.TemplateID = nil
	} else {
		row.RouteID = nil
	}
	var loc *time.Location
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := addSchedule(tx, &row, fields); err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		loc = siteZone(tx, row.SiteID)
		return nil
	})
	if errs.Is(err, errs.Conflict) {
		return Schedule{}, errs.E(op, errs.Conflict, "a schedule with this id already exists", err)
	}
	if err != nil {
		return Schedule{}, errs.Wrap(op, err)
	}
	return s.scheduleView(row, loc, time.Now()), nil
}

// Schedule reads a schedule at one of the caller's sites.
func (s *Service) Schedule(ctx context.Context, id string) (Schedule, error) {
	const op = "rounds.Schedule"
	p, _ := principal.From(ctx)
	tx := s.db.Read(ctx)
	row, err := tx.Schedule(id)
	if err == nil && !canSeeSite(p, row.SiteID) {
		err = errs.E(op, errs.NotFound, "not found")
	}
	if err != nil {
		return Schedule{}, errs.Wrap(op, err)
	}
	return s.scheduleView(row, siteZone(tx, row.SiteID), time.Now()), nil
}

// ListSchedules lists schedules at the caller's sites.
func (s *Service) ListSchedules(ctx context.Context, siteID string, active *bool, page store.Page) ([]Schedule, string, error) {
	p, _ := principal.From(ctx)
	sites, ok := siteScope(p, siteID)
	if !ok {
		return []Schedule{}, "", nil
	}
	tx := s.db.Read(ctx)
	rows, next, err := tx.ListSchedules(store.SiteFilterOf{SiteIDs: sites, Active: active}, page)
	out := make([]Schedule, len(rows))
	zones := map[string]*time.Location{}
	for i, r := range rows {
		if zones[r.SiteID] == nil {
			zones[r.SiteID] = siteZone(tx, r.SiteID)
		}
		out[i] = s.scheduleView(r, zones[r.SiteID], time.Now())
	}
	return out, next, errs.Wrap("rounds.ListSchedules", err)
}

// UpdateSchedule applies a patch. Rounds already materialised stay as
// they are; new slots follow the new rule.
func (s *Service) UpdateSchedule(ctx context.Context, id string, patch SchedulePatch) (Schedule, error) {
	const op = "rounds.UpdateSchedule"
	var row store.Schedule
	var loc *time.Location
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if row, err = tx.Schedule(id); err != nil {
			return err
		}
		expected := row.Version
		set(&expected, patch.Version)
		set(&row.Name, patch.Name)
		set(&row.RRule, patch.RRule)
		set(&row.DTStart, patch.DTStart)
		set(&row.Active, patch.Active)
		if patch.ToleranceMinutes != nil {
			row.ToleranceSeconds = *patch.ToleranceMinutes * 60
		}
		if patch.AssigneeID != nil {
			row.AssigneeID = patch.AssigneeID
			if *patch.AssigneeID == "" {
				row.AssigneeID = nil
			}
		}
		row.RRule = strings.TrimPrefix(strings.TrimSpace(row.RRule), "RRULE:")
		fields := map[string]string{}
		if loc, err = checkSchedule(tx, row, fields); err != nil {
			return err
		}
		if len(fields) > 0 && row.Active {
			return errs.Fields(op, fields)
		}
		return tx.UpdateSchedule(&row, expected)
	})
	if err != nil {
		return Schedule{}, errs.Wrap(op, err)
	}
	return s.scheduleView(row, loc, time.Now()), nil
}

func siteZone(tx *store.Tx, siteID string) *time.Location {
	site, err := tx.Site(siteID)
	if err != nil {
		return time.UTC
	}
	loc, err := time.LoadLocation(site.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}
