package store

import "time"

// Drill is one emergency drill (应急演练) scheduled from a plan at a site.
type Drill struct {
	ID           string
	OrgID        string
	SiteID       string
	PlanID       string
	TemplateID   string
	Cadence      string
	OpensAt      time.Time
	DueAt        time.Time
	Status       string
	OverdueAt    *time.Time
	InspectionID *string
	PlanVersion  *int
	HeldAt       *time.Time
	RecordedBy   *string
	Score        *float64
	Outcome      *string
	Evaluation   string
	FollowUp     string
	EvaluatedBy  *string
	EvaluatedAt  *time.Time
	CreatedBy    string
	Version      int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// CreateDrill inserts a drill; the same plan, site, cadence and due time
// twice is a Conflict.
func (tx *Tx) CreateDrill(row *Drill) error {
	row.OrgID, row.CreatedAt, row.UpdatedAt, row.Version = tx.orgOf(), tx.Now, tx.Now, 1
	return translate("store.CreateDrill", tx.gorm.Table("drills").Create(row).Error)
}

// Drill reads one drill of the caller's organisation.
func (tx *Tx) Drill(id string) (Drill, error) {
	var row Drill
	err := tx.scoped("drills").Where("id = ?", id).Take(&row).Error
	return row, translate("store.Drill", err)
}

// DrillAt reads the drill of a plan at a site with this cadence and due
// time, the natural key of a scheduled drill.
func (tx *Tx) DrillAt(planID, siteID, cadence string, due time.Time) (Drill, error) {
	var row Drill
	err := tx.scoped("drills").Where("plan_id = ? AND site_id = ? AND cadence = ? AND due_at = ?", planID, siteID, cadence, due).
		Take(&row).Error
	return row, translate("store.DrillAt", err)
}

// DrillFilter narrows ListDrills. Empty fields do not filter.
type DrillFilter struct {
	SiteIDs []string // nil: any site
	PlanID  string
	Status  string
	Overdue *bool
}

// ListDrills lists drills in id order: creation order, and a year scheduled
// at once is created in due order.
func (tx *Tx) ListDrills(f DrillFilter, p Page) ([]Drill, string, error) {
	q := tx.scoped("drills")
	if f.SiteIDs != nil {
		q = q.Where("site_id IN ?", f.SiteIDs)
	}
	if f.PlanID != "" {
		q = q.Where("plan_id = ?", f.PlanID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Overdue != nil && *f.Overdue {
		q = q.Where("overdue_at IS NOT NULL")
	} else if f.Overdue != nil {
		q = q.Where("overdue_at IS NULL")
	}
	var rows []Drill
	if err := p.apply(q, "drills").Find(&rows).Error; err != nil {
		return nil, "", translate("store.ListDrills", err)
	}
	rows, next := trim(rows, p, func(r Drill) string { return r.ID })
	return rows, next, nil
}

// DrillsDue lists scheduled drills whose due time passed by now and that
// are not flagged overdue yet.
func (tx *Tx) DrillsDue(now time.Time, limit int) ([]Drill, error) {
	var rows []Drill
	err := tx.scoped("drills").Where("status = ? AND overdue_at IS NULL AND due_at <= ?", "scheduled", now).
		Order("due_at, id").Limit(limit).Find(&rows).Error
	return rows, translate("store.DrillsDue", err)
}

// UpdateDrill writes row if it is still at version expected.
func (tx *Tx) UpdateDrill(row *Drill, expected int64) error {
	row.UpdatedAt, row.Version = tx.Now, expected+1
	res := tx.scoped("drills").Where("id = ? AND version = ?", row.ID, expected).Updates(map[string]any{
		"status": row.Status, "overdue_at": row.OverdueAt, "inspection_id": row.InspectionID, "plan_version": row.PlanVersion,
		"held_at": row.HeldAt, "recorded_by": row.RecordedBy, "score": row.Score, "outcome": row.Outcome,
		"evaluation": row.Evaluation, "follow_up": row.FollowUp, "evaluated_by": row.EvaluatedBy, "evaluated_at": row.EvaluatedAt,
		"version": row.Version, "updated_at": row.UpdatedAt,
	})
	return casResult("store.UpdateDrill", res.Error, res.RowsAffected)
}

// DrillOfInspection reads the drill an inspection records, if any.
func (tx *Tx) DrillOfInspection(inspectionID string) (Drill, error) {
	var row Drill
	err := tx.scoped("drills").Where("inspection_id = ?", inspectionID).Take(&row).Error
	return row, translate("store.DrillOfInspection", err)
}
