package duties

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Training is a training session with its signed attendance (004: at
// least one security-skills training a month; the record: topic, trainer,
// attendees, signatures, test result).
type Training struct {
	ID         string       `json:"id"`
	SiteID     *string      `json:"site_id"`
	Topic      string       `json:"topic"`
	Trainer    string       `json:"trainer"`
	Place      string       `json:"place"`
	Content    string       `json:"content"`
	StartsAt   time.Time    `json:"starts_at"`
	EndsAt     time.Time    `json:"ends_at"`
	Attendance []Attendance `json:"attendance"`
	Version    int64        `json:"version"`
}

// Attendance is one person's signed attendance and result.
type Attendance struct {
	UserID     string          `json:"user_id"`
	UserName   string          `json:"user_name"`
	Strokes    json.RawMessage `json:"strokes"`
	SignedInAt time.Time       `json:"signed_in_at"`
	Result     *string         `json:"result"`
	Score      *float64        `json:"score"`
}

// TrainingInput schedules a training session.
type TrainingInput struct {
	ID       string  `json:"id"`
	SiteID   *string `json:"site_id"`
	Topic    string  `json:"topic"`
	Trainer  string  `json:"trainer"`
	Place    string  `json:"place"`
	Content  string  `json:"content"`
	StartsAt string  `json:"starts_at"`
	EndsAt   string  `json:"ends_at"`
}

// TrainingPatch edits a session's details: the fields given change, the
// rest stay. Version is the one the editor read (required).
type TrainingPatch struct {
	Topic    *string `json:"topic"`
	Trainer  *string `json:"trainer"`
	Place    *string `json:"place"`
	Content  *string `json:"content"`
	StartsAt *string `json:"starts_at"`
	EndsAt   *string `json:"ends_at"`
	Version  *int64  `json:"version"`
}

// signInEarly and signInLate bound when attendance can be signed: from an
// hour before the start to an hour after the end.
const signInEarly, signInLate = time.Hour, time.Hour

// AddTraining schedules a session for a site or (site_id null, admins)
// the whole organisation.
func (s *Service) AddTraining(ctx context.Context, in TrainingInput) (Training, error) {
	const op = "duties.AddTraining"
	p := withPrincipal(ctx)
	problems := Problems{}
	row := store.TrainingSession{ID: newID(in.ID, "/id", problems), SiteID: in.SiteID, CreatedBy: p.UserID}
	row.Topic = checkText(in.Topic, "/topic", 200, true, problems)
	row.Trainer = checkText(in.Trainer, "/trainer", 100, true, problems)
	row.Place = checkText(in.Place, "/place", 200, false, problems)
	row.Content = checkText(in.Content, "/content", 5000, false, problems)
	row.StartsAt = checkTime(in.StartsAt, "/starts_at", problems)
	row.EndsAt = checkTime(in.EndsAt, "/ends_at", problems)
	checkSpan(row, problems)
	var view Training
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if in.SiteID != nil {
			if _, err := requireSite(tx, p, *in.SiteID, "/site_id", problems); err != nil {
				return err
			}
		} else if !principal.OrgWide(p.Role) {
			problems["/site_id"] = "required: a site of yours (an organisation-wide training is an admin's)"
		}
		if len(problems) > 0 {
			return invalid(op, problems)
		}
		if err := tx.AddTraining(&row); err != nil {
			return err
		}
		audit.Append(tx, "training.scheduled", "training", row.ID, map[string]any{"site_id": row.SiteID, "topic": row.Topic,
			"starts_at": row.StartsAt})
		var err error
		view, err = trainingRecord(tx, row)
		return err
	})
	if errs.Is(err, errs.Conflict) {
		return Training{}, errs.E(op, errs.Conflict, "a training with this id already exists", err)
	}
	return view, errs.Wrap(op, err)
}

// checkSpan: a session ends after it starts, within a day.
func checkSpan(row store.TrainingSession, problems Problems) {
	if !row.StartsAt.IsZero() && !row.EndsAt.IsZero() && (!row.EndsAt.After(row.StartsAt) || row.EndsAt.Sub(row.StartsAt) > 24*time.Hour) {
		problems["/ends_at"] = "after starts_at, at most 24 hours after it"
	}
}

// UpdateTraining edits a session's topic, trainer, place, content and
// time, compare-and-set on the version the editor read, audited with what
// changed; phones get the new sheet. Once someone has signed the
// attendance sheet the time stays: the signatures attest to that session.
func (s *Service) UpdateTraining(ctx context.Context, id string, in TrainingPatch) (Training, error) {
	const op = "duties.UpdateTraining"
	p := withPrincipal(ctx)
	problems := Problems{}
	if in.Version == nil {
		problems["/version"] = "required: the version you read"
	}
	var view Training
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		row, err := tx.Training(id)
		if err == nil && (row.SiteID != nil && !mayWorkAt(p, *row.SiteID) || row.SiteID == nil && !principal.OrgWide(p.Role)) {
			err = errs.E(op, errs.NotFound, "not found")
		}
		if err != nil {
			return err
		}
		before := row
		if in.Topic != nil {
			row.Topic = checkText(*in.Topic, "/topic", 200, true, problems)
		}
		if in.Trainer != nil {
			row.Trainer = checkText(*in.Trainer, "/trainer", 100, true, problems)
		}
		if in.Place != nil {
			row.Place = checkText(*in.Place, "/place", 200, false, problems)
		}
		if in.Content != nil {
			row.Content = checkText(*in.Content, "/content", 5000, false, problems)
		}
		if in.StartsAt != nil {
			row.StartsAt = checkTime(*in.StartsAt, "/starts_at", problems)
		}
		if in.EndsAt != nil {
			row.EndsAt = checkTime(*in.EndsAt, "/ends_at", problems)
		}
		checkSpan(row, problems)
		if !row.StartsAt.Equal(before.StartsAt) || !row.EndsAt.Equal(before.EndsAt) {
			attendance, err := tx.Attendance(id)
			if err != nil {
				return err
			}
			if len(attendance) > 0 {
				problems["/starts_at"] = "stays as it is: people have signed the attendance sheet for this time"
			}
		}
		if len(problems) > 0 {
			return invalid(op, problems)
		}
		if err := tx.UpdateTraining(&row, *in.Version); err != nil {
			return err
		}
		audit.Append(tx, "training.updated", "training", id, trainingChanges(before, row))
		view, err = trainingRecord(tx, row)
		return err
	})
	return view, errs.Wrap(op, err)
}

// trainingChanges is the audit entry of an edit: each changed field with
// what it was and what it is.
func trainingChanges(before, after store.TrainingSession) map[string]any {
	changes := map[string]any{}
	for _, field := range []struct {
		name      string
		was, now  any
		unchanged bool
	}{
		{"topic", before.Topic, after.Topic, before.Topic == after.Topic},
		{"trainer", before.Trainer, after.Trainer, before.Trainer == after.Trainer},
		{"place", before.Place, after.Place, before.Place == after.Place},
		{"content", before.Content, after.Content, before.Content == after.Content},
		{"starts_at", before.StartsAt, after.StartsAt, before.StartsAt.Equal(after.StartsAt)},
		{"ends_at", before.EndsAt, after.EndsAt, before.EndsAt.Equal(after.EndsAt)},
	} {
		if !field.unchanged {
			changes[field.name] = map[string]any{"from": field.was, "to": field.now}
		}
	}
	return changes
}

// AttendOutcome is what a sign-in did.
type AttendOutcome struct {
	Duplicate bool
	Problems  Problems
}

// Attend is the one write path of attendance (training.attend and POST
// /v1/trainings/{id}/attend): the signed-in person signs the sheet with a
// drawn signature, once, while the session runs (an hour either side).
func Attend(tx *store.Tx, p principal.Principal, sessionID string, in mutation.AttendTraining, prefix string) (AttendOutcome, error) {
	row, err := tx.Training(sessionID)
	switch {
	case errs.Is(err, errs.NotFound), err == nil && row.SiteID != nil && !mayWorkAt(p, *row.SiteID):
		return AttendOutcome{Problems: Problems{"/entity_id": "no such training"}}, nil
	case err != nil:
		return AttendOutcome{}, err
	case p.Role == principal.Auditor:
		return AttendOutcome{Problems: Problems{"/entity_id": "an auditor does not attend"}}, nil
	case tx.Now.Before(row.StartsAt.Add(-signInEarly)) || tx.Now.After(row.EndsAt.Add(signInLate)):
		return AttendOutcome{Problems: Problems{"/entity_id": "attendance is signed while the training runs (an hour either side)"}}, nil
	}
	attendance, err := tx.Attendance(sessionID)
	if err != nil {
		return AttendOutcome{}, err
	}
	for _, a := range attendance {
		if a.UserID == p.UserID {
			return AttendOutcome{Duplicate: true}, nil
		}
	}
	problems := Problems{}
	strokes := checkStrokes(in.Signature.Strokes, prefix+"/signature/strokes", problems)
	if len(problems) > 0 {
		return AttendOutcome{Problems: problems}, nil
	}
	a := store.TrainingAttendance{SessionID: sessionID, UserID: p.UserID, Strokes: strokes, SignedInAt: tx.Now, DeviceID: p.DeviceID}
	if err := tx.AddAttendance(&a); err != nil {
		return AttendOutcome{}, err // a concurrent twin: the push runs again and finds it
	}
	audit.Append(tx, "training.attended", "training", sessionID, map[string]any{"user_id": p.UserID, "device_id": p.DeviceID})
	_, err = trainingRecord(tx, row)
	return AttendOutcome{}, err
}

// AttendNow is the REST path of Attend.
func (s *Service) AttendNow(ctx context.Context, id string, in mutation.AttendTraining) (Training, error) {
	const op = "duties.Attend"
	p := withPrincipal(ctx)
	var outcome AttendOutcome
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		outcome, err = Attend(tx, p, id, in, "")
		return err
	})
	switch {
	case err != nil:
		return Training{}, errs.Wrap(op, err)
	case len(outcome.Problems) > 0:
		return Training{}, refused(op, outcome.Problems, "no such training", errs.Conflict)
	}
	return s.Training(ctx, id)
}

// ResultsInput records test results of attendees.
type ResultsInput struct {
	Results []Result `json:"results"`
}

// Result is one attendee's result: pass or fail, and a score (0–100).
type Result struct {
	UserID string   `json:"user_id"`
	Result string   `json:"result"`
	Score  *float64 `json:"score"`
}

// RecordResults records results of people who signed the attendance
// sheet (supervisors of the site, admins).
func (s *Service) RecordResults(ctx context.Context, id string, in ResultsInput) (Training, error) {
	const op = "duties.RecordResults"
	p := withPrincipal(ctx)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		row, err := tx.Training(id)
		if err == nil && row.SiteID != nil && !mayWorkAt(p, *row.SiteID) {
			err = errs.E(op, errs.NotFound, "not found")
		}
		if err != nil {
			return err
		}
		attendance, err := tx.Attendance(id)
		if err != nil {
			return err
		}
		attended := map[string]bool{}
		for _, a := range attendance {
			attended[a.UserID] = true
		}
		problems := Problems{}
		if len(in.Results) == 0 || len(in.Results) > 500 {
			problems["/results"] = "one to 500 results"
		}
		for i, r := range in.Results {
			at := "/results/" + strconv.Itoa(i)
			if !input.IsUUID(r.UserID) || !attended[r.UserID] {
				problems[at+"/user_id"] = "must be someone who signed the attendance sheet"
			}
			if r.Result != "pass" && r.Result != "fail" {
				problems[at+"/result"] = "must be pass or fail"
			}
			if r.Score != nil && (math.IsNaN(*r.Score) || *r.Score < 0 || *r.Score > 100) {
				problems[at+"/score"] = "between 0 and 100"
			}
		}
		if len(problems) > 0 {
			return invalid(op, problems)
		}
		for _, r := range in.Results {
			result := r.Result
			if err := tx.RecordResult(id, r.UserID, &result, r.Score, p.UserID); err != nil {
				return err
			}
		}
		audit.Append(tx, "training.results", "training", id, map[string]any{"results": in.Results})
		_, err = trainingRecord(tx, row)
		return err
	})
	if err != nil {
		return Training{}, errs.Wrap(op, err)
	}
	return s.Training(ctx, id)
}

// Training reads a session with its attendance.
func (s *Service) Training(ctx context.Context, id string) (Training, error) {
	const op = "duties.Training"
	p := withPrincipal(ctx)
	tx := s.db.Read(ctx)
	row, err := tx.Training(id)
	if err == nil && row.SiteID != nil && !mayWorkAt(p, *row.SiteID) {
		err = errs.E(op, errs.NotFound, "not found")
	}
	if err != nil {
		return Training{}, errs.Wrap(op, err)
	}
	view, err := trainingView(tx, row)
	return view, errs.Wrap(op, err)
}

// TrainingFilter narrows the trainings.
type TrainingFilter struct {
	SiteID string
	Range
}

// Trainings lists sessions starting in the range, newest first, with
// their attendance.
func (s *Service) Trainings(ctx context.Context, f TrainingFilter) ([]Training, error) {
	const op = "duties.Trainings"
	p := withPrincipal(ctx)
	r, err := rangeOf(f.Range, s.now())
	if err != nil {
		return nil, err
	}
	tx := s.db.Read(ctx)
	rows, err := tx.Trainings(store.DutyFilter{SiteIDs: siteFilter(p, f.SiteID), From: r.From, To: r.To})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	out, err := viewsOf(rows, func(row store.TrainingSession) (Training, error) { return trainingView(tx, row) })
	return out, errs.Wrap(op, err)
}

func trainingView(tx *store.Tx, r store.TrainingSession) (Training, error) {
	attendance, err := tx.Attendance(r.ID)
	if err != nil {
		return Training{}, err
	}
	ids := make([]string, len(attendance))
	for i, a := range attendance {
		ids[i] = a.UserID
	}
	who, err := names(tx, ids...)
	if err != nil {
		return Training{}, err
	}
	view := Training{ID: r.ID, SiteID: r.SiteID, Topic: r.Topic, Trainer: r.Trainer, Place: r.Place, Content: r.Content,
		StartsAt: r.StartsAt.UTC(),
		EndsAt:   r.EndsAt.UTC(), Attendance: make([]Attendance, len(attendance)), Version: r.Version}
	for i, a := range attendance {
		view.Attendance[i] = Attendance{UserID: a.UserID, UserName: who[a.UserID], Strokes: a.Strokes,
			SignedInAt: a.SignedInAt.UTC(), Result: a.Result, Score: a.Score}
	}
	return view, nil
}

// trainingRecord sends the session to its site's people (or everyone's,
// for an organisation-wide one) so phones can sign in offline.
func trainingRecord(tx *store.Tx, r store.TrainingSession) (Training, error) {
	view, err := trainingView(tx, r)
	if err != nil {
		return view, err
	}
	// The change log orders by the record's version: every write to the
	// session or its sheet is a new entry, numbered by the sheet's size.
	version := r.Version + int64(len(view.Attendance))
	for _, a := range view.Attendance {
		if a.Result != nil {
			version++
		}
	}
	// Phones need who signed, not everyone's signature.
	sheet := view
	sheet.Attendance = make([]Attendance, len(view.Attendance))
	for i, a := range view.Attendance {
		a.Strokes = nil
		sheet.Attendance[i] = a
	}
	c := store.Change{Audience: store.AudienceOrg, Fresh: version == 1}
	if r.SiteID != nil {
		c.Audience, c.SiteID = store.AudienceSite, r.SiteID
	}
	return view, record(tx, "training", r.ID, version, sheet, c)
}
