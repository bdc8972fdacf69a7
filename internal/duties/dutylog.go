package duties

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// LogKinds are the kinds of duty-log line: a routine note, an anomaly
// (reported at once, 003 巡逻岗位 "发现异常及时报告"), a visitor, an equipment
// state (the duty officer records symptoms and actions, 002 L821–827).
var LogKinds = []string{"routine", "anomaly", "visitor", "equipment", "other"}

// LogEntry is a line of the duty log as clients see it.
type LogEntry struct {
	ID         string    `json:"id"`
	SiteID     string    `json:"site_id"`
	UserID     string    `json:"user_id"`
	UserName   string    `json:"user_name"`
	ShiftID    *string   `json:"shift_id"`
	Kind       string    `json:"kind"`
	Text       string    `json:"text"`
	OccurredAt time.Time `json:"occurred_at"`
	CreatedAt  time.Time `json:"created_at"`
}

// LogOutcome is what a duty-log write did.
type LogOutcome struct {
	Entry     store.DutyLogEntry
	Duplicate bool
	Problems  Problems
}

// WriteLog is the one write path of the duty log (duty_log.write and
// POST /v1/duty-log): the signed-in person writes a line at a site they
// work at. A line is never changed or deleted (001 第2篇 第十一条); a
// correction is a new line.
func WriteLog(tx *store.Tx, p principal.Principal, id string, in mutation.WriteDutyLog, prefix string) (LogOutcome, error) {
	existing, taken, err := tx.DutyLogEntriesByID([]string{id})
	if err != nil {
		return LogOutcome{}, err
	}
	if row, ok := existing[id]; ok && row.UserID == p.UserID {
		return LogOutcome{Entry: row, Duplicate: true}, nil
	}
	if len(taken) > 0 || len(existing) > 0 {
		return LogOutcome{Problems: Problems{"/entity_id": "this id is taken: make a new one"}}, nil
	}
	problems := Problems{}
	row := store.DutyLogEntry{ID: id, SiteID: in.SiteID, UserID: p.UserID, ShiftID: in.ShiftID, Kind: in.Kind, DeviceID: p.DeviceID}
	if _, err := requireSite(tx, p, in.SiteID, prefix+"/site_id", problems); err != nil {
		return LogOutcome{}, err
	}
	if !slices.Contains(LogKinds, in.Kind) {
		problems[prefix+"/kind"] = "must be one of " + strings.Join(LogKinds, ", ")
	}
	row.Body = checkText(in.Text, prefix+"/text", 4000, true, problems)
	row.OccurredAt = checkTime(in.OccurredAt, prefix+"/occurred_at", problems)
	if !row.OccurredAt.IsZero() && (row.OccurredAt.After(tx.Now.Add(10*time.Minute)) || row.OccurredAt.Before(tx.Now.Add(-7*24*time.Hour))) {
		problems[prefix+"/occurred_at"] = "within the last 7 days, not in the future"
	}
	if in.ShiftID != nil {
		shift, err := tx.Shift(*in.ShiftID)
		switch {
		case errs.Is(err, errs.NotFound), err == nil && (shift.UserID != p.UserID || shift.SiteID != in.SiteID):
			problems[prefix+"/shift_id"] = "must be a shift of yours at the site"
		case err != nil:
			return LogOutcome{}, err
		}
	}
	if len(problems) > 0 {
		return LogOutcome{Problems: problems}, nil
	}
	if err := tx.AddDutyLogEntry(&row); err != nil {
		return LogOutcome{}, err
	}
	audit.Append(tx, "duty_log.written", "duty_log_entry", row.ID, map[string]any{"site_id": row.SiteID, "kind": row.Kind,
		"device_id": p.DeviceID})
	view, err := logView(tx, row)
	if err != nil {
		return LogOutcome{}, err
	}
	owner, site := row.UserID, row.SiteID
	return LogOutcome{Entry: row}, record(tx, "duty_log_entry", row.ID, 1, view, store.Change{Audience: store.AudienceOwner,
		SiteID: &site, OwnerID: &owner, Fresh: true})
}

func logView(tx *store.Tx, r store.DutyLogEntry) (LogEntry, error) {
	who, err := names(tx, r.UserID)
	return toLogEntry(r, who[r.UserID]), err
}

func toLogEntry(r store.DutyLogEntry, name string) LogEntry {
	return LogEntry{ID: r.ID, SiteID: r.SiteID, UserID: r.UserID, UserName: name, ShiftID: r.ShiftID, Kind: r.Kind,
		Text: r.Body, OccurredAt: r.OccurredAt.UTC(), CreatedAt: r.CreatedAt.UTC()}
}

// Log is the REST path of WriteLog.
func (s *Service) Log(ctx context.Context, in mutation.WriteDutyLog) (LogEntry, error) {
	const op = "duties.Log"
	p := withPrincipal(ctx)
	problems := Problems{}
	id := newID(in.ID, "/id", problems)
	if len(problems) > 0 {
		return LogEntry{}, invalid(op, problems)
	}
	var view LogEntry
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		outcome, err := WriteLog(tx, p, id, in, "")
		switch {
		case err != nil:
			return err
		case len(outcome.Problems) > 0:
			return refused(op, outcome.Problems, "", errs.Conflict)
		}
		view, err = logView(tx, outcome.Entry)
		return err
	})
	return view, errs.Wrap(op, err)
}

// LogFilter narrows the duty log.
type LogFilter struct {
	SiteID string
	UserID string
	Range
}

// DutyLog lists the lines of the range, newest first: guards their own,
// supervisors their sites', admins and auditors all.
func (s *Service) DutyLog(ctx context.Context, f LogFilter) ([]LogEntry, error) {
	const op = "duties.DutyLog"
	p := withPrincipal(ctx)
	r, err := rangeOf(f.Range, s.now())
	if err != nil {
		return nil, err
	}
	filter := store.DutyFilter{SiteIDs: siteFilter(p, f.SiteID), UserID: f.UserID, From: r.From, To: r.To}
	if p.Role == principal.Guard {
		filter.UserID = p.UserID
	}
	tx := s.db.Read(ctx)
	rows, err := tx.DutyLog(filter)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.UserID
	}
	who, err := names(tx, ids...)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	out := make([]LogEntry, len(rows))
	for i, r := range rows {
		out[i] = toLogEntry(r, who[r.UserID])
	}
	return out, nil
}
