package rounds

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// DefaultSchedule is one of the organisation's stored day-one schedules
// (issue 16 item 6): a standard (see standards, which cite the seeds) that
// waits, disabled and without a site, until an administrator chooses a
// site; then it is enabled and names the schedule that runs there.
type DefaultSchedule struct {
	ID               string            `json:"id"`
	Key              string            `json:"key"`
	Name             map[string]string `json:"name"`
	TemplateID       *string           `json:"template_id"`
	RRule            string            `json:"rrule"`
	StartTime        string            `json:"start_time"`
	ToleranceMinutes int64             `json:"tolerance_minutes"`
	Source           string            `json:"source"`
	SiteID           *string           `json:"site_id"`
	ScheduleID       *string           `json:"schedule_id"`
	Enabled          bool              `json:"enabled"`
	Version          int64             `json:"version"`
}

// standardOf finds a standard by key.
func standardOf(key string) (Standard, bool) {
	for _, standard := range standards {
		if standard.Key == key {
			return standard, true
		}
	}
	return Standard{}, false
}

func defaultView(row store.DefaultSchedule) DefaultSchedule {
	standard, _ := standardOf(row.StandardKey)
	return DefaultSchedule{ID: row.ID, Key: row.StandardKey, Name: standard.Name, TemplateID: row.TemplateID,
		RRule: row.RRule, StartTime: row.StartTime, ToleranceMinutes: row.ToleranceSeconds / 60, Source: standard.Source,
		SiteID: row.SiteID, ScheduleID: row.ScheduleID, Enabled: row.Enabled, Version: row.Version}
}

// SeedDefaults stores the standard schedules, disabled and without a site,
// in the organisation acting in ctx (an org.Seeder: it runs in the
// transaction creating the organisation, after the checklist library, and
// again on `patrolsync seed`, adding only standards the organisation has
// no row of).
func SeedDefaults(_ context.Context, tx *store.Tx) error {
	const op = "rounds.SeedDefaults"
	rows, err := tx.DefaultSchedules()
	if err != nil {
		return errs.E(op, err)
	}
	have := map[string]bool{}
	for _, row := range rows {
		have[row.StandardKey] = true
	}
	for _, standard := range standards {
		if have[standard.Key] {
			continue
		}
		row := store.DefaultSchedule{ID: uuid.Must(uuid.NewV7()).String(), StandardKey: standard.Key, RRule: standard.RRule,
			StartTime: standard.StartTime, ToleranceSeconds: standard.ToleranceMinutes * 60}
		if template, err := tx.TemplateByKey(standard.TemplateKey); err == nil {
			row.TemplateID = &template.ID
		} else if !errs.Is(err, errs.NotFound) {
			return errs.E(op, err)
		}
		if err := tx.AddDefaultSchedule(&row); err != nil {
			return errs.E(op, err)
		}
	}
	return nil
}

// DefaultSchedules lists the stored defaults: the waiting ones, and those
// enabled at the caller's sites.
func (s *Service) DefaultSchedules(ctx context.Context) ([]DefaultSchedule, error) {
	p, _ := principal.From(ctx)
	rows, err := s.db.Read(ctx).DefaultSchedules()
	if err != nil {
		return nil, errs.Wrap("rounds.DefaultSchedules", err)
	}
	out := []DefaultSchedule{}
	for _, row := range rows {
		if row.SiteID == nil || canSeeSite(p, *row.SiteID) {
			out = append(out, defaultView(row))
		}
	}
	return out, nil
}

// EnableDefault chooses a site for a standard schedule: it makes the
// schedule there through the one schedule write path (addSchedule), and
// enables the waiting default with it, or adds a row for a further site.
// Choosing a site it already runs at answers that row (created false).
func (s *Service) EnableDefault(ctx context.Context, key, siteID string) (DefaultSchedule, bool, error) {
	const op = "rounds.EnableDefault"
	standard, ok := standardOf(key)
	if !ok {
		return DefaultSchedule{}, false, errs.E(op, errs.NotFound, "no such standard schedule")
	}
	if !input.IsUUID(siteID) {
		return DefaultSchedule{}, false, errs.Fields(op, map[string]string{"/site_id": "required: an active site"})
	}
	var out store.DefaultSchedule
	created := false
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.DefaultSchedules()
		if err != nil {
			return err
		}
		var waiting *store.DefaultSchedule
		for i, row := range rows {
			switch {
			case row.StandardKey != key:
			case row.SiteID == nil:
				waiting = &rows[i]
			case *row.SiteID == siteID:
				out = row
				return nil
			}
		}
		out = store.DefaultSchedule{ID: uuid.Must(uuid.NewV7()).String(), StandardKey: key, RRule: standard.RRule,
			StartTime: standard.StartTime, ToleranceSeconds: standard.ToleranceMinutes * 60}
		if waiting != nil {
			out = *waiting
		}
		if out.TemplateID == nil { // the library may have come after the default
			if template, err := tx.TemplateByKey(standard.TemplateKey); err == nil {
				out.TemplateID = &template.ID
			}
		}
		if err := refuseDuplicate(tx, rows, out, siteID); err != nil {
			return err
		}
		schedule := store.Schedule{ID: uuid.Must(uuid.NewV7()).String(), SiteID: siteID, Kind: KindInspection,
			Name: standard.Name["zh-CN"], TemplateID: out.TemplateID, RRule: out.RRule,
			DTStart:          tx.Now.In(siteZone(tx, siteID)).Format("2006-01-02") + "T" + out.StartTime + ":00",
			ToleranceSeconds: out.ToleranceSeconds, Active: true}
		fields := map[string]string{}
		if err := addSchedule(tx, &schedule, fields); err != nil {
			return err
		}
		if len(fields) > 0 {
			if fields["/template_id"] != "" {
				fields["/template_id"] = "the organisation has no " + standard.TemplateKey + " checklist: seed the library first"
			}
			return errs.Fields(op, fields)
		}
		out.SiteID, out.ScheduleID, out.Enabled, created = &siteID, &schedule.ID, true, true
		if waiting != nil {
			err = tx.EnableDefaultSchedule(&out, waiting.Version)
		} else {
			err = tx.AddDefaultSchedule(&out)
		}
		if err != nil {
			return err
		}
		audit.Append(tx, "default_schedule.enabled", "default_schedule", out.ID, map[string]any{"standard_key": key,
			"site_id": siteID, "schedule_id": schedule.ID})
		return nil
	})
	if err != nil {
		return DefaultSchedule{}, false, errs.Wrap(op, err)
	}
	return defaultView(out), created, nil
}

// refuseDuplicate answers Conflict, naming the schedule, when the site
// already runs an equivalent hand-made schedule of the default's template:
// active, same checklist, same recurrence whatever the time of day
// (sameRecurrence). A second one would ask the guards for every check
// twice. Schedules the defaults made are not hand-made; they are rows.
func refuseDuplicate(tx *store.Tx, defaults []store.DefaultSchedule, row store.DefaultSchedule, siteID string) error {
	if row.TemplateID == nil {
		return nil
	}
	made := map[string]bool{}
	for _, d := range defaults {
		if d.ScheduleID != nil {
			made[*d.ScheduleID] = true
		}
	}
	active := true
	for page := (store.Page{Limit: 500}); ; {
		schedules, next, err := tx.ListSchedules(store.SiteFilterOf{SiteIDs: []string{siteID}, Active: &active}, page)
		if err != nil {
			return err
		}
		for _, schedule := range schedules {
			if schedule.TemplateID != nil && *schedule.TemplateID == *row.TemplateID && !made[schedule.ID] &&
				sameRecurrence(schedule.RRule, row.RRule) {
				return errs.E("rounds.EnableDefault", errs.Conflict, fmt.Sprintf(
					"the site already runs schedule %q (%s) with this checklist on the same recurrence: "+
						"keep that one, or deactivate it before enabling the default", schedule.Name, schedule.ID))
			}
		}
		if next == "" {
			return nil
		}
		page.After = next
	}
}

// sameRecurrence compares two RFC 5545 rules by when they fall, ignoring
// the time of day (BYHOUR, BYMINUTE, BYSECOND) and part order: a daily
// check at 08:00 duplicates one at 08:30, a June drill does not duplicate
// the quarterly one.
func sameRecurrence(a, b string) bool {
	return recurrenceShape(a) == recurrenceShape(b)
}

func recurrenceShape(rule string) string {
	var parts []string
	interval := "INTERVAL=1"
	for _, part := range strings.Split(strings.ToUpper(strings.TrimPrefix(strings.TrimSpace(rule), "RRULE:")), ";") {
		part = strings.TrimSpace(part)
		name, _, _ := strings.Cut(part, "=")
		switch name {
		case "", "BYHOUR", "BYMINUTE", "BYSECOND", "WKST":
		case "INTERVAL":
			interval = part
		default:
			parts = append(parts, part)
		}
	}
	parts = append(parts, interval)
	slices.Sort(parts)
	return strings.Join(parts, ";")
}

// addSchedule is the one write path of a new schedule (POST /v1/schedules
// and a default schedule's site): every problem into fields, or stored.
func addSchedule(tx *store.Tx, row *store.Schedule, fields map[string]string) error {
	if _, err := checkSchedule(tx, *row, fields); err != nil || len(fields) > 0 {
		return err
	}
	return tx.CreateSchedule(row)
}
