package duties

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Defaults of the duty settings.
const (
	// DefaultCutoff: the daily safety information is reported "每日上午11时前"
	// (001 第7篇 二, L134).
	DefaultCutoff = "11:00"
	// DefaultConfirmMinutes: no seed gives a time for the incoming guard
	// to confirm; half an hour flags a handover left unsigned.
	DefaultConfirmMinutes = 30
)

// Settings are the organisation's duty settings.
type Settings struct {
	// DailyReportCutoff is the local time ("HH:MM", in each site's time
	// zone) by which a site's daily safety report is due.
	DailyReportCutoff string `json:"daily_report_cutoff"`
	// HandoverConfirmMinutes is how long a handover may wait for the
	// incoming signature before it is flagged unconfirmed.
	HandoverConfirmMinutes int `json:"handover_confirm_minutes"`
	// SiteCutoffs are sites' own cut-offs ("HH:MM", site id → time) where
	// they differ from DailyReportCutoff; a PUT replaces them all.
	SiteCutoffs map[string]string `json:"site_cutoffs"`
}

// cutoffFor is the cut-off of a site's daily report: its own, else the
// organisation's.
func (s Settings) cutoffFor(siteID string) string {
	if cutoff, ok := s.SiteCutoffs[siteID]; ok {
		return cutoff
	}
	return s.DailyReportCutoff
}

// clockTime reports whether value is a local time HH:MM.
func clockTime(value string) bool {
	_, err := time.Parse("15:04", value)
	return err == nil && len(value) == 5
}

func settingsOf(tx *store.Tx) (Settings, error) {
	cutoffs, err := tx.SiteCutoffs()
	if err != nil {
		return Settings{}, err
	}
	row, err := tx.DutySettingsOf()
	switch {
	case errs.Is(err, errs.NotFound):
		return Settings{DailyReportCutoff: DefaultCutoff, HandoverConfirmMinutes: DefaultConfirmMinutes, SiteCutoffs: cutoffs}, nil
	case err != nil:
		return Settings{}, err
	}
	return Settings{DailyReportCutoff: row.DailyReportCutoff, HandoverConfirmMinutes: row.HandoverConfirmMins, SiteCutoffs: cutoffs}, nil
}

// Settings reads the duty settings.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	out, err := settingsOf(s.db.Read(ctx))
	return out, errs.Wrap("duties.Settings", err)
}

// PutSettings replaces the duty settings (admins).
func (s *Service) PutSettings(ctx context.Context, in Settings) (Settings, error) {
	const op = "duties.PutSettings"
	problems := Problems{}
	if !clockTime(in.DailyReportCutoff) {
		problems["/daily_report_cutoff"] = "a local time HH:MM"
	}
	if len(in.SiteCutoffs) > 5000 {
		problems["/site_cutoffs"] = "at most 5000 sites"
	}
	if in.SiteCutoffs == nil {
		in.SiteCutoffs = map[string]string{}
	}
	if in.HandoverConfirmMinutes < 1 || in.HandoverConfirmMinutes > 24*60 {
		problems["/handover_confirm_minutes"] = "between 1 and 1440"
	}
	clean := map[string]string{} // by the sites' ids as stored
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		for siteID, cutoff := range in.SiteCutoffs {
			pointer := "/site_cutoffs/" + siteID
			site, err := tx.Site(siteID)
			switch {
			case !input.IsUUID(siteID) || errs.Is(err, errs.NotFound):
				problems[pointer] = "must be a site of the organisation"
			case err != nil:
				return err
			case !clockTime(cutoff):
				problems[pointer] = "a local time HH:MM"
			default:
				clean[site.ID] = cutoff
			}
		}
		in.SiteCutoffs = clean
		if len(problems) > 0 {
			return invalid(op, problems)
		}
		row := store.DutySettings{DailyReportCutoff: in.DailyReportCutoff, HandoverConfirmMins: in.HandoverConfirmMinutes}
		if err := tx.PutDutySettings(&row); err != nil {
			return err
		}
		if err := tx.PutSiteCutoffs(clean); err != nil {
			return err
		}
		audit.Append(tx, "duty_settings.changed", "org", tx.Now.Format("2006-01-02"), in)
		return nil
	})
	return in, errs.Wrap(op, err)
}

// ReportBody is what a daily safety report says, after 001 第7篇 一: the
// day's incidents and anomalies, safety hazards found, the state of
// buildings, equipment and facilities, anything else.
type ReportBody struct {
	Incidents string `json:"incidents"`
	Hazards   string `json:"hazards"`
	Equipment string `json:"equipment"`
	Other     string `json:"other"`
}

// DailyReportInput is a site's report for a day.
type DailyReportInput struct {
	SiteID   string     `json:"site_id"`
	Day      string     `json:"day"` // YYYY-MM-DD, the site's local day
	AllClear bool       `json:"all_clear"`
	Body     ReportBody `json:"body"`
}

// DailyReport is a submitted report.
type DailyReport struct {
	ID           string     `json:"id"`
	SiteID       string     `json:"site_id"`
	Day          string     `json:"day"`
	ReporterID   string     `json:"reporter_id"`
	ReporterName string     `json:"reporter_name"`
	AllClear     bool       `json:"all_clear"`
	Body         ReportBody `json:"body"`
	DueAt        time.Time  `json:"due_at"`
	SubmittedAt  time.Time  `json:"submitted_at"`
	Late         bool       `json:"late"`
}

// dueAt is when a site's report for day is due: the cut-off on that day,
// in the site's time zone.
func dueAt(day, cutoff, timezone string) (time.Time, error) {
	zone, err := time.LoadLocation(timezone)
	if err != nil {
		return time.Time{}, errs.E("duties.dueAt", errs.Internal, err)
	}
	at, err := time.ParseInLocation("2006-01-02 15:04", day+" "+cutoff, zone)
	if err != nil {
		return time.Time{}, errs.E("duties.dueAt", errs.Internal, err)
	}
	return at.UTC(), nil
}

// today is the site's local date at now.
func today(now time.Time, timezone string) string {
	zone, err := time.LoadLocation(timezone)
	if err != nil {
		zone = time.UTC
	}
	return now.In(zone).Format("2006-01-02")
}

// SubmitDailyReport files a site's report for a day (supervisors of the
// site, admins). One per site and day; one sent after the cut-off is kept
// and marked late (001 第7篇 五(二): late or concealed reports are
// penalised, so lateness is recorded, never hidden). A day still to come
// cannot be reported.
func (s *Service) SubmitDailyReport(ctx context.Context, in DailyReportInput) (DailyReport, error) {
	const op = "duties.SubmitDailyReport"
	p := withPrincipal(ctx)
	now := s.now()
	problems := Problems{}
	body := ReportBody{
		Incidents: checkText(in.Body.Incidents, "/body/incidents", 4000, false, problems),
		Hazards:   checkText(in.Body.Hazards, "/body/hazards", 4000, false, problems),
		Equipment: checkText(in.Body.Equipment, "/body/equipment", 4000, false, problems),
		Other:     checkText(in.Body.Other, "/body/other", 4000, false, problems),
	}
	if !in.AllClear && body == (ReportBody{}) {
		problems["/body"] = "say what happened, or report all clear"
	}
	if _, err := time.Parse("2006-01-02", in.Day); err != nil {
		problems["/day"] = "a date YYYY-MM-DD"
	}
	var view DailyReport
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		site, err := requireSite(tx, p, in.SiteID, "/site_id", problems)
		if err != nil {
			return err
		}
		if problems["/day"] == "" && problems["/site_id"] == "" && in.Day > today(now, site.Timezone) {
			problems["/day"] = "a day that has begun at the site"
		}
		if len(problems) > 0 {
			return invalid(op, problems)
		}
		settings, err := settingsOf(tx)
		if err != nil {
			return err
		}
		due, err := dueAt(in.Day, settings.cutoffFor(site.ID), site.Timezone)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(body)
		row := store.DailySafetyReport{ID: uuid.Must(uuid.NewV7()).String(), SiteID: site.ID, Day: in.Day, ReporterID: p.UserID,
			AllClear: in.AllClear, Body: raw, DueAt: due, SubmittedAt: now, Late: now.After(due)}
		if err := tx.AddDailyReport(&row); err != nil {
			if errs.Is(err, errs.Conflict) {
				return errs.E(op, errs.Conflict, "this site has reported for this day already", err)
			}
			return err
		}
		audit.Append(tx, "daily_report.submitted", "daily_safety_report", row.ID, map[string]any{"site_id": row.SiteID,
			"day": row.Day, "late": row.Late, "all_clear": row.AllClear})
		who, err := names(tx, p.UserID)
		view = toDailyReport(row, who[p.UserID])
		return err
	})
	return view, errs.Wrap(op, err)
}

func toDailyReport(r store.DailySafetyReport, name string) DailyReport {
	var body ReportBody
	_ = json.Unmarshal(r.Body, &body) // written by SubmitDailyReport from a ReportBody
	return DailyReport{ID: r.ID, SiteID: r.SiteID, Day: r.Day, ReporterID: r.ReporterID, ReporterName: name, AllClear: r.AllClear,
		Body: body, DueAt: r.DueAt.UTC(), SubmittedAt: r.SubmittedAt.UTC(), Late: r.Late}
}

// DayStatus is one site's daily report for a day, or its absence.
type DayStatus struct {
	SiteID   string    `json:"site_id"`
	SiteName string    `json:"site_name"`
	Day      string    `json:"day"`
	DueAt    time.Time `json:"due_at"`
	// Status: on_time, late (sent after the cut-off), pending (not sent,
	// not yet due) or overdue (not sent and past the cut-off).
	Status string       `json:"status"`
	Report *DailyReport `json:"report"`
}

// DayFilter picks the day (each site's local today when empty) and a site.
type DayFilter struct {
	Day    string
	SiteID string
}

// DailyReports lists, for every active site the caller oversees, its
// report for the day and whether it came in time.
func (s *Service) DailyReports(ctx context.Context, f DayFilter) ([]DayStatus, error) {
	const op = "duties.DailyReports"
	p := withPrincipal(ctx)
	if f.Day != "" {
		if _, err := time.Parse("2006-01-02", f.Day); err != nil {
			return nil, errs.Fields(op, map[string]string{"/day": "a date YYYY-MM-DD"})
		}
	}
	now := s.now()
	tx := s.db.Read(ctx)
	settings, err := settingsOf(tx)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	active := true
	visible := siteFilter(p, f.SiteID)
	sites, _, err := tx.ListSites(store.SiteFilter{Active: &active, IDs: visible}, store.Page{Limit: 500})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	out := []DayStatus{}
	for _, site := range sites {
		day := f.Day
		if day == "" {
			day = today(now, site.Timezone)
		}
		due, err := dueAt(day, settings.cutoffFor(site.ID), site.Timezone)
		if err != nil {
			return nil, errs.Wrap(op, err)
		}
		status := DayStatus{SiteID: site.ID, SiteName: site.Name, Day: day, DueAt: due, Status: "pending"}
		if now.After(due) {
			status.Status = "overdue"
		}
		reports, err := tx.DailyReports([]string{site.ID}, day, day)
		if err != nil {
			return nil, errs.Wrap(op, err)
		}
		if len(reports) > 0 {
			who, err := names(tx, reports[0].ReporterID)
			if err != nil {
				return nil, errs.Wrap(op, err)
			}
			report := toDailyReport(reports[0], who[reports[0].ReporterID])
			status.Report, status.Status = &report, "on_time"
			if report.Late {
				status.Status = "late"
			}
		}
		out = append(out, status)
	}
	return out, nil
}
