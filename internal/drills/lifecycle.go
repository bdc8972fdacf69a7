package drills

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/inspection"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// ScheduleInput schedules a year's drills of a cadence from a plan.
type ScheduleInput struct {
	// SiteID is the site the drills are held at: the plan's own site, or
	// any site when the plan is the organisation's.
	SiteID     *string `json:"site_id"`
	Cadence    string  `json:"cadence"`
	Year       int     `json:"year"`
	TemplateID *string `json:"template_id"` // default: the drill template of the library
}

// Schedule is the year's drills, those created now and those that were
// scheduled before (scheduling twice adds nothing).
type Schedule struct {
	Items []Drill `json:"items"`
}

// Schedule creates the drills of a year from plan planID (supervisors of
// the site, admins).
func (s *Service) Schedule(ctx context.Context, planID string, in ScheduleInput) (Schedule, error) {
	const op = "drills.Schedule"
	p, _ := principal.From(ctx)
	var ids []string
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		plan, err := tx.Plan(planID)
		if err == nil && plan.SiteID != nil && !canSee(p, *plan.SiteID) {
			err = errs.E(op, errs.NotFound, "not found")
		}
		if err != nil {
			return err
		}
		fields := map[string]string{}
		site, err := scheduleSite(tx, p, plan, in.SiteID, fields)
		if err != nil {
			return err
		}
		if !slices.Contains(Cadences, in.Cadence) {
			fields["/cadence"] = "must be one of " + strings.Join(Cadences, ", ")
		}
		if in.Year < 2000 || in.Year > 2100 {
			fields["/year"] = "must be a year from 2000 to 2100"
		}
		if !plan.Active {
			fields["/plan"] = "this plan has been withdrawn"
		}
		templateID, err := drillTemplate(tx, in.TemplateID, fields)
		if err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		loc, err := time.LoadLocation(site.Timezone)
		if err != nil {
			loc = time.UTC
		}
		for _, w := range Windows(in.Cadence, in.Year, loc) {
			existing, err := tx.DrillAt(plan.ID, site.ID, in.Cadence, w.Due)
			if err == nil {
				ids = append(ids, existing.ID)
				continue
			}
			if !errs.Is(err, errs.NotFound) {
				return err
			}
			row := store.Drill{ID: uuid.Must(uuid.NewV7()).String(), SiteID: site.ID, PlanID: plan.ID, TemplateID: templateID,
				Cadence: in.Cadence, OpensAt: w.Opens, DueAt: w.Due, Status: Scheduled, CreatedBy: p.UserID}
			if err := tx.CreateDrill(&row); err != nil {
				return err
			}
			audit.Append(tx, "drill.scheduled", "drill", row.ID, map[string]any{"plan_id": plan.ID, "site_id": site.ID,
				"cadence": in.Cadence, "due_at": w.Due})
			if err := record(tx, row); err != nil {
				return err
			}
			ids = append(ids, row.ID)
		}
		return nil
	})
	if errs.Is(err, errs.Conflict) {
		return Schedule{}, errs.E(op, errs.Stale, "the same drills were scheduled at the same moment: read them", err)
	}
	if err != nil {
		return Schedule{}, errs.Wrap(op, err)
	}
	out := Schedule{Items: []Drill{}}
	for _, id := range ids {
		view, err := s.Get(ctx, id)
		if err != nil {
			return Schedule{}, errs.Wrap(op, err)
		}
		out.Items = append(out.Items, view)
	}
	return out, nil
}

// scheduleSite is the site drills from plan are held at; a supervisor
// schedules only at their own sites.
func scheduleSite(tx *store.Tx, p principal.Principal, plan store.EmergencyPlan, siteID *string, fields map[string]string) (store.Site, error) {
	switch {
	case plan.SiteID != nil && siteID != nil && *siteID != *plan.SiteID:
		fields["/site_id"] = "the plan belongs to another site: leave site_id out or name the plan's site"
		return store.Site{}, nil
	case plan.SiteID != nil:
		siteID = plan.SiteID
	case siteID == nil:
		fields["/site_id"] = "required: the plan is the organisation's, so name the site that holds the drills"
		return store.Site{}, nil
	}
	if !input.IsUUID(*siteID) || !canSee(p, *siteID) {
		fields["/site_id"] = "must be an active site of yours"
		return store.Site{}, nil
	}
	site, err := tx.Site(*siteID)
	switch {
	case errs.Is(err, errs.NotFound), err == nil && !site.Active:
		fields["/site_id"] = "must be an active site of yours"
	case err != nil:
		return store.Site{}, err
	}
	return site, nil
}

// drillTemplate is the template drills are recorded with: the one named,
// or the library's drill template; it must be published and of the
// category drill.
func drillTemplate(tx *store.Tx, id *string, fields map[string]string) (string, error) {
	var row store.Template
	var err error
	if id != nil {
		if !input.IsUUID(*id) {
			fields["/template_id"] = "must be a template id"
			return "", nil
		}
		row, err = tx.Template(*id)
	} else {
		row, err = tx.TemplateByKey(TemplateKey)
	}
	switch {
	case errs.Is(err, errs.NotFound):
		fields["/template_id"] = "no such template: name a published drill template"
		return "", nil
	case err != nil:
		return "", err
	}
	versions, err := tx.LatestTemplateVersions([]string{row.ID})
	if err != nil {
		return "", err
	}
	if _, ok := versions[row.ID]; !ok || row.Category != "drill" {
		fields["/template_id"] = "must be a published template of the category drill"
	}
	return row.ID, nil
}

// RecordInput names the inspection that records a drill.
type RecordInput struct {
	InspectionID string `json:"inspection_id"`
}

// Record marks a drill held by a submitted inspection of its template at
// its site: the inspection any guard filled in on the phone, as any
// inspection. The drill keeps the inspection's score and outcome and the
// plan version in force when it was held.
func (s *Service) Record(ctx context.Context, id string, in RecordInput) (Drill, error) {
	const op = "drills.Record"
	p, _ := principal.From(ctx)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		fields := map[string]string{}
		// The drill first: an unknown or recorded drill answers 404/409
		// whatever the inspection.
		row, err := ownDrill(tx, p, id)
		if err != nil {
			return err
		}
		if row.Status != Scheduled {
			return errs.E(op, errs.Conflict, "this drill is recorded already")
		}
		held, err := loadHeld(tx, in.InspectionID, fields)
		if err != nil {
			return err
		}
		if len(fields) == 0 {
			if row, err = CheckHeld(tx, p, id, held, fields); err != nil {
				return err
			}
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		return MarkHeld(tx, p, row, held)
	})
	if err != nil {
		return Drill{}, errs.Wrap(op, err)
	}
	return s.Get(ctx, id)
}

// CheckHeld reads drill id, which p may act on, and checks that it is
// still scheduled and that inspection held may record it: the one rule of
// REST's record and of sync's inspection.submit with a drill_id (a drill
// recorded on the phone with the drill template). Problems go to fields
// under /inspection_id; a drill recorded already is a Conflict.
func CheckHeld(tx *store.Tx, p principal.Principal, id string, held store.Inspection, fields map[string]string) (store.Drill, error) {
	row, err := ownDrill(tx, p, id)
	if err != nil {
		return row, err
	}
	if row.Status != Scheduled {
		return row, errs.E("drills.CheckHeld", errs.Conflict, "this drill is recorded already")
	}
	return row, checkHeld(tx, row, held, fields)
}

// MarkHeld records drill row held by inspection held (checked by
// CheckHeld). The drill keeps the inspection's score and outcome and the
// plan version in force when it was held.
func MarkHeld(tx *store.Tx, p principal.Principal, row store.Drill, held store.Inspection) error {
	at := held.SubmittedAt
	if at == nil {
		at = held.ReceivedAt
	}
	version, err := versionAt(tx, row.PlanID, *at)
	if err != nil {
		return err
	}
	expected := row.Version
	row.Status, row.InspectionID, row.PlanVersion, row.HeldAt = Held, &held.ID, &version, at
	row.RecordedBy, row.Score, row.Outcome = &p.UserID, held.Score, held.Outcome
	if err := tx.UpdateDrill(&row, expected); err != nil {
		return err
	}
	audit.Append(tx, "drill.held", "drill", row.ID, map[string]any{"inspection_id": held.ID, "plan_version": version,
		"score": held.Score, "outcome": held.Outcome})
	return record(tx, row)
}

// loadHeld reads the inspection REST's record names.
func loadHeld(tx *store.Tx, inspectionID string, fields map[string]string) (store.Inspection, error) {
	if !input.IsUUID(inspectionID) {
		fields[heldPointer] = "required: the id of the inspection that recorded the drill"
		return store.Inspection{}, nil
	}
	held, err := tx.Inspection(inspectionID)
	if errs.Is(err, errs.NotFound) {
		fields[heldPointer] = "no such inspection"
		return held, nil
	}
	return held, err
}

const heldPointer = "/inspection_id"

// checkHeld checks the inspection that records drill row.
func checkHeld(tx *store.Tx, row store.Drill, held store.Inspection, fields map[string]string) error {
	const pointer = heldPointer
	switch {
	case held.SiteID != row.SiteID:
		fields[pointer] = "must be an inspection at the drill's site"
	case held.TemplateID != row.TemplateID:
		fields[pointer] = "must be an inspection of the drill's template"
	case held.Status != inspection.Submitted && held.Status != inspection.Approved:
		fields[pointer] = "must be a submitted inspection"
	case held.SubmittedAt == nil && held.ReceivedAt == nil:
		fields[pointer] = "must be a submitted inspection"
	}
	if len(fields) > 0 {
		return nil
	}
	at := held.SubmittedAt
	if at == nil {
		at = held.ReceivedAt
	}
	if at.Before(row.OpensAt) {
		fields[pointer] = "was submitted before the drill's window opened (" + row.OpensAt.UTC().Format(time.RFC3339) + ")"
	}
	other, err := tx.DrillOfInspection(held.ID)
	switch {
	case err == nil && other.ID != row.ID:
		fields[pointer] = "records another drill already"
	case err != nil && !errs.Is(err, errs.NotFound):
		return err
	}
	return nil
}

// versionAt is the number of the plan's version in force at t: the last
// one published by then (the first, if t is before every version).
func versionAt(tx *store.Tx, planID string, t time.Time) (int, error) {
	plan, err := tx.Plan(planID)
	if err != nil {
		return 0, err
	}
	for n := plan.CurrentVersion; n > 1; n-- {
		version, err := tx.PlanVersion(planID, n)
		if err != nil {
			return 0, err
		}
		if !version.PublishedAt.After(t) {
			return n, nil
		}
	}
	return 1, nil
}

// EvaluateInput is the written evaluation of a held drill.
type EvaluateInput struct {
	Evaluation string `json:"evaluation"`
	// FollowUp are the actions the drill calls for, or "none" said
	// explicitly: a drill never closes silently.
	FollowUp string `json:"follow_up"`
}

// Evaluate closes a held drill with its evaluation and follow-up.
func (s *Service) Evaluate(ctx context.Context, id string, in EvaluateInput) (Drill, error) {
	const op = "drills.Evaluate"
	p, _ := principal.From(ctx)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		row, err := ownDrill(tx, p, id)
		if err != nil {
			return err
		}
		fields := map[string]string{}
		evaluation := checkText(fields, "/evaluation", in.Evaluation)
		followUp := checkText(fields, "/follow_up", in.FollowUp)
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		switch row.Status {
		case Scheduled:
			return errs.E(op, errs.Conflict, "record the drill's inspection first")
		case Evaluated:
			return errs.E(op, errs.Conflict, "this drill is evaluated already")
		}
		expected := row.Version
		row.Status, row.Evaluation, row.FollowUp = Evaluated, evaluation, followUp
		now := tx.Now
		row.EvaluatedBy, row.EvaluatedAt = &p.UserID, &now
		if err := tx.UpdateDrill(&row, expected); err != nil {
			return err
		}
		audit.Append(tx, "drill.evaluated", "drill", row.ID, map[string]any{"evaluation": evaluation, "follow_up": followUp})
		return record(tx, row)
	})
	if err != nil {
		return Drill{}, errs.Wrap(op, err)
	}
	return s.Get(ctx, id)
}

// ownDrill reads a drill the caller may act on.
func ownDrill(tx *store.Tx, p principal.Principal, id string) (store.Drill, error) {
	row, err := tx.Drill(id)
	if err == nil && !canSee(p, row.SiteID) {
		err = errs.E("drills.ownDrill", errs.NotFound, "not found")
	}
	return row, err
}

// OverdueArgs is the periodic job that flags overdue drills. Now is for
// tests and replays.
type OverdueArgs struct {
	Now *time.Time `json:"now,omitempty"`
}

// Kind names the job.
func (OverdueArgs) Kind() string { return "drill.overdue" }

// OverdueJob is the job handler.
func (s *Service) OverdueJob(ctx context.Context, args OverdueArgs) error {
	now := time.Now().UTC()
	if args.Now != nil {
		now = *args.Now
	}
	_, err := s.FlagOverdue(ctx, now)
	return err
}

// FlagOverdue flags, once, every drill still scheduled when its window
// closed by now, and returns how many it flagged.
func (s *Service) FlagOverdue(ctx context.Context, now time.Time) (int, error) {
	const op = "drills.FlagOverdue"
	orgs, err := s.db.Read(ctx).OrgIDs()
	if err != nil {
		return 0, errs.E(op, err)
	}
	flagged := 0
	for _, org := range orgs {
		orgCtx := principal.AsSystem(ctx, org, OverdueArgs{}.Kind())
		rows, err := s.db.Read(orgCtx).DrillsDue(now, 500)
		if err != nil {
			return flagged, errs.E(op, err)
		}
		for _, row := range rows {
			var deliveries []notify.DeliverArgs
			err := s.db.InTx(orgCtx, func(tx *store.Tx) error {
				expected := row.Version
				at := now
				row.OverdueAt = &at
				if err := tx.UpdateDrill(&row, expected); err != nil {
					return err
				}
				audit.Append(tx, "drill.overdue", "drill", row.ID, map[string]any{"due_at": row.DueAt.UTC()})
				if err := record(tx, row); err != nil {
					return err
				}
				var err error
				deliveries, err = notifyOverdue(tx, row)
				return err
			})
			if errs.Is(err, errs.Stale) {
				continue // recorded meanwhile
			}
			if err != nil {
				return flagged, errs.E(op, err)
			}
			if s.notify != nil {
				s.notify.Enqueue(orgCtx, deliveries)
			}
			flagged++
		}
	}
	return flagged, nil
}

// notifyOverdue tells the site's supervisors, once (the event key is the
// drill's), that a drill's window closed without it being held: a drill
// the regulations require (004 二(一)1.2 每季度; 002 篇18 L1473 每年6月)
// was missed. The notification, its webhook delivery and their delivery
// state go through notify's outbox, as a missed round's do.
func notifyOverdue(tx *store.Tx, row store.Drill) ([]notify.DeliverArgs, error) {
	supervisors, err := tx.ActiveUserIDs(principal.Supervisor, row.SiteID)
	if err != nil {
		return nil, err
	}
	return notify.Record(tx, notify.Event{Key: "drill.overdue:" + row.ID, Type: "drill.overdue", SubjectType: "drill",
		SubjectID: row.ID, SiteID: row.SiteID, Recipients: supervisors})
}
