package duties

import (
	"context"
	"time"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Shift is a line of the roster as clients see it.
type Shift struct {
	ID        string    `json:"id"`
	SiteID    string    `json:"site_id"`
	Post      string    `json:"post"`
	UserID    string    `json:"user_id"`
	UserName  string    `json:"user_name"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Note      string    `json:"note"`
	Cancelled bool      `json:"cancelled"`
	Version   int64     `json:"version"`
}

// ShiftInput puts a person on a post for a time (supervisors of the site,
// admins).
type ShiftInput struct {
	ID       string `json:"id"`
	SiteID   string `json:"site_id"`
	Post     string `json:"post"`
	UserID   string `json:"user_id"`
	StartsAt string `json:"starts_at"`
	EndsAt   string `json:"ends_at"`
	Note     string `json:"note"`
}

// maxShift is the longest shift: 24-hour duty (003 "24小时值班").
const maxShift = 24 * time.Hour

// AddShift puts a person on the roster. A person holds one post at a
// time: a shift that overlaps another of theirs is refused.
func (s *Service) AddShift(ctx context.Context, in ShiftInput) (Shift, error) {
	const op = "duties.AddShift"
	p := withPrincipal(ctx)
	problems := Problems{}
	row := store.DutyShift{ID: newID(in.ID, "/id", problems), SiteID: in.SiteID, UserID: in.UserID, CreatedBy: p.UserID}
	row.Post = checkText(in.Post, "/post", 100, true, problems)
	row.Note = checkText(in.Note, "/note", 500, false, problems)
	row.StartsAt = checkTime(in.StartsAt, "/starts_at", problems)
	row.EndsAt = checkTime(in.EndsAt, "/ends_at", problems)
	if !row.StartsAt.IsZero() && !row.EndsAt.IsZero() && (!row.EndsAt.After(row.StartsAt) || row.EndsAt.Sub(row.StartsAt) > maxShift) {
		problems["/ends_at"] = "after starts_at, at most 24 hours after it"
	}
	var view Shift
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := requireSite(tx, p, in.SiteID, "/site_id", problems); err != nil {
			return err
		}
		if _, err := requirePerson(tx, in.UserID, in.SiteID, "/user_id", problems); err != nil {
			return err
		}
		if len(problems) == 0 {
			overlapping, err := tx.OverlappingShifts(row.UserID, row.StartsAt, row.EndsAt)
			if err != nil {
				return err
			}
			if len(overlapping) > 0 {
				problems["/starts_at"] = "this person holds another post then (" + overlapping[0].Post + ", " +
					overlapping[0].StartsAt.UTC().Format(time.RFC3339) + ")"
			}
		}
		if len(problems) > 0 {
			return invalid(op, problems)
		}
		if err := tx.AddShift(&row); err != nil {
			return err
		}
		audit.Append(tx, "shift.added", "duty_shift", row.ID, map[string]any{"site_id": row.SiteID, "post": row.Post,
			"user_id": row.UserID, "starts_at": row.StartsAt, "ends_at": row.EndsAt})
		var err error
		view, err = shiftRecord(tx, row)
		return err
	})
	if errs.Is(err, errs.Conflict) {
		return Shift{}, errs.E(op, errs.Conflict, "a shift with this id already exists", err)
	}
	return view, errs.Wrap(op, err)
}

// CancelShiftInput cancels a shift at a version.
type CancelShiftInput struct {
	Version *int64 `json:"version"`
}

// CancelShift takes a shift off the roster; it stays listed, cancelled.
func (s *Service) CancelShift(ctx context.Context, id string, in CancelShiftInput) (Shift, error) {
	const op = "duties.CancelShift"
	p := withPrincipal(ctx)
	var view Shift
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		row, err := tx.Shift(id)
		if err == nil && !mayWorkAt(p, row.SiteID) {
			err = errs.E(op, errs.NotFound, "not found")
		}
		if err != nil {
			return err
		}
		expected := row.Version
		if in.Version != nil && *in.Version != expected {
			return errs.E(op, errs.Stale, "the shift changed: read it again")
		}
		if row.Cancelled {
			view, err = shiftView(tx, row)
			return err
		}
		if err := tx.CancelShift(&row, expected); err != nil {
			return err
		}
		audit.Append(tx, "shift.cancelled", "duty_shift", row.ID, map[string]any{"user_id": row.UserID})
		view, err = shiftRecord(tx, row)
		return err
	})
	return view, errs.Wrap(op, err)
}

// Shift reads one line of the roster.
func (s *Service) Shift(ctx context.Context, id string) (Shift, error) {
	const op = "duties.Shift"
	p := withPrincipal(ctx)
	tx := s.db.Read(ctx)
	row, err := tx.Shift(id)
	if err == nil && !mayWorkAt(p, row.SiteID) {
		err = errs.E(op, errs.NotFound, "not found")
	}
	if err != nil {
		return Shift{}, errs.Wrap(op, err)
	}
	view, err := shiftView(tx, row)
	return view, errs.Wrap(op, err)
}

// ShiftFilter narrows the roster.
type ShiftFilter struct {
	SiteID string
	UserID string
	Mine   bool // only the caller's shifts
	Range
}

// Shifts lists the roster lines overlapping the range (a week to
// tomorrow by default), by start; guards see their sites' roster.
func (s *Service) Shifts(ctx context.Context, f ShiftFilter) ([]Shift, error) {
	const op = "duties.Shifts"
	p := withPrincipal(ctx)
	r, err := rangeOf(f.Range, s.now())
	if err != nil {
		return nil, err
	}
	filter := store.DutyFilter{SiteIDs: siteFilter(p, f.SiteID), UserID: f.UserID, From: r.From, To: r.To}
	if f.Mine {
		filter.UserID = p.UserID
	}
	tx := s.db.Read(ctx)
	rows, err := tx.Shifts(filter)
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
	out := make([]Shift, len(rows))
	for i, r := range rows {
		out[i] = toShift(r, who[r.UserID])
	}
	return out, nil
}

func toShift(r store.DutyShift, name string) Shift {
	return Shift{ID: r.ID, SiteID: r.SiteID, Post: r.Post, UserID: r.UserID, UserName: name, StartsAt: r.StartsAt.UTC(),
		EndsAt: r.EndsAt.UTC(), Note: r.Note, Cancelled: r.Cancelled, Version: r.Version}
}

func shiftView(tx *store.Tx, r store.DutyShift) (Shift, error) {
	who, err := names(tx, r.UserID)
	return toShift(r, who[r.UserID]), err
}

// shiftRecord renders a shift and sends it to the person who holds it
// (and the site's supervisors), so their phone shows it offline.
func shiftRecord(tx *store.Tx, r store.DutyShift) (Shift, error) {
	view, err := shiftView(tx, r)
	if err != nil {
		return view, err
	}
	owner, site := r.UserID, r.SiteID
	return view, record(tx, "duty_shift", r.ID, r.Version, view, store.Change{Audience: store.AudienceOwner,
		SiteID: &site, OwnerID: &owner, Fresh: r.Version == 1})
}
