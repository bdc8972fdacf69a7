package store

import "time"

// Route is a walk through checkpoints at one site. Checkpoints is the JSON
// array of the route's checkpoints in walking order.
type Route struct {
	ID          string
	OrgID       string
	SiteID      string
	Name        string
	Ordered     bool
	Checkpoints []byte
	Active      bool
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// CreateRoute inserts a route in the caller's organisation.
func (tx *Tx) CreateRoute(row *Route) error {
	row.OrgID, row.CreatedAt, row.UpdatedAt, row.Version = tx.orgOf(), tx.Now, tx.Now, 1
	return translate("store.CreateRoute", tx.gorm.Table("routes").Create(row).Error)
}

// Route reads one route of the caller's organisation.
func (tx *Tx) Route(id string) (Route, error) {
	var row Route
	err := tx.scoped("routes").Where("id = ?", id).Take(&row).Error
	return row, translate("store.Route", err)
}

// SiteFilterOf narrows lists of site-bound records.
type SiteFilterOf struct {
	SiteIDs []string // when not nil, only these sites
	Active  *bool
}

// ListRoutes lists routes in id order.
func (tx *Tx) ListRoutes(f SiteFilterOf, p Page) ([]Route, string, error) {
	q := tx.scoped("routes")
	if f.SiteIDs != nil {
		q = q.Where("site_id IN ?", f.SiteIDs)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	var rows []Route
	if err := p.apply(q, "routes").Find(&rows).Error; err != nil {
		return nil, "", translate("store.ListRoutes", err)
	}
	rows, next := trim(rows, p, func(r Route) string { return r.ID })
	return rows, next, nil
}

// UpdateRoute writes row if it is still at version expected.
func (tx *Tx) UpdateRoute(row *Route, expected int64) error {
	row.UpdatedAt, row.Version = tx.Now, expected+1
	res := tx.scoped("routes").Where("id = ? AND version = ?", row.ID, expected).Updates(map[string]any{
		"name": row.Name, "ordered": row.Ordered, "checkpoints": row.Checkpoints, "active": row.Active,
		"version": row.Version, "updated_at": row.UpdatedAt,
	})
	return casResult("store.UpdateRoute", res.Error, res.RowsAffected)
}

// Schedule is a recurring duty at a site.
type Schedule struct {
	ID               string
	OrgID            string
	SiteID           string
	Kind             string
	Name             string
	RouteID          *string
	TemplateID       *string
	RRule            string `gorm:"column:rrule"`
	DTStart          string `gorm:"column:dtstart"`
	ToleranceSeconds int64
	AssigneeID       *string
	Active           bool
	Version          int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// CreateSchedule inserts a schedule in the caller's organisation.
func (tx *Tx) CreateSchedule(row *Schedule) error {
	row.OrgID, row.CreatedAt, row.UpdatedAt, row.Version = tx.orgOf(), tx.Now, tx.Now, 1
	return translate("store.CreateSchedule", tx.gorm.Table("schedules").Create(row).Error)
}

// Schedule reads one schedule of the caller's organisation.
func (tx *Tx) Schedule(id string) (Schedule, error) {
	var row Schedule
	err := tx.scoped("schedules").Where("id = ?", id).Take(&row).Error
	return row, translate("store.Schedule", err)
}

// ListSchedules lists schedules in id order.
func (tx *Tx) ListSchedules(f SiteFilterOf, p Page) ([]Schedule, string, error) {
	q := tx.scoped("schedules")
	if f.SiteIDs != nil {
		q = q.Where("site_id IN ?", f.SiteIDs)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	var rows []Schedule
	if err := p.apply(q, "schedules").Find(&rows).Error; err != nil {
		return nil, "", translate("store.ListSchedules", err)
	}
	rows, next := trim(rows, p, func(r Schedule) string { return r.ID })
	return rows, next, nil
}

// UpdateSchedule writes row if it is still at version expected.
func (tx *Tx) UpdateSchedule(row *Schedule, expected int64) error {
	row.UpdatedAt, row.Version = tx.Now, expected+1
	res := tx.scoped("schedules").Where("id = ? AND version = ?", row.ID, expected).Updates(map[string]any{
		"name": row.Name, "rrule": row.RRule, "dtstart": row.DTStart, "tolerance_seconds": row.ToleranceSeconds,
		"assignee_id": row.AssigneeID, "active": row.Active, "version": row.Version, "updated_at": row.UpdatedAt,
	})
	return casResult("store.UpdateSchedule", res.Error, res.RowsAffected)
}
