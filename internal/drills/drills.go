// Package drills is emergency drills (应急演练, issue 16 item 3): drills
// scheduled from an emergency plan at a site, held when an inspection of
// the drill template records them, and evaluated. The failed items of
// that inspection raise findings as any inspection's do (at submit, in
// internal/syncer), so a drill's defects go through the rectification
// loop; a drill lists them.
//
// Cadences come from the seeds, which disagree, so both are offered:
//   - quarterly: 每季度組織一次防火、防盜、防搶應急演練 (004 二(一)1.2);
//   - june: 每年6月份安全生产月演练一次 (002 篇18 L1473), the safety month.
//
// The life cycle is scheduled → held → evaluated; a drill still scheduled
// when its window closes is flagged overdue once (FlagOverdue). A drill
// closes only with a written evaluation and follow-up actions, or an
// explicit "none" (004 §4.3(5): evaluation, problems, improvements).
//
// The package never writes inspections or findings: it reads them.
package drills

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Cadences a drill can be scheduled with.
const (
	Quarterly = "quarterly"
	June      = "june"
)

// Cadences lists them, for messages.
var Cadences = []string{Quarterly, June}

// Statuses of a drill.
const (
	Scheduled = "scheduled"
	Held      = "held"
	Evaluated = "evaluated"
)

// Statuses lists them, for filters.
var Statuses = []string{Scheduled, Held, Evaluated}

// TemplateKey is the library template drills are recorded with unless the
// schedule names another.
const TemplateKey = "emergency-drill-quarterly"

// Window is when a drill is to be held: from Opens to Due (exclusive).
type Window struct {
	Opens, Due time.Time
}

// Windows are a year's windows for a cadence in the site's time zone:
// the four quarters, or June. Due is the start of the next window, so a
// drill held on the last day of the quarter, local time, is on time.
func Windows(cadence string, year int, loc *time.Location) []Window {
	month := func(m time.Month) time.Time { return time.Date(year, m, 1, 0, 0, 0, 0, loc).UTC() }
	switch cadence {
	case Quarterly:
		return []Window{{month(1), month(4)}, {month(4), month(7)}, {month(7), month(10)}, {month(10), month(13)}}
	case June:
		return []Window{{month(6), month(7)}}
	}
	return nil
}

// Finding is a finding raised by the drill's inspection.
type Finding struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	Severity string     `json:"severity"`
	Status   string     `json:"status"`
	DueAt    *time.Time `json:"due_at"`
}

// Drill is a drill as clients see it.
type Drill struct {
	ID           string     `json:"id"`
	SiteID       string     `json:"site_id"`
	PlanID       string     `json:"plan_id"`
	PlanTitle    string     `json:"plan_title"`
	Category     string     `json:"category"`
	TemplateID   string     `json:"template_id"`
	Cadence      string     `json:"cadence"`
	OpensAt      time.Time  `json:"opens_at"`
	DueAt        time.Time  `json:"due_at"`
	Status       string     `json:"status"`
	Overdue      bool       `json:"overdue"`
	OverdueAt    *time.Time `json:"overdue_at"`
	InspectionID *string    `json:"inspection_id"`
	PlanVersion  *int       `json:"plan_version"`
	HeldAt       *time.Time `json:"held_at"`
	HeldLate     bool       `json:"held_late"`
	RecordedBy   string     `json:"recorded_by,omitempty"`
	Score        *float64   `json:"score"`
	Outcome      *string    `json:"outcome"`
	Findings     []Finding  `json:"findings"`
	Evaluation   string     `json:"evaluation"`
	FollowUp     string     `json:"follow_up"`
	EvaluatedBy  string     `json:"evaluated_by,omitempty"`
	EvaluatedAt  *time.Time `json:"evaluated_at"`
	RowVersion   int64      `json:"version"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Service holds the use cases.
type Service struct {
	db     *store.DB
	notify enqueuer
}

// enqueuer hands the webhook and email deliveries of a committed
// notification to the job queue (notify.Service).
type enqueuer interface {
	Enqueue(ctx context.Context, deliveries []notify.DeliverArgs)
}

// NewService builds the service; notifier tells people of overdue drills.
func NewService(db *store.DB, notifier enqueuer) *Service { return &Service{db: db, notify: notifier} }

// canSee: admins and auditors every drill; others the drills of their sites.
func canSee(p principal.Principal, siteID string) bool {
	return principal.OrgWide(p.Role) || slices.Contains(p.SiteIDs, siteID)
}

// viewOf renders a drill with the names of its people, its plan's title
// and the findings its inspection raised.
func viewOf(tx *store.Tx, row store.Drill) (Drill, error) {
	plan, err := tx.Plan(row.PlanID)
	if err != nil {
		return Drill{}, err
	}
	title := ""
	if version, err := tx.PlanVersion(plan.ID, plan.CurrentVersion); err == nil {
		title = version.Title
	} else {
		return Drill{}, err
	}
	var ids []string
	for _, id := range []*string{row.RecordedBy, row.EvaluatedBy} {
		if id != nil {
			ids = append(ids, *id)
		}
	}
	names, err := tx.UserNames(ids)
	if err != nil {
		return Drill{}, err
	}
	name := func(id *string) string {
		if id == nil {
			return ""
		}
		return names[*id]
	}
	findings := []Finding{}
	if row.InspectionID != nil {
		rows, _, err := tx.ListFindings(store.FindingFilter{Inspection: *row.InspectionID}, store.Page{Limit: 500})
		if err != nil {
			return Drill{}, err
		}
		for _, f := range rows {
			findings = append(findings, Finding{ID: f.ID, Title: f.Title, Severity: f.Severity, Status: f.Status, DueAt: utc(f.DueAt)})
		}
	}
	return Drill{ID: row.ID, SiteID: row.SiteID, PlanID: row.PlanID, PlanTitle: title, Category: plan.Category,
		TemplateID: row.TemplateID, Cadence: row.Cadence, OpensAt: row.OpensAt.UTC(), DueAt: row.DueAt.UTC(),
		Status: row.Status, Overdue: row.Status == Scheduled && row.OverdueAt != nil, OverdueAt: utc(row.OverdueAt),
		InspectionID: row.InspectionID, PlanVersion: row.PlanVersion, HeldAt: utc(row.HeldAt),
		HeldLate: row.HeldAt != nil && !row.HeldAt.Before(row.DueAt), RecordedBy: name(row.RecordedBy),
		Score: row.Score, Outcome: row.Outcome, Findings: findings, Evaluation: row.Evaluation, FollowUp: row.FollowUp,
		EvaluatedBy: name(row.EvaluatedBy), EvaluatedAt: utc(row.EvaluatedAt), RowVersion: row.Version,
		CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC()}, nil
}

// record puts the drill in the change log for the phones of its site's
// people (entity drill in pull), so that a guard sees the drills due at
// their sites offline and records one with the drill template. Every write
// of a drill calls it in its own transaction.
func record(tx *store.Tx, row store.Drill) error {
	return logDrill(tx, row, row.Version == 1)
}

// logDrill queues the drill's upsert; fresh when the log holds no older
// entry of it to compact away.
func logDrill(tx *store.Tx, row store.Drill, fresh bool) error {
	view, err := viewOf(tx, row)
	if err != nil {
		return err
	}
	data, err := json.Marshal(view)
	if err != nil {
		return errs.E("drills.logDrill", errs.Internal, err)
	}
	site := row.SiteID
	tx.RecordChange(store.Change{EntityType: "drill", EntityID: row.ID, Op: "upsert", Version: row.Version,
		Audience: store.AudienceSite, SiteID: &site, Data: data, Fresh: fresh})
	return nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Get reads a drill the caller may see.
func (s *Service) Get(ctx context.Context, id string) (Drill, error) {
	p, _ := principal.From(ctx)
	tx := s.db.Read(ctx)
	row, err := tx.Drill(id)
	if err == nil && !canSee(p, row.SiteID) {
		err = errs.E("drills.Get", errs.NotFound, "not found")
	}
	if err != nil {
		return Drill{}, errs.Wrap("drills.Get", err)
	}
	view, err := viewOf(tx, row)
	return view, errs.Wrap("drills.Get", err)
}

// Filter narrows List.
type Filter struct {
	SiteID  string
	PlanID  string
	Status  string
	Overdue *bool
}

// List lists the drills of the caller's sites (every site for admins and
// auditors).
func (s *Service) List(ctx context.Context, f Filter, page store.Page) ([]Drill, string, error) {
	const op = "drills.List"
	p, _ := principal.From(ctx)
	filter := store.DrillFilter{PlanID: f.PlanID, Status: f.Status, Overdue: f.Overdue}
	switch {
	case f.SiteID != "" && !canSee(p, f.SiteID):
		return []Drill{}, "", nil
	case f.SiteID != "":
		filter.SiteIDs = []string{f.SiteID}
	case !principal.OrgWide(p.Role):
		filter.SiteIDs = append([]string{}, p.SiteIDs...)
	}
	tx := s.db.Read(ctx)
	rows, next, err := tx.ListDrills(filter, page)
	if err != nil {
		return nil, "", errs.Wrap(op, err)
	}
	out := make([]Drill, 0, len(rows))
	for _, row := range rows {
		view, err := viewOf(tx, row)
		if err != nil {
			return nil, "", errs.Wrap(op, err)
		}
		out = append(out, view)
	}
	return out, next, nil
}

// checkText requires a text of at most 4000 characters.
func checkText(fields map[string]string, pointer, text string) string {
	text = strings.TrimSpace(text)
	if text == "" || len([]rune(text)) > 4000 {
		fields[pointer] = "required, at most 4000 characters"
	}
	return text
}

// BackfillLog writes the change-log entry of every drill the log lacks:
// drills scheduled before drills went into pull reached their site's
// phones only with their next change. It runs once per release that owes
// it (the sync.backfill job), organisation by organisation, oldest drill
// first, and returns how many entries it wrote. Running it again writes
// nothing.
func (s *Service) BackfillLog(ctx context.Context) (int, error) {
	const op = "drills.BackfillLog"
	orgs, err := s.db.Read(ctx).OrgIDs()
	if err != nil {
		return 0, errs.E(op, err)
	}
	written := 0
	for _, org := range orgs {
		owed := 0
		err := s.db.InTx(principal.AsSystem(ctx, org, "sync.backfill"), func(tx *store.Tx) error {
			if err := tx.LockAll("drills"); err != nil {
				return err
			}
			rows, err := tx.AllDrills()
			if err != nil {
				return err
			}
			ids := make([]string, len(rows))
			for i, row := range rows {
				ids[i] = row.ID
			}
			logged, err := tx.LoggedEntities(ids)
			if err != nil {
				return err
			}
			for _, row := range rows {
				if logged[row.ID] {
					continue
				}
				if err := logDrill(tx, row, true); err != nil {
					return err
				}
				owed++
			}
			return nil
		})
		if err != nil {
			return written, errs.E(op, err)
		}
		written += owed
	}
	return written, nil
}
